"""A page's client clock against true time, through Playwright round trips.

The page's client clock (participant.js) is ``performance.timeOrigin +
performance.now()``, skewed here by libfaketime.  :func:`calibrate` reads it
``n`` times, each read bracketed by the bench's true clock (CLOCK_MONOTONIC +
the conductor's epoch offset), and keeps the tightest bracket: the page read
its clock somewhere inside it, so ``offset = page - midpoint`` is known within
half the bracket.  :class:`ClockMap` interpolates between two calibrations
(drift), and maps a page clock reading to true time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

READ_JS = "(performance.timeOrigin + performance.now()) * 1000"


@dataclass(frozen=True)
class Calibration:
    true_us: float  # midpoint of the best bracket (true time)
    offset_us: float  # page clock - true time
    bound_us: float  # half the best bracket


def calibrate(page, epoch_us: int, n: int = 30) -> Calibration:
    best = None
    for _ in range(n):
        a = time.monotonic_ns() / 1000 + epoch_us
        c = page.evaluate(READ_JS)
        b = time.monotonic_ns() / 1000 + epoch_us
        if best is None or b - a < best[1] - best[0]:
            best = (a, b, c)
    a, b, c = best
    mid = (a + b) / 2
    return Calibration(true_us=mid, offset_us=c - mid, bound_us=(b - a) / 2)


@dataclass(frozen=True)
class ClockMap:
    before: Calibration
    after: Calibration

    def true_at(self, page_us: float) -> float:
        """True time at which the page's clock read ``page_us``."""
        a, b = self.before, self.after
        span = b.true_us - a.true_us
        if span <= 0:
            return page_us - a.offset_us
        # offset(t) linear in true time: page = t + oa + (ob - oa) (t - ta) / span
        k = (b.offset_us - a.offset_us) / span
        return (page_us - a.offset_us + k * a.true_us) / (1 + k)

    @property
    def bound_us(self) -> float:
        return max(self.before.bound_us, self.after.bound_us)
