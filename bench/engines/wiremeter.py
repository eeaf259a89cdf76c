"""What a phone's connections carried, measured on the wire (in its :class:`~bench.engines.gate.Gate`).

Each TCP connection through a gate is fed here both ways, as the bytes pass. A
connection whose first request upgrades to a websocket is counted as such (bytes
each way, frames not parsed). Any other is HTTP/1.1: the browser's requests and
the server's responses are parsed in order (browsers do not pipeline, so the n-th
response answers the n-th request), and every response is recorded with its
request's method and path, its status, its Content-Type and the bytes it took on
the wire (header + body; a body by Content-Length, chunked, or until the close).

``WireMeter.report()`` sums them: what a page downloaded (by type and by path),
what its websockets cost, and each response; ``since(mark)`` only what came
after a ``mark()`` (a second visit). Loopback tests only; nothing here touches a
socket.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Response:
    method: str
    path: str
    status: int
    content_type: str
    wire_bytes: int  # header + body as sent
    body_bytes: int
    seq: int  # global order of completion (for mark()/since())


@dataclass
class _Conn:
    ws: bool | None = None  # None until the first request is seen
    up: bytearray = field(default_factory=bytearray)
    down: bytearray = field(default_factory=bytearray)
    requests: list = field(default_factory=list)  # (method, path) waiting for their response
    resp: dict | None = None  # the response being read: header fields, bytes left
    ws_up: int = 0
    ws_down: int = 0


def _headers(block: bytes) -> tuple[str, dict[str, str]]:
    lines = block.decode("latin-1").split("\r\n")
    fields = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        fields[k.strip().lower()] = v.strip()
    return lines[0], fields


class WireMeter:
    """Thread-safe accounting of every connection of one gate."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conns: dict[int, _Conn] = {}
        self.responses: list[Response] = []
        self._seq = 0
        self._ws_closed = [0, 0]  # up, down of websockets already closed

    # -- feeding ----------------------------------------------------------------------
    def feed(self, conn_id: int, from_browser: bool, data: bytes) -> None:
        with self._lock:
            c = self._conns.setdefault(conn_id, _Conn())
            if from_browser:
                if c.ws is None:
                    c.ws = b"upgrade: websocket" in bytes(data[:4096]).lower()
                if c.ws:
                    c.ws_up += len(data)
                    return
                c.up += data
                self._parse_requests(c)
            else:
                if c.ws:
                    c.ws_down += len(data)
                    return
                c.down += data
                self._parse_responses(c, eof=False)

    def closed(self, conn_id: int) -> None:
        """The connection ended: a response read until the close is complete."""
        with self._lock:
            c = self._conns.pop(conn_id, None)
            if c is None:
                return
            if c.ws:
                self._ws_closed[0] += c.ws_up
                self._ws_closed[1] += c.ws_down
            else:
                self._parse_responses(c, eof=True)

    def _parse_requests(self, c: _Conn) -> None:
        while (end := c.up.find(b"\r\n\r\n")) >= 0:
            start, fields = _headers(bytes(c.up[:end]))
            n = int(fields.get("content-length", "0") or 0)
            if len(c.up) < end + 4 + n:
                return
            del c.up[: end + 4 + n]
            method, _, rest = start.partition(" ")
            c.requests.append((method, rest.rpartition(" ")[0] or rest))

    def _parse_responses(self, c: _Conn, *, eof: bool) -> None:
        while True:
            if c.resp is None:
                end = c.down.find(b"\r\n\r\n")
                if end < 0:
                    return
                start, fields = _headers(bytes(c.down[:end]))
                del c.down[: end + 4]
                status = int(start.split(" ")[1]) if start.startswith("HTTP/") else 0
                method, path = c.requests.pop(0) if c.requests else ("?", "?")
                if status == 101:
                    c.ws = True
                c.resp = {"method": method, "path": path, "status": status, "type": fields.get("content-type", ""),
                          "wire": end + 4, "body": 0, "chunked": "chunked" in fields.get("transfer-encoding", ""),
                          "left": None}
                if method == "HEAD" or status in (101, 204, 304) or 100 <= status < 200:
                    c.resp["left"] = 0
                elif "content-length" in fields:
                    c.resp["left"] = int(fields["content-length"])
            r = c.resp
            if c.ws:
                self._done(r)
                c.resp = None
                c.ws_down += len(c.down)
                c.down.clear()
                return
            if r["chunked"]:
                # chunk: size line, data, CRLF; the last chunk is size 0 (+ trailers, assumed none)
                nl = c.down.find(b"\r\n")
                if nl < 0:
                    return
                size = int(bytes(c.down[:nl]).split(b";")[0] or b"0", 16)
                need = nl + 2 + size + 2
                if len(c.down) < need:
                    return
                del c.down[:need]
                r["wire"] += need
                r["body"] += size
                if size == 0:
                    self._done(r)
                    c.resp = None
                continue
            if r["left"] is None:  # until the close
                r["wire"] += len(c.down)
                r["body"] += len(c.down)
                c.down.clear()
                if eof:
                    self._done(r)
                    c.resp = None
                return
            take = min(r["left"], len(c.down))
            del c.down[:take]
            r["wire"] += take
            r["body"] += take
            r["left"] -= take
            if r["left"] > 0:
                return
            self._done(r)
            c.resp = None

    def _done(self, r: dict) -> None:
        self._seq += 1
        self.responses.append(Response(r["method"], r["path"], r["status"], r["type"].split(";")[0].strip(),
                                       r["wire"], r["body"], self._seq))

    # -- reading ----------------------------------------------------------------------
    def mark(self) -> int:
        """A point in the record: ``report(since=mark)`` counts only what completed after it."""
        with self._lock:
            return self._seq

    def ws_bytes(self) -> tuple[int, int]:
        """Websocket bytes (browser -> server, server -> browser), closed and open connections."""
        with self._lock:
            up = self._ws_closed[0] + sum(c.ws_up for c in self._conns.values() if c.ws)
            down = self._ws_closed[1] + sum(c.ws_down for c in self._conns.values() if c.ws)
            return up, down

    def report(self, since: int = 0) -> dict:
        """HTTP downloads after ``since`` by Content-Type and by path (wire bytes), and their count."""
        with self._lock:
            rs = [r for r in self.responses if r.seq > since]
        by_type: dict[str, int] = {}
        by_path: dict[str, int] = {}
        for r in rs:
            by_type[r.content_type] = by_type.get(r.content_type, 0) + r.wire_bytes
            by_path[r.path] = by_path.get(r.path, 0) + r.wire_bytes
        return {"responses": len(rs), "http_bytes": sum(r.wire_bytes for r in rs), "by_type": by_type,
                "by_path": by_path, "statuses": sorted({r.status for r in rs})}
