"""bench.engines.gate: the one-way hold of what the server sends (a real loopback TCP server)."""

from __future__ import annotations

import socket
import threading
import time

from bench.engines.gate import Gate


def _server():
    """A loopback server that answers every chunk it receives with b"reply:" + the chunk."""
    srv = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=_answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return srv


def _answer(conn):
    with conn:
        while data := conn.recv(65536):
            conn.sendall(b"reply:" + data)


def _roundtrip(sock, payload):
    t0 = time.monotonic()
    sock.sendall(payload)
    want = b"reply:" + payload
    got = b""
    while len(got) < len(want):
        got += sock.recv(65536)
    return got, time.monotonic() - t0


def test_hold_from_server_delays_only_connections_opened_with_the_pattern_in_order_until_release():
    srv = _server()
    with Gate(srv.getsockname()[1]) as gate:
        gate.hold(b"GET /ws", 0.3, from_server=True)
        ws = socket.create_connection(("127.0.0.1", gate.port))
        other = socket.create_connection(("127.0.0.1", gate.port))
        got, dt = _roundtrip(ws, b"GET /ws HTTP/1.1\r\n\r\n")
        assert got == b"reply:GET /ws HTTP/1.1\r\n\r\n" and dt >= 0.3
        # a delay line: three replies in quick succession each arrive 0.3 s late, not 0.3 s apart
        t0 = time.monotonic()
        for i in range(3):
            ws.sendall(b"m%d;" % i)
            time.sleep(0.02)
        want = b"reply:m0;reply:m1;reply:m2;"
        got = b""
        while len(got) < len(want):
            got += ws.recv(65536)
        assert got == want, "in order"
        assert 0.3 <= time.monotonic() - t0 < 0.55
        _, dt = _roundtrip(other, b"GET /api/info HTTP/1.1\r\n\r\n")
        assert dt < 0.1, "another connection is not held"
        gate.release()
        _, dt = _roundtrip(ws, b"after")
        assert dt < 0.1, "released: prompt again"
        ws.close()
        other.close()
    srv.close()
