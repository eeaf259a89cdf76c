"""Fan-out: per-client bounded send queues behind a small publish interface.

Contract
--------
* Every connected socket has one :class:`Outbox`: a bounded queue drained by
  one writer task.  Pushing never awaits.  A client that does not read (a
  stalled phone) fills only its own queue; when it overflows, the outbox drops
  what it held, stops, and reports it (the socket will be closed with 1013
  "reconnect" if it can still be written to).  Nobody else waits for it.
* Queue items are text frames, or objects with ``render(now) -> str`` rendered
  by the writer just before the send — a sync reply stamps ``t2`` there, as
  late as possible.
* :meth:`Outbox.send_now` is the hot path of the connection's own reader (a
  sync reply): when nothing is queued and the writer is not sending, the item
  is rendered and sent from the reader's task (no task switch), else queued
  behind what is there; frames leave in the order they were handed over either way.
* :class:`Hub` is the interface the runtime publishes through (the core's
  :class:`~conductor.effects.Publish` effects, :mod:`conductor.runtime`): ``attach`` a
  client's outbox under topics, ``publish(topic, text)`` to all of them.  A
  broadcast serializes once and does ``len(subscribers)`` non-blocking pushes.
  :class:`LocalHub` is the implementation, also with several conductor
  processes (``--redis``): each fans out to its own sockets only; what other
  nodes change reaches it as a record it reads from Redis and broadcasts
  itself (:mod:`conductor.redisfollow`), never as frames relayed through Redis.

Topics used by the core: ``participants``, ``group:<id>``, ``consoles``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from .effects import Close

log = logging.getLogger("flashmob.conductor.hub")

Send = Callable[[str], Awaitable[None]]
CloseFn = Callable[[int, str], Awaitable[None]]


class Renderable(Protocol):
    def render(self, now: Callable[[], int]) -> str: ...


Item = str | Renderable



class Outbox:
    """A bounded send queue and its writer loop (:meth:`run`, one task)."""

    def __init__(self, send: Send, close: CloseFn, now: Callable[[], int], *, maxsize: int = 256) -> None:
        self._send = send
        self._close_fn = close
        self._now = now
        self.maxsize = maxsize
        self._items: deque[Item | Close] = deque()
        self._wake = asyncio.Event()
        self.overflowed = False
        self.failed = False
        self.closing = False
        self.sent = 0
        self._sending = False

    def __len__(self) -> int:
        return len(self._items)

    def push(self, item: Item, *, wake: bool = True) -> bool:
        """Queue a frame; False if the outbox is closing or just overflowed.  ``wake=False``:
        the writer is woken later by :meth:`wake` (a large broadcast, :class:`LocalHub`)."""
        if self.closing:
            return False
        if len(self._items) >= self.maxsize:
            self.overflowed = True
            self._items.clear()
            self.close(1013, "too slow: reconnect")
            return False
        self._items.append(item)
        if wake:
            self._wake.set()
        return True

    def wake(self) -> None:
        """Let the writer send what is queued."""
        self._wake.set()

    @property
    def idle(self) -> bool:
        """Nothing queued, nothing being sent, not closing: a frame sent now keeps the order."""
        return not self._items and not self._sending and not self.closing

    async def send_now(self, item: Item) -> None:
        """Send ``item`` from the caller's task if :attr:`idle`, else :meth:`push` it.

        Only the connection's reader calls it (it may wait for its own socket's flow
        control, never for another's).  A failure ends the outbox as the writer's does;
        it never raises."""
        if not self.idle:
            self.push(item)
            return
        await self._send_inline(item)

    async def _send_inline(self, item: Item) -> None:
        self._sending = True
        try:
            await self._send(item if isinstance(item, str) else item.render(self._now))
            self.sent += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - as in run(): this socket ends, and only it
            await self._fail(exc)
        finally:
            self._sending = False
            if self._items or self.failed:
                self._wake.set()

    async def flush_now(self) -> None:
        """Send what is queued from the caller's task while the writer is not sending and
        up to a close (the console's reader: its replies do not wait for the writer's
        turn in the loop behind every phone's).  Failures as in :meth:`send_now`."""
        while self._items and not self._sending and not isinstance(self._items[0], Close) and not self.failed:
            await self._send_inline(self._items.popleft())

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Send what is queued, then close the socket with ``code``."""
        if self.closing:
            return
        self.closing = True
        self._items.append(Close(code, reason))
        self._wake.set()

    async def run(self) -> None:
        """The writer: drains the queue until a Close item or a failure.

        Whatever makes a send fail (the peer went away, a frame that cannot be
        rendered or encoded, a bug), the writer logs it once, stops taking
        frames and closes its socket with 1011 so that the client reconnects;
        it never raises and never affects another outbox."""
        while True:
            while (not self._items or self._sending) and not self.failed:
                self._wake.clear()
                await self._wake.wait()
            if self.failed:  # send_now failed: it closed the socket
                return
            item = self._items.popleft()
            self._sending = True
            try:
                if isinstance(item, Close):
                    await self._close_fn(item.code, item.reason)
                    return
                text = item if isinstance(item, str) else item.render(self._now)
                await self._send(text)
                self.sent += 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure ends this socket, and only it
                await self._fail(exc)
                return
            finally:
                self._sending = False

    async def _fail(self, exc: Exception) -> None:
        self.closing = True
        self.failed = True
        self._items.clear()
        if _peer_gone(exc):
            log.debug("outbox writer stopped: the peer went away (%r)", exc)
        else:
            log.warning("outbox writer failed, closing its socket (1011): %r", exc, exc_info=exc)
        try:
            await self._close_fn(1011, "server error: reconnect")
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - already closed: nothing more to do
            pass


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _peer_gone(exc: Exception) -> bool:
    """A transport error (the other side closed or vanished), not a fault of ours."""
    if isinstance(exc, (ConnectionError, OSError)):
        return True
    name = type(exc).__name__
    return name in ("WebSocketDisconnect", "ClientDisconnected", "ConnectionClosed", "ConnectionClosedError",
                    "ConnectionClosedOK") or (isinstance(exc, RuntimeError) and "close" in str(exc).lower())


class Hub(Protocol):
    def attach(self, client_id: int, outbox: Outbox, topics: set[str]) -> None: ...
    def detach(self, client_id: int) -> None: ...
    def publish(self, topic: str, text: str) -> int: ...
    def count(self, topic: str) -> int: ...


FANOUT_CHUNK = 1000
"""A broadcast wakes this many writers per event-loop iteration (the rest on the next ones):
about 40 ms of sends per iteration here.  500 kept the sync path flatter at 10,000 settled
phones but made the armed show take 3.2 s to reach 5,000 phones in warm-up, each batch
waiting for a whole loop iteration of their syncs (docs/benchmarks.md, issue 14)."""


class LocalHub:
    """In-process fan-out.

    A publish queues the frame in every subscriber's outbox at once (so the
    frames of one topic stay in publish order for each subscriber, whatever is
    sent to it meanwhile), but with a running event loop and more than
    ``chunk`` subscribers it wakes their writers ``chunk`` at a time, one batch
    per loop iteration: the sends of a 10,000-phone ``show`` are spread over
    10 iterations instead of one, and the sockets' reads (sync requests,
    console commands) are served between them (docs/benchmarks.md, issue 14)."""

    def __init__(self, *, chunk: int = FANOUT_CHUNK) -> None:
        self._topics: dict[str, dict[int, Outbox]] = {}
        self._clients: dict[int, set[str]] = {}
        self.dropped = 0  # outboxes that overflowed during a publish
        self.chunk = chunk

    def attach(self, client_id: int, outbox: Outbox, topics: set[str]) -> None:
        self.detach(client_id)
        self._clients[client_id] = set(topics)
        for t in topics:
            self._topics.setdefault(t, {})[client_id] = outbox

    def detach(self, client_id: int) -> None:
        for t in self._clients.pop(client_id, ()):
            subs = self._topics.get(t)
            if subs is not None:
                subs.pop(client_id, None)
                if not subs:
                    del self._topics[t]

    def publish(self, topic: str, text: str) -> int:
        """Queue ``text`` for every subscriber of ``topic``; never awaits."""
        subs = list(self._topics.get(topic, {}).items())
        loop = _running_loop() if len(subs) > self.chunk else None
        wake = loop is None
        reached: list[Outbox] = []
        for cid, outbox in subs:
            if outbox.push(text, wake=wake):
                reached.append(outbox)
            elif outbox.overflowed:
                self.dropped += 1
                self.detach(cid)
            elif outbox.closing:  # its socket is being closed: stop feeding it
                self.detach(cid)
        if loop is not None:
            self._wake_batch(loop, reached, 0)
        return len(reached)

    def _wake_batch(self, loop: asyncio.AbstractEventLoop, boxes: list[Outbox], start: int) -> None:
        end = start + self.chunk
        for outbox in boxes[start:end]:
            outbox.wake()
        if end < len(boxes):
            loop.call_soon(self._wake_batch, loop, boxes, end)

    def count(self, topic: str) -> int:
        return len(self._topics.get(topic, ()))
