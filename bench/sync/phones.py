"""The simulated phones' clocks, pure and seeded: an offset within ±2 s and a
rate error within ±200 ppm each (uniform)."""

from __future__ import annotations

import random
from dataclasses import dataclass

MAX_OFFSET_US = 2_000_000
MAX_DRIFT_PPM = 200.0


@dataclass(frozen=True)
class PhoneClock:
    index: int
    offset_us: int
    drift_ppm: float


def phone_clocks(n: int, seed: object, *, max_drift_ppm: float = MAX_DRIFT_PPM) -> list[PhoneClock]:
    """``n`` phones; the same seed gives the same offsets whatever ``max_drift_ppm``
    (the drifts are scaled)."""
    r = random.Random(f"phones:{seed}")
    out = []
    for i in range(n):
        offset = round(r.uniform(-MAX_OFFSET_US, MAX_OFFSET_US))
        drift = round(r.uniform(-1, 1) * max_drift_ppm, 3)
        out.append(PhoneClock(i, offset, drift))
    return out
