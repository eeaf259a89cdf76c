"""Clock synchronisation, sans-I/O: NTP-style four timestamps in integer µs.

Exchange (docs/protocol.md, "Clock sync")::

    client                      server
      t0 = client clock  --sync{id,t0}-->  t1 = server time at receipt
      t3 = client clock  <--sync_reply{id,t0,t1,t2}--  t2 = server time at send

    offset = ((t1 - t0) + (t2 - t3)) / 2      (server - client)
    rtt    = (t3 - t0) - (t2 - t1)
    error bound = rtt / 2

Server side: :class:`SyncResponder` is fed a request and its receive stamp and
returns a :class:`PendingReply`, which the transport turns into text only when
the socket is ready (``render(now)``), so ``t2`` is stamped as late as possible.
A per-connection :class:`~conductor.ratelimit.TokenBucket` rate-limits requests: a burst (a phone
taking a dozen samples at start) passes, a sustained flood is refused and then
closed.  The client half lives in the browser (``client_web/js/clocksync.js``,
the one client model); the tests' fake-link harness has a small reference of
the same maths (``tests/conductor/sync_client.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from . import messages as m
from .fastwire import SYNC_REPLY, SYNC_REPLY_FIELDS
from .ratelimit import TokenBucket

if SYNC_REPLY_FIELDS != ("id", "t0", "t1", "t2"):  # PendingReply.render's order
    raise TypeError(f"messages.SyncReply changed its fields {SYNC_REPLY_FIELDS}: update PendingReply.render")

Now = Callable[[], int]


# --------------------------------------------------------------------------- server


class PendingReply(NamedTuple):
    """A sync reply waiting for its send stamp ``t2`` (a tuple: the hot path's cheapest record)."""

    id: int
    t0: int
    t1: int

    def render(self, now: Now) -> str:
        """The ``sync_reply`` frame, ``t2`` read now (:data:`conductor.fastwire.SYNC_REPLY`:
        the text :func:`conductor.messages.to_wire` writes for the same :class:`~conductor.messages.SyncReply`)."""
        return SYNC_REPLY % (self.id, self.t0, self.t1, now())


class SyncResponder:
    """Server half of the exchange for one connection."""

    def __init__(self, limiter: TokenBucket | None = None) -> None:
        self.limiter = limiter or TokenBucket()

    def handle(self, req: m.Sync, t1: int) -> PendingReply | m.Error:
        """``t1`` is the server time stamped when the frame arrived (before parsing)."""
        if not self.limiter.allow(t1):
            return m.error(m.RATE_LIMITED, "too many sync requests: keep below "
                           f"{self.limiter.capacity} at once and a few per second",
                           fatal=self.limiter.flooding)
        return PendingReply(id=req.id, t0=req.t0, t1=t1)
