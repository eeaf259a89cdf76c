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
closed.  Client side: :func:`measure` and :class:`OffsetEstimator` are the
reference maths the browser mirrors (``client_web/js``), used by the tests'
fake-link harness.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import messages as m
from .ratelimit import TokenBucket

Now = Callable[[], int]


# --------------------------------------------------------------------------- server


@dataclass(frozen=True)
class PendingReply:
    """A sync reply waiting for its send stamp ``t2``."""

    id: int
    t0: int
    t1: int

    def render(self, now: Now) -> str:
        t2 = now()
        return m.to_wire(m.SyncReply(id=self.id, t0=self.t0, t1=self.t1, t2=t2))


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


# --------------------------------------------------------------------------- client maths


@dataclass(frozen=True)
class Sample:
    offset_us: int  # server - client
    rtt_us: int

    @property
    def error_bound_us(self) -> int:
        """The true offset lies within ``offset ± rtt/2`` (if delays are positive)."""
        return (self.rtt_us + 1) // 2


def measure(t0: int, t1: int, t2: int, t3: int) -> Sample:
    """Offset and round trip from the four timestamps (integer µs)."""
    return Sample(offset_us=((t1 - t0) + (t2 - t3)) // 2, rtt_us=max(0, (t3 - t0) - (t2 - t1)))


class OffsetEstimator:
    """Keeps the last ``window`` samples and trusts the one with the smallest
    round trip (its error bound is the tightest) — the @ircam/sync approach
    without the drift regression, which the browser adds."""

    def __init__(self, window: int = 16) -> None:
        self.window = window
        self._samples: list[Sample] = []

    def add(self, sample: Sample) -> None:
        self._samples.append(sample)
        del self._samples[:-self.window]

    @property
    def best(self) -> Sample | None:
        return min(self._samples, key=lambda s: s.rtt_us, default=None)

    def server_time(self, client_now_us: int) -> int | None:
        best = self.best
        return None if best is None else client_now_us + best.offset_us
