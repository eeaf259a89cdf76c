"""Test kit of the conductor tests: hand-made bundles, live servers, a sync client."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

DEFAULT_GROUPS = (("red", "Reds", "#d32f2f", 1), ("blue", "Blues", "#1976d2", 1))


def write_bundle(root: Path, *, groups=DEFAULT_GROUPS, duration_ms: int = 180_000, show_id: str = "3f9a0c1b2d4e5f60",
                 mp3_bytes: int = 50_000, segments: int = 2) -> Path:
    """Write manifest.json and dummy files under ``root``; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    sr = 44100
    total = duration_ms * sr // 1000
    out_groups = []
    for gid, name, colour, share in groups:
        (root / gid).mkdir(exist_ok=True)
        data = bytes((i * 7 + len(gid)) % 251 for i in range(mp3_bytes))
        (root / gid / "show.mp3").write_bytes(data)
        segs = []
        per = total // segments
        for k in range(segments):
            seg = data[k * 1000:(k + 1) * 1000] + gid.encode()
            path = f"{gid}/seg-{k:04d}.mp3"
            (root / path).write_bytes(seg)
            segs.append({"path": path, "first_sample": k * per, "samples": per,
                         "sha256": hashlib.sha256(seg).hexdigest()})
        (root / gid / "captions.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.500\nWelcome\n")
        (root / gid / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
        out_groups.append({
            "id": gid, "name": name, "colour": colour, "share": share,
            "mp3": {"path": f"{gid}/show.mp3", "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                    "duration_ms": duration_ms},
            "segments": segs, "captions": f"{gid}/captions.vtt", "cover": f"{gid}/cover.png",
            "cues": [{"id": "c1", "start_ms": 0, "end_ms": 2500, "kind": "say", "text": "Welcome",
                      "vibrate": [200], "line": 12}],
            "silences": [{"start_ms": 2500, "end_ms": 4000}],
        })
    manifest = {
        "format": "flashmob-bundle", "version": 1, "show_id": show_id, "title": "Demo",
        "organizer": {"name": "Test", "contact": "test@example.org"}, "language": "en",
        "event": {"place": "Square", "starts": "2026-12-05T18:00:00+01:00", "meeting_point": "Fountain",
                  "safety": "Stay on the pavement"},
        "sample_rate": sr, "duration": {"samples": total, "ms": duration_ms}, "groups": out_groups,
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1))
    (root / "secret-notes.txt").write_text("not referenced by the manifest: never served")
    return root


# --------------------------------------------------------------------------- live servers

import json as _json  # noqa: E402
import socket as _socket  # noqa: E402
import threading as _threading  # noqa: E402
import time as _time  # noqa: E402

TOKEN = "test-console-token-0123456789abcdef"


class LiveServer:
    """A real uvicorn serving ``app`` on 127.0.0.1 (free port) in a thread."""

    def __init__(self, app, *, ws_max_size=None, limits=None):
        from flashmob.conductor.app import WS_MAX_SIZE
        from flashmob.conductor.gate import conductor_server
        from flashmob.conductor.connlimits import Limits

        self.app = app
        self.sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        self.sock.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server, self.gate = conductor_server(app, limits or Limits(), log_level="warning",
                                                  ws_max_size=ws_max_size or WS_MAX_SIZE,
                                                  timeout_graceful_shutdown=1)
        self.thread = _threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def conductor(self):
        return self.app.state.conductor

    def start(self):
        self.thread.start()
        deadline = _time.monotonic() + 10
        while not self.server.started:
            if _time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            _time.sleep(0.01)
        return self

    def stop(self):
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

    def ws(self, path="/ws", **kw):
        return WsClient(f"ws://127.0.0.1:{self.port}{path}", **kw)

    def phone(self, **hello):
        """A connected phone that said hello; returns (client, welcome)."""
        c = self.ws("/ws")
        c.send({"type": "hello", **hello})
        return c, c.expect("welcome")

    def confirmed_phone(self, **hello):
        """A phone that joins, downloads the challenged file over HTTP (as the page
        does with all its files), answers the challenge; returns (client, welcome)."""
        c = self.ws("/ws")
        c.send({"type": "hello", **hello})
        welcome = c.expect("welcome")
        if welcome["seat"] != "confirmed":
            answer_challenge(c, self, c.expect("challenge"))
            c.expect("seat", state="confirmed")
        return c, welcome

    def fetch(self, path):
        """Bytes of a bundle file, over HTTP."""
        import urllib.request
        from urllib.parse import quote

        url = f"{self.url}/bundle/{self.conductor.bundle.revision}/{quote(path)}"
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.read()

    def console(self, token=TOKEN):
        c = self.ws("/ws/console")
        c.send({"type": "console_hello", "token": token})
        c.expect("console_welcome")
        return c


def range_answer(data, challenge):
    """The right answer to ``challenge`` given the file's bytes."""
    piece = data[challenge["offset"]:challenge["offset"] + challenge["length"]]
    return hashlib.sha256(challenge["id"].encode() + piece).hexdigest()


def answer_challenge(client, server, challenge):
    client.send({"type": "answer", "id": challenge["id"],
                 "sha256": range_answer(server.fetch(challenge["path"]), challenge)})


def confirm_seat(client, base_url, welcome):
    """Answer the challenge that follows ``welcome`` the way the page does (its
    files fetched over HTTP from ``base_url``); returns the ``seat`` message."""
    import urllib.request
    from urllib.parse import quote

    challenge = client.expect("challenge")
    folder = welcome["manifest_url"].rsplit("/", 1)[0]
    with urllib.request.urlopen(f"{base_url}{folder}/{quote(challenge['path'])}", timeout=10) as r:
        data = r.read()
    client.send({"type": "answer", "id": challenge["id"], "sha256": range_answer(data, challenge)})
    return client


class WsClient:
    """Synchronous websocket client (python-websockets) speaking JSON frames."""

    def __init__(self, url, **kw):
        from websockets.sync.client import connect

        kw.update(open_timeout=5, close_timeout=2, max_size=None)
        try:
            self.conn = connect(url, legacy=True, **kw)  # websockets >= 17: direct (non-context) use
        except TypeError:
            self.conn = connect(url, **kw)

    def send(self, obj):
        self.conn.send(obj if isinstance(obj, (str, bytes)) else _json.dumps(obj))

    def recv(self, timeout=5.0):
        return _json.loads(self.conn.recv(timeout=timeout))

    def expect(self, kind, timeout=5.0, **match):
        """Next message of type ``kind`` (skipping others, e.g. feeds)."""
        deadline = _time.monotonic() + timeout
        while True:
            left = deadline - _time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind} message within {timeout} s")
            msg = self.recv(timeout=left)
            if msg["type"] == kind and all(msg.get(k) == v for k, v in match.items()):
                return msg

    def closed_code(self, timeout=5.0):
        """Read until the server closes; return the close code."""
        from websockets.exceptions import ConnectionClosed

        deadline = _time.monotonic() + timeout
        try:
            while _time.monotonic() < deadline:
                self.conn.recv(timeout=deadline - _time.monotonic())
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None
        raise TimeoutError("the server did not close the connection")

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------- NTP responder


