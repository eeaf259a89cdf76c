"""Small statistics for the benchmark reports (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100), linear interpolation; None if empty."""
    if not values:
        return None
    xs = sorted(values)
    if len(xs) == 1:
        return float(xs[0])
    pos = (len(xs) - 1) * q / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def converged_at(times: Sequence[float], errors: Sequence[float | None], threshold: float) -> float | None:
    """The first time after which every |error| stays <= ``threshold`` until
    the end (a missing estimate counts as above); None if the last one is above."""
    at = None
    for t, e in zip(times, errors):
        if e is None or abs(e) > threshold:
            at = None
        elif at is None:
            at = t
    return at


def jumps(errors: Sequence[float | None]) -> list[float]:
    """Changes of the error between consecutive readings (both present)."""
    return [b - a for a, b in zip(errors, errors[1:]) if a is not None and b is not None]
