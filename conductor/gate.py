"""The connection gate: :mod:`conductor.connlimits` applied to uvicorn's sockets.

uvicorn builds one protocol object per accepted socket through
``Config.http``; :class:`Gate` is such a factory.  Each socket gets a
:class:`GatedProtocol` that sits between the transport and uvicorn's own
protocol (h11 or httptools, then its websocket protocol after an upgrade):

* at ``connection_made`` the limiter admits, refuses or resets the socket
  (and may name stalled sockets of the same address to evict: they are reset);
  an admitted one is handed to the inner protocol with its first byte (an
  idle socket never costs HTTP state; nothing is buffered);
* every byte the client sends goes through a :class:`~conductor.heads.HeadScanner`
  until a websocket upgrade, so the header deadline is enforced for each
  request (a slowloris client is closed at its deadline, whatever it sends);
* a refused socket never reaches uvicorn or the app: once its head is in (or
  after ``refusal_grace_s``) it gets a canned ``503`` with ``Retry-After``,
  or, for a websocket upgrade, a handshake followed at once by a close frame
  ``1013`` (try again later), then a half-close and, soon after, a close;
* a client whose send buffer stays full for ``write_stall_s`` (it stopped
  reading) is reset: ``close()`` would wait for the buffer to drain forever;
* a summary of refusals and timeouts is logged at most once per interval.

The inner protocol sees a :class:`_TransportProxy`: ``set_protocol`` (the
websocket upgrade) swaps the protocol behind the gate instead of the real
one's, so the gate keeps seeing every byte and the socket's end.  Nothing here
depends on which HTTP implementation uvicorn uses.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import logging
import socket
import struct
from collections.abc import Callable
from time import monotonic

from .heads import HeadScanner
from .connlimits import ConnectionLimiter, Limits, Verdict

log = logging.getLogger("flashmob.conductor.limits")

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CLOSE_TRY_AGAIN = 1013
BUSY = "server busy: retry later"


def refusal_503(retry_after_s: int) -> bytes:
    body = b"The conductor is at its connection limit: retry in a few seconds.\n"
    return (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Retry-After: %d\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
            % (retry_after_s, len(body)) + body)


def refusal_1013(key: str) -> bytes:
    """A websocket handshake answer (no extension, no subprotocol) and a close frame 1013."""
    accept = base64.b64encode(hashlib.sha1(key.encode("latin-1") + WS_GUID).digest())
    reason = BUSY.encode()
    frame = b"\x88" + bytes([2 + len(reason)]) + struct.pack("!H", CLOSE_TRY_AGAIN) + reason
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n" + frame)


def reset(transport: asyncio.BaseTransport) -> None:
    """Close at once with a TCP reset: nothing unsent is kept in the kernel."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()


