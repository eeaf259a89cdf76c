"""Client half of the clock-sync exchange, for the tests' fake-link harness.

The one client model is the browser's ``client_web/js/clocksync.js``; this is
its reference maths in Python (the four timestamps of docs/protocol.md,
"Clock sync"), so that the server core (:mod:`flashmob.conductor.sync`) can be
checked end to end without a browser.  It is not part of the conductor.
"""

from __future__ import annotations

from dataclasses import dataclass


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
