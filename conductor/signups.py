"""Sign-ups before the show, sans-I/O: places, the waiting list, cancellation, erasure, flooding.

:class:`SignupBook` holds the sign-ups of one show (loaded from the
:class:`~conductor.signupstore.SignupStore` at start) and decides; it returns
the writes for the shell to make (:class:`Put`, :class:`Drop`,
:class:`Tally`, :class:`EraseAll`), in order.  Time is injected (``now_us``,
server time), and so are the two sources of randomness (``new_key``: a
person's private key; ``new_pid``: a signed participant id for a group,
:class:`~conductor.tokens.ParticipantIds`).

Contract:

* :meth:`SignupBook.sign_up` gives a place (``confirmed``, with a participant
  id and a group balanced by share over the confirmed sign-ups, as the
  registry's ``balanced`` mode does) while fewer than ``capacity`` are
  confirmed, else a place on the waiting list (``waiting``, no id, no group).
  The private key is returned once; only its sha256 is kept.
* :meth:`SignupBook.cancel` deletes the sign-up (nothing of it is kept but
  the count of cancellations) and, when it freed a place, promotes the first
  person waiting (in order of arrival): they get an id and a group.
* :func:`erase_at_us`: every sign-up is deleted ``keep_days`` after the show's
  end (the event's end when the score dates it, else the moment the show
  record ended or was aborted); :meth:`SignupBook.sweep` does it when due.
* :class:`SignupGate` refuses floods: per address (the IPv4 address or the
  IPv6 /64) a :class:`~conductor.ratelimit.TokenBucket` of sign-up attempts,
  and the organizer's invitation code, compared in constant time.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from fractions import Fraction

from flashmob.contract.bundle import GroupInfo
from flashmob.contract.grouptokens import same_secret
from flashmob.contract.signups import EMAIL_PATTERN, SignupRequest, Status

from .ratelimit import TokenBucket

DAY_US = 86_400 * 1_000_000
SIGNUP_BURST = 10
"""Sign-up attempts an address may make at once (a family, a shared flat) ..."""
SIGNUP_RATE_PER_MIN = 6.0
"""... then this many per minute (a script is held to 360 an hour per address; see docs/signups.md)."""
MAX_ADDRESSES = 100_000


def key_hash(key: str) -> str:
    """What is stored of a private key: its sha256 (a leaked state file opens no manage link)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One sign-up: only what the person gave, and what the conductor assigned."""

    key_hash: str
    seq: int                      # order of arrival: the waiting list's order
    name: str
    email: str | None
    status: Status
    participant_id: str | None    # confirmed only
    group: str | None             # confirmed only
    created_us: int


@dataclass(frozen=True)
class Stats:
    """Counts without personal data (kept after erasure, for the console and the dossier)."""

    cancelled: int = 0
    promoted: int = 0
    erased_at_us: int | None = None


# -- writes (effects) -------------------------------------------------------------------

@dataclass(frozen=True)
class Put:
    entry: Entry


@dataclass(frozen=True)
class Drop:
    key_hash: str


@dataclass(frozen=True)
class Tally:
    stats: Stats


@dataclass(frozen=True)
class EraseAll:
    at_us: int


class Refused(Exception):
    """A sign-up refused: ``code`` for the wire (docs/signups.md), ``message`` for the person."""

    def __init__(self, code: str, message: str, *, status: int = 400, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.retry_after_s = code, message, status, retry_after_s


def erase_at_us(keep_days: int, event_end_us: int | None, over_at_us: int | None) -> int | None:
    """When every sign-up is deleted: ``keep_days`` after the show's end, None while it is not known."""
    end = event_end_us if event_end_us is not None else over_at_us
    return None if end is None else end + keep_days * DAY_US


