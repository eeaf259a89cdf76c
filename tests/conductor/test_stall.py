"""A phone that stops reading never delays the others (real sockets, real uvicorn).

The stalled client is a raw websocket client with a small receive buffer
that says hello and then never reads again; once the kernel buffers are full the
server's send to it blocks.  Broadcasts keep reaching the healthy phones at
full speed, and the stalled phone's outbox overflows and is dropped."""

import base64
import os
import socket
import time

FRAMES = 500
FRAME = '{"type":"announcement","id":0,"level":"info","text":"' + "x" * 40_000 + '","group":null,"sent_at_us":0}'


def stalled_phone(port):
    """Handshake, send hello (a masked frame), then never read."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)  # no autotuned 30 MB buffer to hide in
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert b" 101 " in head
    payload, mask = b'{"type":"hello"}', os.urandom(4)
    sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
    return sock


def test_stalled_phone_does_not_delay_broadcasts(live_server):
    srv = live_server()
    stalled = stalled_phone(srv.port)
    healthy = [srv.phone()[0] for _ in range(2)]
    deadline = time.monotonic() + 5
    while srv.conductor.hub.count("participants") < 3:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    loop = srv.server.servers[0].get_loop()
    hub = srv.conductor.hub
    t0 = time.monotonic()
    for _ in range(FRAMES):  # ~20 MB per phone, published from the event loop as the service does
        loop.call_soon_threadsafe(hub.publish, "participants", FRAME)
        time.sleep(0.003)  # a broadcast every 3 ms: a storm, but not 300 in one loop iteration
    for phone in healthy:
        got = 0
        while got < FRAMES:
            got += phone.conn.recv(timeout=30) == FRAME
    elapsed = time.monotonic() - t0
    assert hub.dropped == 1, "the stalled phone's outbox should have overflowed"
    assert hub.count("participants") == 2
    assert elapsed < 20, elapsed
    stalled.close()
    print(f"\n{FRAMES} broadcasts of 40 kB to 2 phones with a stalled third: {elapsed:.2f} s")