class FakeNtpServer:
    """An NTP responder on a loopback UDP port whose time is the system's
    wall clock plus ``offset_s``.  Every attribute can be changed while it
    runs, to misbehave: ``stratum``, ``leap``, ``root_delay_s``,
    ``root_dispersion_s``, ``origin`` (``"echo"`` the request's transmit
    timestamp as a server must, ``"zero"``, ``"other"`` a different one, or
    ``"stale"``: the answer to an earlier request, replayed), ``hold_s``
    (answer that late), ``random`` (random timestamps), ``spoof_first`` (send
    a forged answer before the real one)."""

    def __init__(self, offset_s=0.0, stratum=2):
        self.offset_s = offset_s
        self.stratum = stratum
        self.leap = 0
        self.root_delay_s = 0.001
        self.root_dispersion_s = 0.002
        self.origin = "echo"
        self.hold_s = 0.0
        self.random = False
        self.spoof_first = False
        self.sock = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self._last_reply = None
        self._stop = _threading.Event()
        self._thread = _threading.Thread(target=self._serve, daemon=True)

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"

    def _stamp(self):
        import os
        import struct

        if self.random:
            return os.urandom(8)
        t = _time.time() + self.offset_s + 2_208_988_800
        return struct.pack("!Q", int(t * 2**32))

    def _reply(self, request, origin):
        import struct

        head = struct.pack("!BBbbII4s", (self.leap << 6) | (4 << 3) | 4, self.stratum, 6, -20,
                           int(self.root_delay_s * 2**16), int(self.root_dispersion_s * 2**16), b"TEST")
        if self.hold_s:  # the request spends this long "on the network"
            _time.sleep(self.hold_s)
        recv = self._stamp()
        return head + self._stamp() + origin + recv + self._stamp()

    def _serve(self):
        import os

        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(512)
            except (TimeoutError, _socket.timeout):
                continue
            except OSError:
                return
            if len(data) < 48:
                continue
            self.requests += 1
            echo = data[40:48]
            if self.spoof_first:
                self.sock.sendto(self._reply(data, os.urandom(8)), addr)
            if self.origin == "stale" and self._last_reply is not None:
                reply = self._last_reply
            else:
                origin = {"echo": echo, "zero": bytes(8), "other": os.urandom(8)}.get(self.origin, echo)
                reply = self._reply(data, origin)
            self._last_reply = reply
            self.sock.sendto(reply, addr)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
