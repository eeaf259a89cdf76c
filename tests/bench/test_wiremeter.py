"""bench/engines/wiremeter.py: responses parsed off the wire, as a gate feeds them (any chunking)."""

from __future__ import annotations

import random

from bench.engines.wiremeter import WireMeter

REQS = (b"GET /bundle/r1/red.mp3 HTTP/1.1\r\nHost: x\r\nRange: bytes=0-\r\n\r\n"
        b"POST /api/x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        b"GET /js/app.js HTTP/1.1\r\n\r\n"
        b"GET /sw.js HTTP/1.1\r\n\r\n")
MP3 = b"\xff\xfb" * 5000
RESP = (b"HTTP/1.1 206 Partial Content\r\nContent-Type: audio/mpeg\r\nContent-Length: 10000\r\n\r\n" + MP3
        + b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        + b"HTTP/1.1 200 OK\r\nContent-Type: text/javascript; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"5\r\nabcde\r\n3\r\nfgh\r\n0\r\n\r\n"
        + b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n")


def chunks(data: bytes, rnd: random.Random):
    i = 0
    while i < len(data):
        n = rnd.randint(1, 700)
        yield data[i:i + n]
        i += n


def test_responses_by_type_and_path_whatever_the_chunking():
    for seed in range(20):
        rnd = random.Random(seed)
        m = WireMeter()
        for c in chunks(REQS, rnd):
            m.feed(1, True, c)
        for c in chunks(RESP, rnd):
            m.feed(1, False, c)
        m.closed(1)
        r = m.report()
        assert r["responses"] == 4
        assert r["statuses"] == [200, 206, 304]
        mp3_head = RESP.index(MP3)
        assert r["by_type"]["audio/mpeg"] == mp3_head + len(MP3)
        assert r["by_path"]["/bundle/r1/red.mp3"] == mp3_head + len(MP3)
        assert [x.body_bytes for x in m.responses] == [10000, 2, 8, 0]
        assert r["http_bytes"] == len(RESP)


def test_websockets_are_counted_each_way_and_mark_separates_visits():
    m = WireMeter()
    m.feed(1, True, b"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
    m.feed(1, False, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + b"\x81\x02{}")
    m.feed(1, True, b"\x81\x82abcd12")
    up, down = m.ws_bytes()
    assert up == 61 + 8 and down == 56 + 4
    m.feed(2, True, b"GET /a HTTP/1.1\r\n\r\n")
    m.feed(2, False, b"HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nContent-Length: 3\r\n\r\nabc")
    mark = m.mark()
    m.feed(2, True, b"GET /b HTTP/1.1\r\n\r\n")
    m.feed(2, False, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\nuntil the close")
    assert m.report(since=mark)["responses"] == 0  # not complete before the close
    m.closed(2)
    m.closed(1)
    assert m.ws_bytes() == (up, down)
    later = m.report(since=mark)
    assert later["responses"] == 1 and "audio/mpeg" not in later["by_type"]
    assert later["by_type"]["text/html"] == len(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\nuntil the close")