class SignupBook:
    """The sign-ups of one show (see the module docstring); counts kept as it goes, so that
    signing up, cancelling and reading the counts cost the same with 20,000 sign-ups as with 20."""

    def __init__(self, groups: tuple[GroupInfo, ...], *, capacity: int | None, ask_email: str,
                 new_key: Callable[[], str], new_pid: Callable[[str], str],
                 entries: Iterable[Entry] = (), stats: Stats = Stats()) -> None:
        self.groups = groups
        self.capacity = capacity
        self.ask_email = ask_email  # "no" | "optional" | "required" (contract.signups.EmailRule values)
        self._new_key, self._new_pid = new_key, new_pid
        self.entries: dict[str, Entry] = {}
        self._waiting: dict[str, None] = {}  # key hashes in order of arrival
        self._counts = {g.id: 0 for g in groups}
        self._confirmed = 0
        for e in sorted(entries, key=lambda e: e.seq):
            self._add(e)
        self.stats = stats
        self._seq = max((e.seq for e in self.entries.values()), default=0)

    def _add(self, e: Entry) -> None:
        self.entries[e.key_hash] = e
        if e.status is Status.WAITING:
            self._waiting[e.key_hash] = None
        else:
            self._confirmed += 1
            if e.group in self._counts:
                self._counts[e.group] += 1

    def _remove(self, kh: str) -> Entry | None:
        e = self.entries.pop(kh, None)
        if e is not None:
            if e.status is Status.WAITING:
                del self._waiting[kh]
            else:
                self._confirmed -= 1
                if e.group in self._counts:
                    self._counts[e.group] -= 1
        return e

    # -- reading ------------------------------------------------------------------------

    @property
    def confirmed(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.status is Status.CONFIRMED]

    @property
    def waiting(self) -> list[Entry]:
        """The waiting list, first to be promoted first."""
        return [self.entries[kh] for kh in self._waiting]

    @property
    def confirmed_count(self) -> int:
        return self._confirmed

    @property
    def waiting_count(self) -> int:
        return len(self._waiting)

    def counts(self) -> dict[str, int]:
        """Confirmed sign-ups per group."""
        return dict(self._counts)

    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self._confirmed)

    def find(self, key: str) -> Entry | None:
        return self.entries.get(key_hash(key))

    def position(self, entry: Entry) -> int | None:
        """1 for the next person promoted; None when not waiting."""
        if entry.status is not Status.WAITING:
            return None
        return 1 + sum(1 for kh in self._waiting if self.entries[kh].seq < entry.seq)

    def _has_room(self) -> bool:
        return self.capacity is None or self._confirmed < self.capacity

    # -- deciding -----------------------------------------------------------------------

    def sign_up(self, req: SignupRequest, now_us: int) -> tuple[str, Entry, list]:
        """``(private key, entry, writes)``, or :class:`Refused` (no consent, a missing or unwanted e-mail)."""
        if self.stats.erased_at_us is not None:
            raise Refused("closed", "This show is over: sign-ups are closed and were deleted.", status=409)
        if req.consent is not True:
            raise Refused("consent_required", "Please read and accept the privacy notice to sign up.")
        name = " ".join(req.name.split())
        if not name:
            raise Refused("name_required", "Please give a name or a handle.")
        if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") and c not in "\u200c\u200d" for c in name):
            raise Refused("name_invalid", "A name or handle is letters, digits, spaces and punctuation.")
        email = (req.email or "").strip() or None
        if self.ask_email == "no":
            email = None  # never kept when the score does not ask for it
        elif email is None and self.ask_email == "required":
            raise Refused("email_required", "Please give an e-mail address.")
        elif email is not None and not re.fullmatch(EMAIL_PATTERN, email):
            raise Refused("email_invalid", "This e-mail address does not look right (name@example.org).")
        key = self._new_key()
        kh = key_hash(key)
        while kh in self.entries:  # pragma: no cover - 144 random bits
            key = self._new_key()
            kh = key_hash(key)
        self._seq += 1
        entry = Entry(key_hash=kh, seq=self._seq, name=name, email=email, status=Status.WAITING,
                      participant_id=None, group=None, created_us=now_us)
        if self._has_room():
            entry = self._confirm(entry)
        self._add(entry)
        return key, entry, [Put(entry)]

    def cancel(self, key: str, now_us: int) -> tuple[Entry | None, list]:
        """Delete the sign-up of ``key`` (None, no writes: unknown) and promote the next person waiting."""
        kh = key_hash(key)
        entry = self._remove(kh)
        if entry is None:
            return None, []
        writes: list = [Drop(kh)]
        stats = replace(self.stats, cancelled=self.stats.cancelled + 1)
        while self._waiting and self._has_room():
            nxt = self._remove(next(iter(self._waiting)))
            assert nxt is not None
            promoted = self._confirm(nxt)
            self._add(promoted)
            writes.append(Put(promoted))
            stats = replace(stats, promoted=stats.promoted + 1)
        self.stats = stats
        writes.append(Tally(stats))
        return entry, writes

    def reissue(self) -> list:
        """New participant ids for every confirmed sign-up (the show was rendered again: the old ids,
        signed for the old show, no longer verify); a group the show no longer has is assigned again."""
        writes = []
        for e in [e for e in self.entries.values() if e.status is Status.CONFIRMED]:
            self._remove(e.key_hash)
            kept = e.group if e.group in self._counts else None
            fresh = replace(e, participant_id=self._new_pid(kept)) if kept else self._confirm(e)
            self._add(fresh)
            writes.append(Put(fresh))
        while self._waiting and self._has_room():  # a larger capacity now: promote
            nxt = self._remove(next(iter(self._waiting)))
            assert nxt is not None
            promoted = self._confirm(nxt)
            self._add(promoted)
            writes.append(Put(promoted))
        return writes

    def sweep(self, now_us: int, due_us: int | None) -> list:
        """Delete every sign-up once ``due_us`` (:func:`erase_at_us`) has passed; [] otherwise."""
        if due_us is None or now_us < due_us or self.stats.erased_at_us is not None:
            return []
        self.entries.clear()
        self._waiting.clear()
        self._counts = {g.id: 0 for g in self.groups}
        self._confirmed = 0
        self.stats = replace(self.stats, erased_at_us=now_us)
        return [EraseAll(now_us), Tally(self.stats)]

    def _confirm(self, entry: Entry) -> Entry:
        drawable = [g for g in self.groups if g.share > 0] or list(self.groups)
        group = min(drawable, key=lambda g: Fraction(self._counts[g.id] + 1, max(g.share, 1))).id
        return replace(entry, status=Status.CONFIRMED, group=group, participant_id=self._new_pid(group))


