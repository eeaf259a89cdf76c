"""Seats: ``--capacity`` counts people who proved they have the show, not ids ever issued.

Sans-I/O (docs/protocol.md, "Seats"): time comes in as ``now`` arguments
(server µs), randomness from an injected ``random.Random``, the bytes of the
bundle through an injected ``digest(challenge) -> sha256 hex`` (the expected
answer, :class:`conductor.proof.RangeDigest`); a confirmation returns an
*effect* (:class:`StoreSeat`) that the service applies to the state store, and
a release is a query (:meth:`SeatBook.offline`) the service persists before it
applies it (:meth:`SeatBook.release`).  Nothing here does I/O.

The rule:

* A hello opens a **pending** seat (the group is assigned and counted for
  balancing) and the server issues a :class:`Challenge`: the sha256 of a byte
  range it picks at random in one of the group's files.  Pending seats do
  **not** hold capacity, are kept in memory only (never in the store), expire
  ``pending_ttl_us`` after their last hello, and at most ``max_pending`` exist:
  beyond, the oldest pending seat is dropped (its phone gets a fresh challenge
  the next time it answers, at the cost of one round trip).  So hellos alone,
  however many, never keep a person out.
* A correct answer **confirms** the seat: confirmed seats hold capacity, are
  stored (:class:`StoreSeat`), and never expire on their own: an armed phone
  that goes offline on purpose keeps its seat.  Only the console releases
  them.
* Capacity is checked at hello (no point downloading a full show) and again at
  confirmation (the seat is only taken then): ``confirmed >= capacity`` refuses.
* A wrong answer counts against the seat (hellos do not reset the count) and
  replaces its challenge; after ``max_failures`` the pending seat is dropped
  and the caller closes the connection.  Otherwise a seat keeps its open
  challenge, so two tabs of one phone answer the same one.

Seats are keyed by participant id; the group of a seat never changes.
"""

from __future__ import annotations

import hmac
import random
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

PENDING = "pending"
CONFIRMED = "confirmed"

S = 1_000_000
MAX_PENDING = 10_000
"""Default cap on pending seats (``--max-pending``)."""
CONFIRM_TIMEOUT_S = 900
"""Default life of a pending seat after its last hello (``--confirm-timeout``)."""
CHALLENGE_BYTES = 64 * 1024
"""Largest challenged range."""
MAX_FAILURES = 3
"""Wrong answers a pending seat gets; the last one drops it (and closes the socket)."""


@dataclass(frozen=True)
class Policy:
    capacity: int | None = None
    max_pending: int = MAX_PENDING
    pending_ttl_us: int = CONFIRM_TIMEOUT_S * S
    challenge_bytes: int = CHALLENGE_BYTES
    max_failures: int = MAX_FAILURES

    def __post_init__(self) -> None:
        if self.capacity is not None and self.capacity < 1:
            raise ValueError("capacity must be at least 1")
        if self.max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        if self.pending_ttl_us < S:
            raise ValueError("the confirmation timeout must be at least 1 s")
        if self.challenge_bytes < 1:
            raise ValueError("challenge_bytes must be positive")


@dataclass(frozen=True)
class Challenge:
    """Prove you hold the group's files: sha256 of ``length`` bytes at ``offset`` of ``path``."""

    id: str
    path: str
    offset: int
    length: int
    issued_at_us: int


@dataclass
class Seat:
    pid: str
    group: str
    state: str
    since_us: int  # pending: last hello; confirmed: confirmation time
    challenge: Challenge | None = None
    failures: int = 0


# -- effects (applied by the service, in order) ------------------------------------------


@dataclass(frozen=True)
class StoreSeat:
    """Write this confirmed seat to the state store."""

    pid: str
    group: str
    at_us: int


Effect = StoreSeat


