"""The connection gate on a real uvicorn over loopback (issue 10, defect 2).

Hostile sockets come from 127.0.0.2, honest phones from 127.0.0.1: on Linux
the whole 127.0.0.0/8 is local, so these are two client addresses.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import resource
import socket
import statistics
import time
from pathlib import Path

import httpx
import pytest

from flashmob.conductor.connlimits import Limits
from conductor_testkit import WsClient

ATTACKER = "127.0.0.2"
HALF_HEAD = b"GET / HTTP/1.1\r\nHost: conductor\r\nUser-Agent: slow\r\n"


def raise_own_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < need:
        pytest.fail(f"this test needs {need} open files; the hard limit is {hard}")


def open_from(address: str, port: int, *, timeout: float = 5.0) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((address, 0))
    s.connect(("127.0.0.1", port))
    return s


def closed_within(s: socket.socket, seconds: float) -> float | None:
    """Seconds until the peer closed (EOF or reset), None if still open after ``seconds``."""
    t0 = time.monotonic()
    s.settimeout(0.05)
    while time.monotonic() - t0 < seconds:
        try:
            if s.recv(65536) == b"":
                return time.monotonic() - t0
        except socket.timeout:
            continue
        except OSError:
            return time.monotonic() - t0
    return None


def sync_rtts(phone: WsClient, n: int = 10) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.monotonic()
        phone.send({"type": "sync", "id": 900 + i, "t0": 1})
        phone.expect("sync_reply", timeout=5)
        out.append((time.monotonic() - t0) * 1000)
    return out


# ------------------------------------------------------------ the attack of the issue, on `flashmob serve`


def spawn_serve(bundle: Path, db: Path, *, nofile: tuple[int, int], extra=()):
    """test_restart's real ``serve``, started under the open-file limit ``nofile``."""
    from test_restart import spawn

    proc, port = spawn(bundle, db, extra, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, nofile))
    return proc, port, proc.seen, proc.lines


@pytest.mark.parametrize("nofile", [(1024, None), (1024, 1024)], ids=["soft-1024", "hard-1024"])
def test_1100_half_open_sockets_from_one_address_do_not_lock_out_a_phone(bundle_dir, tmp_path, nofile):
    raise_own_fd_limit(4096)
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1] if nofile[1] is None else nofile[1]
    proc, port, banner, lines = spawn_serve(bundle_dir, tmp_path / "db.sqlite", nofile=(nofile[0], hard))
    hostile = []
    try:
        for _ in range(1100):
            try:
                s = open_from(ATTACKER, port, timeout=2)
                s.sendall(HALF_HEAD)
            except OSError:
                break  # refused or reset: the server protects itself
            hostile.append(s)
        time.sleep(0.3)
        # an honest phone and browser from another address
        r = httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=3)
        assert r.status_code == 200 and r.json()["show_id"]
        phone = WsClient(f"ws://127.0.0.1:{port}/ws")
        phone.send({"type": "hello", "participant_id": None})
        assert phone.expect("welcome", timeout=3)["participant_id"]
        rtts = sync_rtts(phone)
        assert statistics.median(rtts) < 150, rtts
        phone.close()
    finally:
        for s in hostile:
            s.close()
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    log = "".join(banner) + "".join(iter_queue(lines)) + (out or "")
    assert len(log.splitlines()) < 60, log[-3000:]
    capacity = [x for x in banner if "connection capacity" in x]
    assert capacity, banner
    if hard > 1024:
        assert f"open-file limit raised from 1,024 to {hard:,}" in capacity[0]


def iter_queue(q: queue.Queue):
    while True:
        try:
            yield q.get_nowait()
        except queue.Empty:
            return


# ------------------------------------------------------------------------ deadlines (in-process uvicorn)


def test_slowloris_is_closed_at_the_header_deadline(live_server):
    server = live_server(limits=Limits(header_timeout_s=1.0))
    s = open_from(ATTACKER, server.port)
    s.sendall(b"GET /api/info HTTP/1.1\r\n")
    t0 = time.monotonic()
    s.settimeout(0.25)
    closed = None
    while time.monotonic() - t0 < 4:
        try:
            s.sendall(b"X-Slow: 1\r\n")  # a header line every 0.25 s: it never ends
            if s.recv(100) == b"":
                closed = time.monotonic() - t0
                break
        except socket.timeout:
            continue
        except OSError:
            closed = time.monotonic() - t0
            break
    s.close()
    assert closed is not None and 0.7 < closed < 2.0, closed


