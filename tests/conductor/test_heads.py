"""HeadScanner: request boundaries in a byte stream, fed in any split."""

from __future__ import annotations

import pytest

from flashmob.conductor.heads import HeadScanner

GET = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
POST = b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
UPGRADE = (b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\nUpgrade: WebSocket\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


def kinds(events):
    return [e[0] for e in events]


def feed_split(data: bytes, size: int):
    s = HeadScanner()
    out = []
    for i in range(0, len(data), size):
        out += s.feed(data[i:i + size])
    return s, out


@pytest.mark.parametrize("size", [1, 2, 3, 5, 1000])
def test_pipelined_requests_in_any_split(size):
    _, events = feed_split(GET + POST + b"\r\n" + GET, size)
    assert kinds(events) == ["start", "complete", "start", "complete", "start", "complete"]
    assert events[1][1]["host"] == "x"


@pytest.mark.parametrize("size", [1, 7, 1000])
def test_upgrade_stops_the_scanner(size):
    s, events = feed_split(UPGRADE + b"\x81\x85\r\n\r\n\r\n", size)
    assert kinds(events) == ["start", "upgrade"]
    assert events[1][1]["sec-websocket-key"] == "dGhlIHNhbXBsZSBub25jZQ=="
    assert s.state == "done"


def test_a_half_sent_head_is_started_but_never_complete():
    s = HeadScanner()
    assert kinds(s.feed(b"GET / HTTP/1.1\r\nX-a: 1\r\n")) == ["start"]
    assert s.feed(b"X-b: 2\r\n") == []
    assert s.state == "head"


def test_a_half_sent_body_is_not_complete():
    s = HeadScanner()
    assert kinds(s.feed(POST[:-2])) == ["start"]
    assert kinds(s.feed(POST[-2:])) == ["complete"]


@pytest.mark.parametrize("extra", [b"Transfer-Encoding: chunked\r\n", b"Content-Length: -3\r\n",
                                   b"Content-Length: lots\r\n"])
def test_undelimited_bodies_are_opaque(extra):
    s = HeadScanner()
    events = s.feed(b"POST / HTTP/1.1\r\n" + extra + b"\r\n0\r\n\r\n")
    assert kinds(events) == ["start", "opaque"]
    assert s.state == "done"


def test_an_endless_head_stops_being_buffered():
    s = HeadScanner()
    s.feed(b"GET / HTTP/1.1\r\n")
    for _ in range(70):
        s.feed(b"X: " + b"a" * 1021 + b"\r\n")
    assert s.state == "done" and not s.buf
