"""The time axis: folding a show into systems, time -> x, tick spacing (pure).

A short show is one *system* (one strip of lanes across the page). A long
show is folded, like lines of a music score, into several systems of equal
length so the scale never drops below ``min_px_per_s``: a 3-minute show is one
strip at ~8 px/s, a 45-minute show four 12-minute strips at ~2 px/s. All
systems share one scale, so a second is as wide everywhere on the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

US = 1_000_000
NICE_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400)


@dataclass(frozen=True)
class Span:
    """One system: times ``start_us`` .. ``end_us`` drawn from ``x0`` to ``x1``;
    its lanes occupy ``y0`` .. ``y1`` (axis labels sit just above ``y0``)."""

    start_us: int
    end_us: int
    x0: float
    x1: float
    y0: float = 0.0
    y1: float = 0.0

    @property
    def px_per_us(self) -> float:
        return (self.x1 - self.x0) / (self.end_us - self.start_us)

    def x(self, t_us: float) -> float:
        """x of time ``t_us`` (not clamped)."""
        return self.x0 + (t_us - self.start_us) * self.px_per_us

    def holds(self, t_us: int, last: bool = False) -> bool:
        """Whether an instant belongs here (the last system also holds its end)."""
        return self.start_us <= t_us < self.end_us or (last and t_us == self.end_us)


def tick_step_us(span_us: int, plot_px: float, min_px: float = 64) -> int:
    """The smallest nice step (1 s, 2 s, 5 s, 10 s, 15 s, 30 s, 1 min, 2 min,
    5 min, ...) whose ticks are at least ``min_px`` apart."""
    px_per_s = plot_px / max(span_us / US, 1e-9)
    for step in NICE_STEPS_S:
        if step * px_per_s >= min_px:
            return step * US
    return NICE_STEPS_S[-1] * US


def minor_step_us(major_us: int, px_per_us: float, min_px: float = 14) -> int | None:
    """The smallest nice divisor of ``major_us`` at least ``min_px`` apart, or
    None when no subdivision fits."""
    for step in NICE_STEPS_S:
        s_us = step * US
        if s_us >= major_us:
            return None
        if major_us % s_us == 0 and s_us * px_per_us >= min_px:
            return s_us
    return None


def system_spans(duration_us: int, plot_px: float, min_px_per_s: float = 2.0) -> list[tuple[int, int]]:
    """Split ``0 .. duration_us`` into equal consecutive (start, end) spans.

    One span when the whole show fits at ``min_px_per_s``; otherwise the fewest
    spans that do. Span length is rounded up to a whole 10 s (or whole minute
    above two minutes) so systems start at round times; the last one may run
    past the end of the show.
    """
    duration_us = max(duration_us, US)
    max_span_us = plot_px / min_px_per_s * US
    count = max(1, math.ceil(duration_us / max_span_us))
    if count == 1:
        grain = tick_step_us(duration_us, plot_px)
    else:
        grain = 60 * US if duration_us / count > 120 * US else 10 * US
    length = math.ceil(duration_us / count / grain) * grain
    count = math.ceil(duration_us / length)
    return [(i * length, (i + 1) * length) for i in range(count)]