def test_the_header_deadline_applies_to_every_request_of_a_connection(live_server):
    server = live_server(limits=Limits(header_timeout_s=1.0))
    s = open_from(ATTACKER, server.port)
    s.sendall(b"GET /api/info HTTP/1.1\r\nHost: x\r\n\r\n")
    s.settimeout(2)
    assert s.recv(65536).startswith(b"HTTP/1.1 200")
    s.sendall(b"GET /api/info HTTP/1.1\r\n")  # the second request never ends (cancels uvicorn's keep-alive)
    took = closed_within(s, 4)
    s.close()
    assert took is not None and took < 2.0


def test_an_idle_socket_is_closed_at_the_header_deadline(live_server):
    server = live_server(limits=Limits(header_timeout_s=1.0))
    s = open_from(ATTACKER, server.port)
    took = closed_within(s, 4)
    s.close()
    assert took is not None and 0.7 < took < 2.0, took


def test_ws_without_hello_is_closed_at_the_hello_deadline(live_server):
    server = live_server(hello_timeout_s=1.0)
    idle = server.ws("/ws")
    chatty = server.ws("/ws")
    t0 = time.monotonic()
    for i in range(3):  # sync is allowed before hello, but does not extend the deadline
        chatty.send({"type": "sync", "id": i, "t0": 1})
        chatty.expect("sync_reply")
        time.sleep(0.3)
    error = chatty.expect("error", timeout=3)
    assert error["code"] == "hello_required" and error["fatal"]
    assert chatty.closed_code(timeout=3) == 1008
    assert idle.closed_code(timeout=3) == 1008
    assert time.monotonic() - t0 < 2.5
    phone, welcome = server.phone(participant_id=None)  # a phone that says hello stays
    time.sleep(1.3)
    phone.send({"type": "sync", "id": 1, "t0": 1})
    assert phone.expect("sync_reply")
    phone.close()


# ---------------------------------------------------------------------------------------- caps


def test_beyond_the_cap_new_sockets_get_503_or_1013_and_admitted_phones_keep_syncing(live_server):
    server = live_server(limits=Limits(max_connections=4, refusal_grace_s=1.0))
    phones = [server.phone(participant_id=None)[0] for _ in range(3)]
    console = server.console()  # the 4th socket
    r = httpx.get(f"{server.url}/api/info", timeout=3)
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    late = server.ws("/ws")
    assert late.closed_code(timeout=3) == 1013
    raw = open_from(ATTACKER, server.port)  # says nothing: still answered, after the grace
    raw.settimeout(3)
    assert raw.recv(1000).startswith(b"HTTP/1.1 503")
    raw.close()
    for p in phones:
        assert statistics.median(sync_rtts(p, 3)) < 150
    phones.pop().close()
    time.sleep(0.2)
    assert httpx.get(f"{server.url}/api/info", timeout=3).status_code == 200
    for p in phones:
        p.close()
    console.close()


def test_stalled_sockets_are_capped_per_address_by_evicting_the_oldest(live_server):
    raise_own_fd_limit(1024)
    server = live_server(limits=Limits(max_pending_per_address=20, stale_after_s=0.5, header_timeout_s=5))
    hostile = [open_from(ATTACKER, server.port) for _ in range(20)]
    for s in hostile:
        s.sendall(HALF_HEAD)
    time.sleep(0.7)  # they have all stalled
    newcomer = open_from(ATTACKER, server.port)  # e.g. a phone behind the attacker's NAT
    assert closed_within(hostile[0], 2) is not None  # the oldest stalled one made room
    assert all(closed_within(s, 0.05) is None for s in hostile[1:])
    newcomer.sendall(b"GET /api/info HTTP/1.1\r\nHost: x\r\n\r\n")
    newcomer.settimeout(3)
    assert newcomer.recv(1000).startswith(b"HTTP/1.1 200")
    assert httpx.get(f"{server.url}/api/info", timeout=3).status_code == 200  # another address
    for s in hostile + [newcomer]:
        s.close()


