"""Where HTTP/1.1 requests begin and end in a byte stream, sans-I/O.

:class:`HeadScanner` is fed what a client sends and reports request
boundaries, so the connection gate (``conductor/gate.py``) can enforce the
header deadline and answer refused sockets without an HTTP library.  It is not
a parser: h11 (or httptools) still parses everything; the scanner only finds
the blank line that ends a head, reads ``Content-Length`` to skip a body, and
notices a websocket upgrade (after which it stops: frames are not HTTP).

Events (returned by :meth:`HeadScanner.feed`):

* ``("start",)``: the first byte of a request;
* ``("complete", headers)``: the head and the body it announced are in
  (``headers``: lower-cased names -> last value);
* ``("upgrade", headers)``: a complete websocket upgrade head;
* ``("opaque", headers)``: a body the scanner cannot delimit
  (``Transfer-Encoding`` or a bad ``Content-Length``); it stops there, so that
  request's deadline is never met: the conductor's routes take no bodies.
"""

from __future__ import annotations

MAX_HEAD = 64 * 1024
"""Beyond this a head is not looked at any more (h11 refuses it long before)."""


def parse_headers(head: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in head.split(b"\r\n")[1:]:
        name, sep, value = line.partition(b":")
        if sep:
            out[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return out


def is_upgrade(headers: dict[str, str]) -> bool:
    connection = {t.strip().lower() for t in headers.get("connection", "").split(",")}
    return "upgrade" in connection and headers.get("upgrade", "").lower() == "websocket"


class HeadScanner:
    def __init__(self) -> None:
        self.state = "idle"  # idle | head | body | done
        self.buf = bytearray()
        self.body_left = 0

    def feed(self, data: bytes) -> list[tuple]:
        events: list[tuple] = []
        view = memoryview(data)
        while view and self.state != "done":
            if self.state == "idle":
                if view[0] in (0x0D, 0x0A):  # empty lines before a request are allowed
                    view = view[1:]
                    continue
                self.state = "head"
                events.append(("start",))
            if self.state == "head":
                before = len(self.buf)
                self.buf += view
                at = self.buf.find(b"\r\n\r\n", max(0, before - 3))
                if at < 0:
                    if len(self.buf) > MAX_HEAD:
                        self.state = "done"
                        self.buf = bytearray()
                    return events
                head = bytes(self.buf[:at])
                view = view[at + 4 - before:]
                self.buf = bytearray()
                headers = parse_headers(head)
                if is_upgrade(headers):
                    self.state = "done"
                    events.append(("upgrade", headers))
                    return events
                if "transfer-encoding" in headers:
                    self.state = "done"
                    events.append(("opaque", headers))
                    return events
                try:
                    length = int(headers.get("content-length", "0"))
                except ValueError:
                    length = -1
                if length < 0:
                    self.state = "done"
                    events.append(("opaque", headers))
                    return events
                if length == 0:
                    self.state = "idle"
                    events.append(("complete", headers))
                else:
                    self.state = "body"
                    self.body_left = length
                    self._headers = headers
                continue
            if self.state == "body":
                take = min(len(view), self.body_left)
                self.body_left -= take
                view = view[take:]
                if self.body_left == 0:
                    self.state = "idle"
                    events.append(("complete", self._headers))
        return events
