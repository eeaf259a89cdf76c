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


def phone_clocks(n: int, seed: object) -> list[PhoneClock]:
    r = random.Random(f"phones:{seed}")
    return [PhoneClock(i, round(r.uniform(-MAX_OFFSET_US, MAX_OFFSET_US)), round(r.uniform(-MAX_DRIFT_PPM, MAX_DRIFT_PPM), 3))
            for i in range(n)]