def test_a_burst_beyond_the_pending_cap_is_admitted_until_half_the_global_cap(live_server):
    server = live_server(limits=Limits(max_connections=40, max_pending_per_address=5, header_timeout_s=5))
    burst = [open_from(ATTACKER, server.port) for _ in range(20)]  # none has stalled yet: all admitted
    for s in burst:
        s.sendall(b"GET /api/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    for s in burst:
        s.settimeout(3)
        assert s.recv(1000).startswith(b"HTTP/1.1 200")
        s.close()
    more = [open_from(ATTACKER, server.port) for _ in range(21)]  # 21 fresh pending > 40 / 2
    more[-1].settimeout(3)
    assert more[-1].recv(1000).startswith(b"HTTP/1.1 503")
    for s in more:
        s.close()


def test_refusals_are_logged_as_one_summary_line_per_interval(live_server):
    raise_own_fd_limit(2048)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            if all(r is not record for r in records):  # a record can reach two of the loggers
                records.append(record)

    handler = Keep(level=logging.INFO)
    loggers = [logging.getLogger(n) for n in ("", "uvicorn", "uvicorn.error", "asyncio", "flashmob")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        server = live_server(limits=Limits(max_connections=1, max_refusing=50, log_interval_s=0.5,
                                           refusal_grace_s=0.2))
        holder = server.phone(participant_id=None)[0]
        failed = 0
        for _ in range(3):
            burst = []
            for _ in range(200):
                try:
                    burst.append(open_from(ATTACKER, server.port))
                except OSError:  # reset before connect() returned: the server saw it as well
                    failed += 1
            for s in burst:
                s.close()
            time.sleep(0.3)
        time.sleep(0.8)
        holder.close()
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
    lines = [r.getMessage() for r in records if r.levelno >= logging.WARNING]
    summaries = [x for x in lines if x.startswith("connection limits")]
    assert 1 <= len(summaries) <= 4, lines
    assert len(lines) <= len(summaries) + 2, lines
    refused = sum(int(x.split("refused ", 1)[1].split(" ", 1)[0]) for x in summaries if "refused " in x)
    reset = sum(int(x.split("reset ", 1)[1].split(" ", 1)[0]) for x in summaries if "reset " in x)
    assert refused + reset == 600, (summaries, failed)


def test_the_canned_websocket_refusal_is_a_valid_handshake_and_close_frame():
    from flashmob.conductor.gate import refusal_1013, refusal_503

    data = refusal_1013("dGhlIHNhbXBsZSBub25jZQ==")  # RFC 6455, section 1.3
    head, _, frame = data.partition(b"\r\n\r\n")
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head
    assert frame[0] == 0x88 and frame[1] == len(frame) - 2 and int.from_bytes(frame[2:4], "big") == 1013
    assert refusal_503(7).startswith(b"HTTP/1.1 503 ") and b"Retry-After: 7\r\n" in refusal_503(7)


def test_a_client_that_stops_reading_is_reset_after_the_write_stall_deadline(live_server, tmp_path):
    from conductor_testkit import write_bundle

    bundle = write_bundle(tmp_path / "big")
    big = os.urandom(8 * 2**20)  # far more than the socket buffers hold
    (bundle / "red" / "show.mp3").write_bytes(big)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["groups"][0]["mp3"].update(bytes=len(big), sha256=hashlib.sha256(big).hexdigest())
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    server = live_server(bundle=bundle, limits=Limits(write_stall_s=1.0))
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind((ATTACKER, 0))
    s.connect(("127.0.0.1", server.port))
    rev = server.conductor.bundle.revision
    s.sendall(f"GET /bundle/{rev}/red/show.mp3 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    time.sleep(2.2)  # never reads: the server's buffers fill, then it waits for 1 s
    s.settimeout(5)
    got, how = 0, "complete"
    try:
        while got < len(big) + 100:
            data = s.recv(1 << 20)
            if not data:
                how = "eof"
                break
            got += len(data)
    except socket.timeout:
        how = "timeout"
    except ConnectionResetError:
        how = "reset"
    s.close()
    assert how == "reset" and got < len(big), (how, got)  # cut by a reset (before the fix: "complete")