class _TransportProxy:
    """The transport as the inner protocols see it (see the module docstring)."""

    def __init__(self, transport: asyncio.Transport, owner: GatedProtocol) -> None:
        self._transport = transport
        self._owner = owner
        self.write = transport.write
        self.writelines = transport.writelines
        self.is_closing = transport.is_closing
        self.get_extra_info = transport.get_extra_info
        self.pause_reading = transport.pause_reading
        self.resume_reading = transport.resume_reading

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._owner.inner = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._owner.inner

    def close(self) -> None:
        self._transport.close()

    def abort(self) -> None:
        self._transport.abort()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class GatedProtocol(asyncio.Protocol):
    def __init__(self, gate: Gate, inner_factory: Callable[[], asyncio.Protocol]) -> None:
        self.gate = gate
        self.cid = next(gate.ids)
        self.inner_factory = inner_factory
        self.inner: asyncio.BaseProtocol | None = None
        self.transport: asyncio.Transport | None = None
        self.scanner: HeadScanner | None = HeadScanner()
        self.timer: asyncio.TimerHandle | None = None
        self.stall_timer: asyncio.TimerHandle | None = None
        self.refusing = False
        self.answered = False
        self.counted = False
        self.peer = None
        self.read_at = 0.0  # time.monotonic() of the latest read (Gate.reader: the app's receive stamps)

    # -- timers -------------------------------------------------------------------------

    def _arm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        at = self.gate.limiter.deadline(self.cid)
        if at is not None:
            self.timer = self.gate.loop.call_at(at, self._on_deadline)

    def _on_deadline(self) -> None:
        self.timer = None
        limiter = self.gate.limiter
        now = self.gate.loop.time()
        if not limiter.expired(self.cid, now):
            self._arm()
            return
        if self.refusing and not self.answered:
            self._answer(refusal_503(limiter.limits.retry_after_s))
            return
        self.transport.abort() if self.refusing else self.transport.close()

    # -- protocol -----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        gate = self.gate
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        host = peer[0] if isinstance(peer, tuple) and peer else None
        gate.start()
        admission = gate.limiter.opened(self.cid, host, gate.loop.time())
        verdict = admission.verdict
        if verdict is Verdict.RESET:
            self.scanner = None
            reset(transport)
            return
        for old in admission.evict:
            stalled = gate.protocols.get(old)
            if stalled is not None and stalled.transport is not None:
                reset(stalled.transport)
        self.counted = True
        gate.protocols[self.cid] = self
        if isinstance(peer, tuple):
            self.peer = tuple(peer[:2])
            gate.readers[self.peer] = self
        if verdict is Verdict.REFUSE:
            self.refusing = True
            self._arm()
            return
        self._arm()  # the inner protocol is made at the first byte: an idle socket costs no HTTP state

    def _answer(self, data: bytes) -> None:
        self.answered = True
        self.scanner = None
        t = self.transport
        t.write(data)
        if t.can_write_eof():
            t.write_eof()
            self.gate.limiter.answered(self.cid, self.gate.loop.time())
            self._arm()
        else:
            t.close()

    def data_received(self, data: bytes) -> None:
        self.read_at = monotonic()  # not loop.time(): uvloop's is the poll's, to the millisecond
        if self.scanner is not None:
            limiter = self.gate.limiter
            for event in self.scanner.feed(data):
                kind = event[0]
                now = self.gate.loop.time()
                if self.refusing:
                    if kind == "upgrade" and event[1].get("sec-websocket-key"):
                        self._answer(refusal_1013(event[1]["sec-websocket-key"]))
                    elif kind != "start":
                        self._answer(refusal_503(limiter.limits.retry_after_s))
                    if self.answered:
                        return
                    continue
                if kind == "start":
                    limiter.request_started(self.cid, now)
                elif kind == "complete":
                    limiter.request_complete(self.cid, now)
                elif kind == "upgrade":
                    limiter.upgraded(self.cid, now)
                self._arm()
            if self.scanner.state == "done":
                self.scanner = None
        if self.inner is None and not self.refusing and self.counted:
            self.inner = self.inner_factory()
            self.inner.connection_made(_TransportProxy(self.transport, self))  # type: ignore[arg-type]
        if self.inner is not None:
            self.inner.data_received(data)  # type: ignore[attr-defined]

    def eof_received(self) -> bool | None:
        if self.inner is not None:
            return self.inner.eof_received()  # type: ignore[attr-defined]
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.stall_timer is not None:
            self.stall_timer.cancel()
            self.stall_timer = None
        if self.counted:
            self.counted = False
            self.gate.protocols.pop(self.cid, None)
            if self.peer is not None and self.gate.readers.get(self.peer) is self:
                del self.gate.readers[self.peer]
            self.gate.limiter.closed(self.cid, self.gate.loop.time())
        if self.inner is not None:
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self.stall_timer is None and self.gate.loop is not None:
            self.stall_timer = self.gate.loop.call_later(self.gate.limits.write_stall_s, self._write_stalled)
        if self.inner is not None:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.stall_timer is not None:
            self.stall_timer.cancel()
            self.stall_timer = None
        if self.inner is not None:
            self.inner.resume_writing()

    def _write_stalled(self) -> None:
        self.stall_timer = None
        self.gate.limiter.write_stalled(self.cid, self.gate.loop.time())
        reset(self.transport)  # close() would wait for the buffer to drain: forever


