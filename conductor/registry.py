"""Participants: admission (who gets which group and seat, capacity).

Sans-I/O: the registry decides who is admitted into which group (ids loaded
from the state store at start, through the :class:`~conductor.seats.SeatBook`);
the service persists and sends.  What connected phones say about themselves
(status reports and their aggregation for the console feed) is
:mod:`conductor.telemetry`'s.

Assignment modes (per show, chosen by the organizer with ``--assign``; the one
list is :mod:`flashmob.contract.modes`):

* ``balanced`` - the group whose count is lowest relative to its share
  (minimises ``(count + 1) / share``; ties go to the first group).  Counts
  are of admitted participants, so they survive restarts and reconnections.
* ``random`` - drawn with probability proportional to the shares.
* ``fixed`` - the join URL carries ``group`` and a signed ``group_token``
  (one QR per group); a missing or forged token is refused.
* ``choice`` - the participant picks (``hello.group``); without one the reply
  lists the groups to choose from.

Groups with share 0 are never drawn (``balanced``/``random``) but can be
joined through ``fixed`` or ``choice``.  A known participant id keeps its group
whatever the hello says, and so does an id the server signed for a group
(:class:`~conductor.tokens.ParticipantIds`) even after its seat was dropped.
Seats and ``capacity`` (the crowd size declared to the authorities) are the
:class:`~conductor.seats.SeatBook`'s: only confirmed seats count, and
confirmed participants always get back in.

With a shared store (several conductors, ``shared``: :class:`~conductor.redisstore.RedisStore`)
``balanced`` picks and counts the group there, atomically for the whole show
(``shared.assign_balanced``; unreachable: the hello is refused ``unavailable``
and the phone retries), and a phone whose seat another node confirmed gets it
back here without a new challenge (``shared.seat_group``).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from flashmob.contract.grouptokens import GroupSigner
from flashmob.contract.modes import check_mode

from . import messages as m
from .bundle import GroupInfo
from .seats import Challenge, SeatBook, SeatsFull
from .store import SharedStore
from .tokens import ParticipantIds


class JoinRefused(Exception):
    def __init__(self, code: str, message: str, *, detail: dict | None = None, fatal: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail
        self.fatal = fatal


@dataclass(frozen=True)
class Admission:
    participant_id: str
    group: str
    new: bool
    challenge: Challenge | None  # None: the seat is confirmed


def new_participant_id(group_id: str) -> str:
    """An unsigned id (tests, registries without a signer)."""
    return secrets.token_urlsafe(12)


def full_refusal(capacity: int | None) -> JoinRefused:
    return JoinRefused(m.CAPACITY_REACHED,
                       f"This flashmob is full: the organizer declared at most {capacity} participants.", fatal=True)


class Registry:
    def __init__(self, groups: tuple[GroupInfo, ...], seats: SeatBook, mode: str = "balanced", *,
                 signer: GroupSigner | None = None, rng: random.Random | None = None,
                 new_id: Callable[[str], str] | None = None, shared: SharedStore | None = None,
                 secret_tags: bool = False) -> None:
        check_mode(mode)
        if mode == "fixed" and signer is None:
            raise ValueError("fixed assignment needs a group signer")
        self.groups = groups
        self.mode = mode
        self.seats = seats
        self.capacity = seats.policy.capacity
        self._signer = signer
        self._pids = (ParticipantIds(signer, tuple(g.id for g in groups), secret_tags=secret_tags)
                      if signer is not None else None)
        self._rng = rng or random.Random()
        self._new_id = new_id or (self._pids.new if self._pids else new_participant_id)
        self._ids = {g.id: None for g in groups}
        self._shared = shared

    @property
    def counts(self) -> dict[str, int]:
        """Seats per group, pending and confirmed (what balanced assignment evens out)."""
        return self.seats.counts

    @property
    def known(self) -> dict[str, str]:
        """Participant id -> group of every seat (confirmed and pending)."""
        return {**{p: s.group for p, s in self.seats.pending.items()},
                **{p: s.group for p, s in self.seats.confirmed.items()}}

    def group_of(self, participant_id: str) -> str | None:
        """The group of a participant id: its seat's, or the one a signed id was issued for."""
        seat = self.seats.seat(participant_id)
        if seat is not None:
            return seat.group
        return self._pids.group_of(participant_id) if self._pids else None

    def issue_id(self, group_id: str) -> str:
        """A new participant id for ``group_id``, signed as admission signs them (a sign-up's,
        conductor/signups.py): a hello with it gets that group in every mode."""
        return self._new_id(group_id)

    # -- admission --------------------------------------------------------------------

    def admit(self, hello: m.Hello, now: int) -> Admission:
        """Admit a hello: the same group for a known (or signed) id, a new id and group otherwise.

        Opens a pending seat (with a challenge) unless the seat is confirmed;
        raises JoinRefused (capacity_reached when every seat is confirmed)."""
        pid = hello.participant_id
        seat = self.seats.seat(pid)
        new = False
        if seat is None and pid is not None and self._shared is not None:
            seat = self._shared_seat(pid, now)
        if seat is not None:
            group = seat.group
        else:
            group = self._pids.group_of(pid) if self._pids else None
            if group is None:
                try:
                    self.seats.check_room()  # before assigning: a full show says so whatever the hello
                except SeatsFull:
                    raise full_refusal(self.capacity) from None
                group = self._assign(hello)
                pid = self._new_id(group)
                while self.seats.seat(pid) is not None:  # pragma: no cover - 72-bit random part
                    pid = self._new_id(group)
                new = True
        assert pid is not None
        try:
            challenge = self.seats.open(pid, group, now)
        except SeatsFull:
            raise full_refusal(self.capacity) from None
        return Admission(pid, group, new, challenge)

    def _shared_seat(self, pid: str, now: int):
        """A seat confirmed on another node (adopted here), None if none or unknown."""
        try:
            group = self._shared.seat_group(pid)
        except OSError:
            return None  # Redis is away: the phone proves its seat again (a challenge)
        if group is None or group not in self._ids:
            return None
        if self._pids is not None and self._pids.group_of(pid) not in (None, group):
            return None
        return self.seats.adopt(pid, group, now)

    def _assign(self, hello: m.Hello) -> str:
        if self.mode == "balanced":
            drawable = [g for g in self.groups if g.share > 0]
            if self._shared is not None:
                try:
                    return self._shared.assign_balanced([(g.id, g.share) for g in drawable])
                except OSError:
                    raise JoinRefused(m.UNAVAILABLE, "The conductor cannot assign groups right now; your phone "
                                      "retries by itself in a few seconds.") from None
            return min(drawable, key=lambda g: Fraction(self.counts[g.id] + 1, g.share)).id
        if self.mode == "random":
            drawable = [g for g in self.groups if g.share > 0]
            return self._rng.choices(drawable, weights=[g.share for g in drawable])[0].id
        choices = {"groups": list(self._ids_in_order())}
        if hello.group is None:
            text = ("Scan the QR code of your group to join." if self.mode == "fixed"
                    else "Choose your group.")
            raise JoinRefused(m.GROUP_REQUIRED, text, detail=choices if self.mode == "choice" else None)
        if hello.group not in self._ids:
            raise JoinRefused(m.GROUP_INVALID, f"There is no group {hello.group[:64]!r} in this show.",
                              detail=choices if self.mode == "choice" else None)
        if self.mode == "fixed":
            assert self._signer is not None
            if not self._signer.verify(hello.group, hello.group_token):
                raise JoinRefused(m.GROUP_TOKEN_INVALID,
                                  "This join link is not valid for that group: scan the QR code again.")
        return hello.group

    def _ids_in_order(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)
