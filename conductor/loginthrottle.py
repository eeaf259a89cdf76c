"""Console login throttling per client address, sans-I/O (time injected, µs).

Contract
--------
* :meth:`LoginThrottle.failed` records a wrong console token from an address.
* Once an address has ``MAX_FAILURES`` (5) failures within ``WINDOW_US``
  (60 s), :meth:`LoginThrottle.allowed` is false for ``LOCKOUT_US`` (60 s):
  the shell refuses every ``console_hello`` from it without looking at the
  token, the right one included (a brute force cannot tell a hit from a miss).
* Only failures count: an organizer who logs in correctly is never slowed
  down, and phones never touch this.  Behind carrier-grade NAT an attacker
  could share the organizer's address and lock it out for a minute; the
  console token itself (24 random bytes, at least 16 characters when set by
  hand) is what keeps the console safe, the throttle keeps guessing and the
  log noise bounded.
* Memory is bounded: at most ``max_addresses`` are remembered (the oldest
  entry is forgotten first).
"""

from __future__ import annotations

from collections import OrderedDict, deque


class LoginThrottle:
    MAX_FAILURES = 5
    WINDOW_US = 60_000_000
    LOCKOUT_US = 60_000_000

    def __init__(self, *, max_addresses: int = 10_000) -> None:
        self.max_addresses = max_addresses
        self._failures: OrderedDict[str, deque[int]] = OrderedDict()
        self._locked_until: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._failures)

    def allowed(self, address: str, now_us: int) -> bool:
        until = self._locked_until.get(address)
        if until is None:
            return True
        if now_us >= until:
            del self._locked_until[address]
            self._failures.pop(address, None)
            return True
        return False

    def retry_after_s(self, address: str, now_us: int) -> int:
        until = self._locked_until.get(address)
        return 0 if until is None else max(0, -(-(until - now_us) // 1_000_000))

    def failed(self, address: str, now_us: int) -> bool:
        """Record a failure; True when it starts a lockout of ``address``."""
        times = self._failures.pop(address, None) or deque()
        times.append(now_us)
        while times and times[0] <= now_us - self.WINDOW_US:
            times.popleft()
        self._failures[address] = times  # most recent last
        while len(self._failures) > self.max_addresses:
            old, _ = self._failures.popitem(last=False)
            self._locked_until.pop(old, None)
        if len(times) >= self.MAX_FAILURES and address not in self._locked_until:
            self._locked_until[address] = now_us + self.LOCKOUT_US
            return True
        return False

    def failures(self, address: str) -> int:
        return len(self._failures.get(address, ()))
