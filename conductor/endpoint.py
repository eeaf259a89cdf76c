"""The websocket shell: one raw ASGI endpoint per socket path, frames in, effects out.

:class:`SocketEndpoint` is an ASGI application mounted with Starlette's
``WebSocketRoute`` (``/ws`` and ``/ws/console``, :mod:`conductor.app`): it
speaks the ASGI websocket messages itself (``websocket.connect`` ->
``websocket.accept``, ``websocket.receive``, ``websocket.send``,
``websocket.close``), without Starlette's ``WebSocket`` wrapper, because every
inbound frame of every phone passes here (docs/benchmarks.md, issue 14).  Per
connection:

* a session (:mod:`conductor.session`) is fed each frame with its receive
  stamp ``t1`` and returns effects, which the :class:`~conductor.runtime.Runtime`
  executes; the first-frame deadline is the session's (``deadline_us``), the
  endpoint only waits;
* ``t1`` is the server time at which the frame's last bytes were read from the
  socket when the server runs behind the connection gate and not behind a
  reverse proxy (with forwarded headers the ASGI client is not the socket's
  peer; then ``arrival`` is None) (``arrival``: the
  gate's :meth:`~conductor.gate.Gate.reader` of the peer, whose ``read_at`` is
  the ``time.monotonic()`` of its latest read), else the time the frame reached
  this endpoint.  Either way it is never earlier than the frame's arrival and
  never later than the endpoint's own reading;
* outbound frames go through the connection's bounded
  :class:`~conductor.hub.Outbox`; a lone sync reply is sent from the reader's
  task when the outbox is idle (:meth:`~conductor.hub.Outbox.send_now`): the
  hot path has no task switch and renders ``t2`` just before the send.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from time import monotonic
from typing import Any

from .hub import Outbox
from .sync import PendingReply

log = logging.getLogger("flashmob.conductor.app")

Arrival = Callable[[Any], Any]
"""``arrival(client) -> reader | None``: the object whose ``read_at`` (``time.monotonic()``)
is the time of the latest read of the socket of ASGI ``client``."""


class SocketEndpoint:
    """``make(cid, opened_us, scope)`` builds the session of a new connection."""

    def __init__(self, conductor, now_us: Callable[[], int], make: Callable[[int, int, dict], Any],
                 ids: itertools.count, *, outbox_size: int, arrival: Callable[[], Arrival | None] = lambda: None,
                 flush: bool = False):
        self.conductor = conductor
        self.now_us = now_us
        self.make = make
        self.ids = ids
        self.outbox_size = outbox_size
        self.arrival = arrival
        self.flush = flush  # send this socket's replies from its reader (the console: Outbox.flush_now)

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "websocket":  # pragma: no cover - WebSocketRoute routes websockets only
            return
        first = await receive()
        if first["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        now_us = self.now_us
        conductor = self.conductor
        flush = self.flush

        async def send_text(text: str) -> None:
            await send({"type": "websocket.send", "text": text})

        async def close(code: int, reason: str) -> None:
            await send({"type": "websocket.close", "code": code, "reason": reason[:120]})

        outbox = Outbox(send_text, close, now_us, maxsize=self.outbox_size)
        writer = asyncio.create_task(outbox.run())
        cid = next(self.ids)
        session = self.make(cid, now_us(), scope)
        find = self.arrival()
        reader = find(scope.get("client")) if find is not None else None
        conductor.register(cid, outbox)
        try:
            while not session.closed and not outbox.closing:
                deadline = session.deadline_us
                try:
                    if deadline is None:
                        event = await receive()
                    else:
                        event = await asyncio.wait_for(receive(), max(0.0, (deadline - now_us()) / 1e6))
                except asyncio.TimeoutError:
                    conductor.execute(session.expired(now_us()), cid, outbox)
                    break
                t1 = now_us()  # receive stamp, before any parsing ...
                if reader is not None:  # ... moved back to the socket read that completed the frame
                    t1 -= max(0, int((monotonic() - reader.read_at) * 1e6))
                if event["type"] != "websocket.receive":
                    break  # websocket.disconnect
                frame = event.get("text")
                if frame is None:
                    frame = event.get("bytes")
                out = session.handle(frame, t1)
                if len(out) == 1 and type(out[0]) is PendingReply:  # the hot path: one sync reply
                    await outbox.send_now(out[0])
                elif out:
                    conductor.execute(out, cid, outbox)
                    if flush:
                        await outbox.flush_now()
        except Exception as exc:  # a transport error: the connection is over, the server is not
            log.debug("socket %d ended: %r", cid, exc)
        finally:
            conductor.unregister(cid)
            conductor.execute(session.disconnected(now_us()))
            outbox.close()
            try:
                await asyncio.wait_for(writer, 2.0)
            except (asyncio.TimeoutError, Exception):
                writer.cancel()
