"""A loopback TCP forwarder whose network can be cut: "the phone lost its network", in any engine.

Chromium can emulate offline (Playwright), Firefox's and WebKit's drivers
cannot; a page loaded through its own :class:`Gate` can lose the network in
all three the same way: :meth:`Gate.cut` resets every open connection (the
websocket drops) and refuses new ones (a reload fails at the socket, so the
service worker must answer), :meth:`Gate.restore` lets traffic through
again. :meth:`Gate.hold` delays the requests whose bytes contain a
pattern (one slow response, for races); with ``from_server=True`` it delays
what the server sends on the connections the browser opened with such a
request (``b"GET /ws"``: every websocket frame to the page, by the same amount,
in order: a one-way delay, which an NTP-style exchange cannot tell from a clock
offset of half that delay; frames may be compressed, so they are not matched
themselves); :meth:`Gate.release` ends every hold. :attr:`Gate.meter` counts
what passes, on the wire (``wiremeter.py``: every HTTP response by type and
path, websocket bytes each way). Loopback only; each page's gate is also its own origin (storage,
service worker), as each phone is.
"""

from __future__ import annotations

import queue
import socket
import struct
import threading
import time

from .wiremeter import WireMeter


class Gate:
    """``with Gate(port) as g:`` — forward ``127.0.0.1:g.port`` to ``127.0.0.1:port``."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._open = True
        self._stop = False
        self._holds: list[tuple[bytes, float]] = []
        self._server_holds: list[tuple[bytes, float]] = []
        self.meter = WireMeter()
        self._next_conn = 0
        self._srv = socket.create_server(("127.0.0.1", 0))
        self.port = self._srv.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, name=f"gate-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def is_open(self) -> bool:
        return self._open

    def __enter__(self) -> "Gate":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def cut(self) -> None:
        """The network is gone: reset every connection, refuse new ones until :meth:`restore`."""
        with self._lock:
            self._open = False
            conns, self._conns = list(self._conns), set()
        for c in conns:
            _reset(c)

    def hold(self, pattern: bytes, seconds: float, *, from_server: bool = False) -> None:
        """From now on, bytes from the browser that contain ``pattern`` (e.g. ``b"GET /api/info"``:
        a request on a new or kept-alive connection) reach the server ``seconds`` late. With
        ``from_server``, what the server sends on a connection whose first request contains it
        (``b"GET /ws"``) reaches the browser ``seconds`` late, every chunk by the same delay (a
        delay line, not a queue of sleeps), in order."""
        with self._lock:
            (self._server_holds if from_server else self._holds).append((pattern, seconds))

    def release(self) -> None:
        """End every hold (data already held is still delivered, in order)."""
        with self._lock:
            self._holds, self._server_holds = [], []

    def restore(self) -> None:
        with self._lock:
            self._open = True

    def close(self) -> None:
        self._stop = True
        self.cut()
        try:
            self._srv.close()
        except OSError:
            pass
        self._thread.join(2)

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._srv.accept()
            except OSError:
                return
            if not self._open:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                self._conns.update((client, upstream))
            opened_with: list[bytes] = []  # the browser's first chunk on this connection
            self._next_conn += 1
            for a, b, first in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(target=self._pump, args=(a, b, first, opened_with, self._next_conn),
                                 daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_browser: bool = False,
              opened_with: list[bytes] | None = None, conn_id: int = 0) -> None:
        line = None  # the server direction's delay line, once a chunk was held
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                try:
                    self.meter.feed(conn_id, from_browser, data)
                except Exception:  # noqa: BLE001 - accounting never breaks the link
                    pass
                if from_browser and opened_with is not None and not opened_with:
                    opened_with.append(data)
                if from_browser and self._holds:  # keep-alive: any chunk may start a request
                    delay = max((sec for pat, sec in list(self._holds) if pat in data), default=0.0)
                    if delay:
                        time.sleep(delay)
                if not from_browser and (line is not None or self._server_holds):
                    first = opened_with[0] if opened_with else b""
                    delay = max((sec for pat, sec in list(self._server_holds) if pat in first), default=0.0)
                    if line is None and not delay:
                        dst.sendall(data)
                        continue
                    if line is None:
                        line = _DelayLine(dst)
                    line.put(time.monotonic() + delay, data)
                    continue
                dst.sendall(data)
        except OSError:
            pass
        finally:
            if not from_browser:
                try:
                    self.meter.closed(conn_id)
                except Exception:  # noqa: BLE001
                    pass
            if line is not None:
                line.close()
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            with self._lock:
                gone = src in self._conns and dst not in self._conns
                self._conns.discard(src)
            if gone:
                src.close()
                dst.close()


class _DelayLine:
    """Sends chunks at their due times, in order (a chunk is never sent before one queued earlier)."""

    def __init__(self, dst: socket.socket) -> None:
        self.dst = dst
        self.q: queue.Queue = queue.Queue()
        self.last_due = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def put(self, due: float, data: bytes) -> None:
        self.last_due = max(self.last_due, due)
        self.q.put((self.last_due, data))

    def close(self) -> None:
        self.q.put(None)
        self.thread.join(10)

    def _run(self) -> None:
        while (item := self.q.get()) is not None:
            due, data = item
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            try:
                self.dst.sendall(data)
            except OSError:
                return


def _reset(s: socket.socket) -> None:
    """Close with RST (SO_LINGER 0), as a dead link looks to the peer."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