class SignupGate:
    """Who may try to sign up: the invitation code and a token bucket per address (memory bounded)."""

    def __init__(self, code: str | None = None, *, burst: int = SIGNUP_BURST,
                 rate_per_min: float = SIGNUP_RATE_PER_MIN, max_addresses: int = MAX_ADDRESSES) -> None:
        self.code = code or None
        self.burst, self.rate_per_s = burst, rate_per_min / 60
        self.max_addresses = max_addresses
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def check(self, address: str, code: str | None, now_us: int) -> None:
        """Raise :class:`Refused` (429 with Retry-After, or 403 for a wrong code) or return."""
        bucket = self._buckets.pop(address, None) or TokenBucket(self.burst, self.rate_per_s, max_strikes=1 << 30)
        self._buckets[address] = bucket  # most recent last
        while len(self._buckets) > self.max_addresses:
            self._buckets.popitem(last=False)
        if not bucket.allow(now_us):  # a wrong code costs a token too: guessing is rate limited
            raise Refused("rate_limited", "Too many sign-ups from your network; please try again in a minute.",
                          status=429, retry_after_s=max(1, round(1 / self.rate_per_s)))
        if self.code is not None and not same_secret(code, self.code):
            raise Refused("code_invalid", "This sign-up needs the invitation code the organizer gave you.",
                          status=403)