def _same(a: str, b: str) -> bool:
    """Constant-time string comparison that accepts any string (even lone surrogates)."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


class SeatsFull(Exception):
    """Every seat is held by a confirmed participant."""


@dataclass(frozen=True)
class Answered:
    """What an answer did: ``outcome`` is ``confirmed`` (now or before), ``stale``
    (not the open challenge: ``challenge`` is the open one, or a fresh one when
    the pending seat was gone), ``wrong``
    (``challenge`` is a fresh one, or None when the seat was dropped after
    ``max_failures``) or ``full``."""

    outcome: str
    challenge: Challenge | None = None
    effects: tuple[Effect, ...] = ()


@dataclass
class Tally:
    """Counters since the process started (the console shows them)."""

    released: int = 0
    expired: int = 0
    evicted: int = 0
    failed: int = 0
    refused: int = 0


class SeatBook:
    """The seats of one show (see the module docstring for the rule)."""

    def __init__(self, policy: Policy, files: dict[str, tuple[tuple[str, int], ...]], *,
                 digest: Callable[[Challenge], str], confirmed: dict[str, str] | None = None,
                 confirmed_at: int = 0, rng: random.Random | None = None,
                 new_challenge_id: Callable[[], str] = lambda: secrets.token_urlsafe(12)) -> None:
        """``files``: per group, the ``(path, size)`` a challenge may pick from;
        ``confirmed``: participant id -> group of the seats kept in the store."""
        self.policy = policy
        self._files = {g: tuple((p, n) for p, n in fs if n > 0) for g, fs in files.items()}
        for g, fs in self._files.items():
            if not fs:
                raise ValueError(f"group {g!r} has no file to challenge phones with: seats could not be confirmed")
        self._digest = digest
        self._rng = rng or random.Random(secrets.randbits(64))
        self._new_challenge_id = new_challenge_id
        self.confirmed: dict[str, Seat] = {}
        self.pending: OrderedDict[str, Seat] = OrderedDict()  # oldest hello first
        self.counts: dict[str, int] = {g: 0 for g in files}
        self.tally = Tally()
        self.shared_confirmed = 0
        """Confirmed seats of the whole show when several conductors share it (their
        follower refreshes it, :mod:`conductor.redisfollow`); the shared store enforces
        the capacity exactly at confirmation, this refuses hellos early."""
        for pid, group in (confirmed or {}).items():
            if group in self.counts:
                self.confirmed[pid] = Seat(pid, group, CONFIRMED, confirmed_at)
                self.counts[group] += 1

    # -- queries --------------------------------------------------------------------

    def seat(self, pid: str | None) -> Seat | None:
        if pid is None:
            return None
        return self.confirmed.get(pid) or self.pending.get(pid)

    def full(self) -> bool:
        cap = self.policy.capacity
        return cap is not None and max(len(self.confirmed), self.shared_confirmed) >= cap

    def check_room(self) -> None:
        """Raise SeatsFull (and count the refusal) when every seat is confirmed."""
        if self.full():
            self.tally.refused += 1
            raise SeatsFull()

    def summary(self) -> dict[str, int | None]:
        t = self.tally
        return {"capacity": self.policy.capacity, "confirmed": len(self.confirmed), "pending": len(self.pending),
                "max_pending": self.policy.max_pending, "released": t.released, "expired": t.expired + t.evicted,
                "failed": t.failed, "refused": t.refused}

    # -- hello ----------------------------------------------------------------------

    def open(self, pid: str, group: str, now: int) -> Challenge | None:
        """A hello for ``pid`` in ``group``: None for a confirmed seat, else the
        challenge of its (new or refreshed) pending seat.  Raises SeatsFull."""
        if pid in self.confirmed:
            return None
        self.check_room()
        seat = self.pending.pop(pid, None)
        if seat is None:
            while len(self.pending) >= self.policy.max_pending:
                self._drop_pending(next(iter(self.pending)))
                self.tally.evicted += 1
            seat = Seat(pid, group, PENDING, now)
            self.counts[group] += 1
        seat.since_us = now  # (wrong answers stay counted: a new hello or a stale id does not reset them)
        self.pending[pid] = seat  # newest last
        if seat.challenge is None:  # an open challenge stays: two tabs of one phone answer the same one
            seat.challenge = self._pick(group, now)
        return seat.challenge

    def _pick(self, group: str, now: int) -> Challenge:
        files = self._files[group]
        total = sum(n for _, n in files)
        at = self._rng.randrange(total)  # uniform over the group's bytes
        for path, size in files:
            if at < size:
                break
            at -= size
        length = min(self.policy.challenge_bytes, size)
        offset = self._rng.randrange(size - length + 1)
        return Challenge(id=self._new_challenge_id(), path=path, offset=offset, length=length, issued_at_us=now)

    # -- answer ---------------------------------------------------------------------

    def answer(self, pid: str, group: str, challenge_id: str, sha256_hex: str, now: int) -> Answered:
        """An answer from the phone holding ``pid`` (its group from the session)."""
        if pid in self.confirmed:
            return Answered("confirmed")
        seat = self.pending.get(pid)
        if seat is None or seat.challenge is None:
            # expired, evicted or lost in a restart: a fresh challenge, one round trip
            try:
                return Answered("stale", self.open(pid, group, now))
            except SeatsFull:
                return Answered("full")
        if not _same(challenge_id, seat.challenge.id):  # replaced: the open one again
            return Answered("stale", seat.challenge)
        challenge = seat.challenge
        if not _same(sha256_hex.lower(), self._digest(challenge)):
            self.tally.failed += 1
            seat.failures += 1
            if seat.failures >= self.policy.max_failures:
                self._drop_pending(pid)
                return Answered("wrong")
            seat.challenge = self._pick(seat.group, now)
            return Answered("wrong", seat.challenge)
        if self.full():
            self.tally.refused += 1
            self._drop_pending(pid)
            return Answered("full")
        return Answered("confirmed", effects=self._confirm(pid, now))

    def adopt(self, pid: str, group: str, now: int) -> Seat:
        """A seat another conductor confirmed (read from the shared store): confirmed here
        too, nothing to store.  A pending seat of the same id becomes it."""
        seat = self.confirmed.get(pid)
        if seat is not None:
            return seat
        old = self.pending.pop(pid, None)
        if old is not None:
            self.counts[old.group] -= 1
        seat = Seat(pid, group, CONFIRMED, now)
        self.confirmed[pid] = seat
        self.counts[group] += 1
        return seat

    def refuse(self, pid: str) -> None:
        """Undo a confirmation the shared store refused (the whole show is full): the seat is gone."""
        self.unconfirm(pid)
        if pid in self.pending:
            self._drop_pending(pid)
            self.tally.refused += 1

    def unconfirm(self, pid: str) -> None:
        """Undo a confirmation the store could not write (the seat is pending again)."""
        seat = self.confirmed.pop(pid, None)
        if seat is not None:
            seat.state = PENDING
            self.pending[pid] = seat

    def _confirm(self, pid: str, now: int) -> tuple[Effect, ...]:
        seat = self.pending.pop(pid)
        seat.state, seat.since_us, seat.challenge, seat.failures = CONFIRMED, now, None, 0
        self.confirmed[pid] = seat
        return (StoreSeat(pid, seat.group, now),)

    # -- time and the console ---------------------------------------------------------

    def expire(self, now: int) -> int:
        """Drop pending seats whose last hello is older than the timeout; how many."""
        n = 0
        ttl = self.policy.pending_ttl_us
        while self.pending:
            pid, seat = next(iter(self.pending.items()))
            if now - seat.since_us < ttl:
                break
            self._drop_pending(pid)
            n += 1
        self.tally.expired += n
        return n

    def next_expiry(self) -> int | None:
        if not self.pending:
            return None
        return next(iter(self.pending.values())).since_us + self.policy.pending_ttl_us

    def release_pending(self) -> int:
        """Console: drop every pending seat (their phones get fresh challenges)."""
        n = len(self.pending)
        for pid in list(self.pending):
            self._drop_pending(pid)
        self.tally.released += n
        return n

    def offline(self, connected: Callable[[str], bool]) -> tuple[str, ...]:
        """The confirmed seats of phones with no open socket (what ``release offline`` frees)."""
        return tuple(pid for pid in self.confirmed if not connected(pid))

    def release(self, pids: tuple[str, ...]) -> int:
        """Console: release these confirmed seats (the caller deleted them from the store first)."""
        n = 0
        for pid in pids:
            seat = self.confirmed.pop(pid, None)
            if seat is not None:
                self.counts[seat.group] -= 1
                n += 1
        self.tally.released += n
        return n

    def _drop_pending(self, pid: str) -> None:
        seat = self.pending.pop(pid)
        self.counts[seat.group] -= 1
