"""Link profiles: seeded, pure delay models for each direction of a connection.

A :class:`DelayModel` answers, for the ``index``-th chunk sent in one direction
of one connection arriving at relay time ``t_s`` (seconds since the relay
started), how long the link holds it (:meth:`DelayModel.delay_s`), and when a
stalled link releases what it holds (:meth:`DelayModel.release_s`).  It is a
pure function of ``(profile, seed, direction, index, t_s)``: every call with
the same arguments gives the same answer, whatever was asked before, so two
clients given the same seed see the *same* delay sequence (chunk ``n`` of each
gets the same draw) and the same time-driven events (stalls, route changes) at
the same instants.

Directions are ``"up"`` (client -> server) and ``"down"`` (server -> client).

Profiles (``PROFILES``):

========== ==================================================================
lan        1 ms ± 0.3 ms each way (uniform)
wifi       2 ms + exponential jitter of mean 3 ms; 10 % of chunks get a spike
           of 30-150 ms (uniform)
4g         40 ms ± 20 ms each way (uniform); stalls of 300 ms (each direction
           on its own, on average one every 10 s): a chunk due inside a stall
           is released when it ends
asym       5 ms + exponential 0.5 ms each way; the uplink is slower by a
           constant of the connection drawn in 6-20 ms (uniform)
route-change 8 ms + exponential 1 ms each way; at ``change_at_s`` (default:
           half the run) the route changes: uplink + 25 ms, downlink + 5 ms
direct     no added delay (calibration, load tests)
========== ==================================================================
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field

UP = "up"
DOWN = "down"
DIRECTIONS = (UP, DOWN)

MS = 1e-3


def _rng(*key: object) -> random.Random:
    """A generator determined by ``key`` alone (string seeding hashes it with SHA-512)."""
    return random.Random(":".join(str(k) for k in key))


@dataclass(frozen=True)
class DelayModel:
    """The delays of one direction of one connection (seconds)."""

    profile: str
    seed: str
    direction: str
    change_at_s: float = 15.0
    horizon_s: float = 3600.0
    _stalls: tuple[tuple[float, float], ...] = field(default=(), repr=False, compare=False)
    _asym: float = field(default=0.0, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r} (profiles: {', '.join(PROFILES)})")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}")
        object.__setattr__(self, "_stalls", tuple(self._make_stalls()))
        if self.profile == "asym":
            object.__setattr__(self, "_asym", _rng(self.seed, "asym").uniform(6 * MS, 20 * MS))

    # -- per connection --------------------------------------------------------------

    @property
    def asymmetry_s(self) -> float:
        """``asym``: how much slower the uplink is than the downlink on this connection."""
        return self._asym

    def _make_stalls(self) -> list[tuple[float, float]]:
        if self.profile != "4g":
            return []
        r = _rng(self.seed, self.direction, "stalls")
        out, t = [], 0.0
        while True:
            t += r.expovariate(1 / 10.0)
            if t > self.horizon_s:
                return out
            out.append((t, t + 0.300))
            t += 0.300

    @property
    def stalls(self) -> tuple[tuple[float, float], ...]:
        """Stall windows ``(start, end)`` in relay seconds (``4g`` only)."""
        return self._stalls

    # -- per chunk ---------------------------------------------------------------------

    def base_s(self, t_s: float) -> float:
        """The part of the delay that does not depend on the chunk (route, asymmetry)."""
        p = self.profile
        if p == "asym":
            return 5 * MS + (self.asymmetry_s if self.direction == UP else 0.0)
        if p == "route-change":
            after = t_s >= self.change_at_s
            return 8 * MS + ((25 * MS if self.direction == UP else 5 * MS) if after else 0.0)
        return 0.0

    def delay_s(self, index: int, t_s: float) -> float:
        """Delay of the ``index``-th chunk of this direction, arriving at ``t_s``."""
        p = self.profile
        if p == "direct":
            return 0.0
        r = _rng(self.seed, self.direction, index)
        if p == "lan":
            return r.uniform(0.7 * MS, 1.3 * MS)
        if p == "wifi":
            d = 2 * MS + r.expovariate(1 / (3 * MS))
            if r.random() < 0.10:
                d += r.uniform(30 * MS, 150 * MS)
            return d
        if p == "4g":
            return r.uniform(20 * MS, 60 * MS)
        if p == "asym":
            return self.base_s(t_s) + r.expovariate(1 / (0.5 * MS))
        if p == "route-change":
            return self.base_s(t_s) + r.expovariate(1 / (1 * MS))
        raise AssertionError(p)  # pragma: no cover - checked in __post_init__

    def release_s(self, due_s: float) -> float:
        """When a chunk due at ``due_s`` leaves: later if the link is stalled then."""
        if not self._stalls:
            return due_s
        i = bisect.bisect_right(self._stalls, (due_s, math.inf)) - 1
        if i >= 0 and self._stalls[i][0] <= due_s < self._stalls[i][1]:
            return self._stalls[i][1]
        return due_s

    def floor_s(self) -> float:
        """Lower bound of the one-way delay on this direction (before any change)."""
        p = self.profile
        return {"lan": 0.7 * MS, "wifi": 2 * MS, "4g": 20 * MS}.get(p, self.base_s(0.0))


PROFILES: dict[str, str] = {
    "lan": "1 ms ± 0.3 ms each way",
    "wifi": "2 ms + exp. jitter (mean 3 ms), 10 % spikes of 30-150 ms",
    "4g": "40 ms ± 20 ms each way, 300 ms stalls (one per 10 s on average)",
    "asym": "5 ms + exp. 0.5 ms; uplink slower by 6-20 ms (per connection)",
    "route-change": "8 ms + exp. 1 ms; mid-run: uplink +25 ms, downlink +5 ms",
    "direct": "no added delay",
}
"""Profile name -> one-line description."""

BENCH_PROFILES = ("lan", "wifi", "4g", "asym", "route-change")
"""The profiles the benchmarks report on."""


def models(profile: str, seed: object, *, change_at_s: float = 15.0,
           horizon_s: float = 3600.0) -> dict[str, DelayModel]:
    """The two directions of one connection."""
    return {d: DelayModel(profile, str(seed), d, change_at_s=change_at_s, horizon_s=horizon_s) for d in DIRECTIONS}


def expected_floor_s(profile: str, seed: object) -> float:
    """Half the asymmetry of the minimum one-way delays (the error no
    round-trip method can remove) for one connection, from the model."""
    m = models(profile, seed)
    return abs(m[UP].floor_s() - m[DOWN].floor_s()) / 2