class Gate:
    """A uvicorn ``Config(http=...)`` factory applying ``limits`` to every socket.

    ``inner`` is the HTTP protocol class uvicorn would use otherwise (default:
    its ``auto`` choice).  ``limiter`` is readable for counts (tests, console).
    """

    def __init__(self, limits: Limits, inner: type | str = "auto") -> None:
        self.limits = limits
        self.limiter = ConnectionLimiter(limits)
        if isinstance(inner, str):
            from uvicorn.config import HTTP_PROTOCOLS
            from uvicorn.importer import import_from_string

            inner = import_from_string(HTTP_PROTOCOLS.get(inner, inner))
        self.inner = inner
        self.ids = itertools.count(1)
        self.protocols: dict[int, GatedProtocol] = {}
        self.readers: dict[tuple, GatedProtocol] = {}  # by peer address (host, port)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._ticker: asyncio.TimerHandle | None = None

    def reader(self, client) -> GatedProtocol | None:
        """The protocol of the socket whose peer is ASGI ``client`` ``(host, port)``; its
        ``read_at`` is the ``time.monotonic()`` of the socket's latest read (None: not ours, or the
        address was rewritten from forwarded headers)."""
        if not client:
            return None
        return self.readers.get((client[0], client[1]))

    def __call__(self, **kwargs) -> GatedProtocol:
        return GatedProtocol(self, lambda: self.inner(**kwargs))

    def start(self) -> None:
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            self._tick()

    def _tick(self) -> None:
        line = self.limiter.summary(self.loop.time())
        if line:
            log.warning(line)
        self._ticker = self.loop.call_later(min(1.0, self.limits.log_interval_s), self._tick)


ACCEPT_BATCH = 64
"""Sockets asyncio accepts in one go before any protocol code runs (uvicorn
passes ``Config.backlog`` as this batch *and* as the listen backlog); the
file-descriptor budget keeps room for a few batches (``limits.capacity_for_fds``)."""
LISTEN_BACKLOG = 2048
"""The kernel's queue of connections not yet accepted (a reconnect storm)."""


WS_IMPL = "websockets-sansio"
"""uvicorn's websocket implementation, chosen by measurement (docs/benchmarks.md, issue 14:
with uvloop it beat ``websockets`` and ``wsproto`` on CPU, tail latency and join rate).
The event loop and the HTTP parser are uvicorn's ``auto`` choices, which are uvloop and
httptools with ``uvicorn[standard]`` (a dependency) where they install."""


def uvicorn_config(app, limits: Limits, **kw):
    """The ``uvicorn.Config`` every conductor runs with (``serve`` and the
    tests): the gate as its HTTP protocol factory, plus uvicorn's own timers:
    keep-alive between requests, a 16 KiB head limit (h11 answers 400 beyond),
    websocket pings (a dead phone's socket is noticed within ~40 s).
    uvicorn's ``limit_concurrency`` is not used: it answers 503 only once a
    request is parsed and counts websockets as running tasks."""
    import uvicorn

    from .app import WS_MAX_SIZE

    gate = Gate(limits)
    kw.setdefault("ws", WS_IMPL)
    kw.setdefault("ws_max_size", WS_MAX_SIZE)
    kw.setdefault("timeout_keep_alive", 5)
    kw.setdefault("h11_max_incomplete_event_size", 16 * 1024)
    kw.setdefault("ws_ping_interval", 20.0)
    kw.setdefault("ws_ping_timeout", 20.0)
    kw.setdefault("lifespan", "on")
    kw.setdefault("proxy_headers", False)  # as `flashmob serve` without --forwarded-allow-ips
    return uvicorn.Config(app, http=gate, backlog=ACCEPT_BATCH, **kw), gate


def conductor_server(app, limits: Limits, **kw):
    """``(server, gate)``: a uvicorn server for ``app`` behind the gate; run it
    with ``server.run(sockets=[sock])``."""
    import uvicorn

    class GatedServer(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            for sock in sockets or ():  # asyncio re-listened with the accept batch: restore the queue
                sock.listen(LISTEN_BACKLOG)

    config, gate = uvicorn_config(app, limits, **kw)
    state = getattr(app, "state", None)
    if state is not None:  # conductor/endpoint.py: receive stamps at the socket read; not behind a proxy,
        # whose forwarded client address is not the socket's (and may name another socket)
        state.arrival = None if config.proxy_headers else gate.reader
    return GatedServer(config), gate
