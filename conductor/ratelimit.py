"""Per-connection rate limiting, sans-I/O: a token bucket with leaky strikes.

Contract
--------
:class:`TokenBucket` ``allow(now_us)`` says whether one more request may pass:
``capacity`` may come at once, then ``rate_per_s`` (integer µs arithmetic,
time injected).  Every refusal is a *strike*; strikes leak away at
``forgive_per_s`` (default a quarter of the rate), whether or not requests
pass meanwhile.  :attr:`TokenBucket.flooding` is true once ``max_strikes``
are outstanding: the shell then closes the connection with 1008.

So a burst (a phone reconnecting and catching up) is refused for a moment and
forgiven; a sustained flood above the rate is closed.  With the frame limits
of ``session.py`` (burst 60, 20/s, 100 strikes leaking at 5/s), 50 frames/s
is closed after about 6 s and any rate at or below 20/s never is
(``tests/conductor/test_ratelimit.py``).  The earlier rule -- strikes wiped by
every accepted request -- never closed a steady flood, since some of its
frames always passed.
"""

from __future__ import annotations

STRIKE = 1_000_000
"""One strike in the bucket's integer units (strikes leak in µs x per-second rates)."""


class TokenBucket:
    def __init__(self, capacity: int = 32, rate_per_s: float = 4.0, *, max_strikes: int = 64,
                 forgive_per_s: float | None = None) -> None:
        if capacity < 1 or rate_per_s <= 0 or max_strikes < 1:
            raise ValueError("capacity >= 1, rate_per_s > 0 and max_strikes >= 1")
        self.capacity = capacity
        self.rate_per_s = rate_per_s
        self._per_token_us = int(1_000_000 / rate_per_s)
        self._tokens_us = capacity * self._per_token_us  # tokens kept in µs units: integers only
        self._last: int | None = None
        self.max_strikes = max_strikes
        self._forgive = forgive_per_s if forgive_per_s is not None else rate_per_s / 4
        self._strikes = 0  # in STRIKE units
        self.refused = 0

    def allow(self, now_us: int) -> bool:
        if self._last is not None:
            elapsed = max(0, now_us - self._last)
            self._tokens_us = min(self.capacity * self._per_token_us, self._tokens_us + elapsed)
            self._strikes = max(0, self._strikes - int(elapsed * self._forgive))
        self._last = now_us
        if self._tokens_us >= self._per_token_us:
            self._tokens_us -= self._per_token_us
            return True
        self._strikes += STRIKE
        self.refused += 1
        return False

    @property
    def strikes(self) -> float:
        """Outstanding strikes (refusals not yet forgiven)."""
        return self._strikes / STRIKE

    @property
    def flooding(self) -> bool:
        return self._strikes >= self.max_strikes * STRIKE
