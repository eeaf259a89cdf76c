"""The show's state machine, sans-I/O.  Rules first (as h11 ``_state.py``):

* States: ``lobby`` -> ``armed`` -> ``running`` -> ``ended``; ``aborted`` from
  ``armed`` or ``running``; ``armed`` can be cancelled back to ``lobby``;
  ``reset`` brings an ``ended`` or ``aborted`` show back to ``lobby`` (for
  rehearsals).  Every legal move is one row of :data:`TRANSITIONS`.
* Arming fixes an absolute start: "position 0 is at server time T" (µs).  T must
  be at least ``min_lead_us`` ahead of now, so the message reaches every phone
  before it matters.  Nobody ever says "start now".
* ``running`` and ``ended`` are not commands: they follow from the clock.
  :func:`advance` produces the :class:`Started` / :class:`Finished` events whose
  time has come, stamped with the *scheduled* instant (T, T + duration), so two
  conductors, or one restarted, derive identical records.
* Commands are applied after the clock has been advanced: "cancel" at T + 1 µs
  is refused because the show is already running (abort it instead).
* Illegal moves raise :class:`IllegalTransition` whose message says what was
  expected; a refused command leaves the record untouched (records are frozen).
* A **rehearsal** is a second record (``rehearsal=True``) run by the same
  table; the rules that tie the two records together (one revision sequence,
  one of them active at a time) are :mod:`conductor.rehearsal`'s.  A command's
  revision is ``max(record.revision, revision_floor) + 1``: the floor is the
  other record's revision, so phones keep "the newer record" as they always did.

Time is injected (``now`` arguments, µs); nothing here reads a clock.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum

from flashmob.contract.records import spec


class State(str, Enum):
    LOBBY = "lobby"
    ARMED = "armed"
    RUNNING = "running"
    ENDED = "ended"
    ABORTED = "aborted"


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Arm:
    start_at_us: int


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class Abort:
    reason: str | None = None


@dataclass(frozen=True)
class Reset:
    pass


@dataclass(frozen=True)
class Started:
    """Clock event: server time reached the start time."""


@dataclass(frozen=True)
class Finished:
    """Clock event: server time reached start time + duration."""


Event = Arm | Cancel | Abort | Reset | Started | Finished

EVENT_NAMES: dict[type, str] = {Arm: "arm", Cancel: "cancel", Abort: "abort", Reset: "reset",
                                Started: "started", Finished: "finished"}

TRANSITIONS: dict[tuple[State, type], State] = {
    (State.LOBBY, Arm): State.ARMED,
    (State.ARMED, Cancel): State.LOBBY,
    (State.ARMED, Started): State.RUNNING,
    (State.ARMED, Abort): State.ABORTED,
    (State.RUNNING, Finished): State.ENDED,
    (State.RUNNING, Abort): State.ABORTED,
    (State.ENDED, Reset): State.LOBBY,
    (State.ABORTED, Reset): State.LOBBY,
}
"""(state, event type) -> next state.  Anything absent is illegal."""


class IllegalTransition(Exception):
    """A command that the current state does not accept (or whose guard fails)."""

    def __init__(self, message: str, *, state: State, event: str) -> None:
        super().__init__(message)
        self.state = state
        self.event = event


def allowed_in(event_type: type) -> list[State]:
    return [s for (s, e) in TRANSITIONS if e is event_type]


# --------------------------------------------------------------------------- record


@dataclass(frozen=True)
class ShowRecord:
    """Everything needed to resume a show: written before it is broadcast.

    The one definition of the show's record: the store keeps these fields, and
    the wire carries them as they are (``show`` inside welcome, ack,
    console_welcome and feed; at the top level of the ``show`` message,
    ``conductor/messages.py``), with the bounds declared here.  ``state`` may
    be given as its string; it is kept as a :class:`State`."""

    state: State
    duration_us: int = spec(minimum=0)
    start_at_us: int | None = None
    revision: int = spec(default=0, minimum=0, required=True)
    reason: str | None = spec(default=None, max_length=500)
    changed_at_us: int = 0
    rehearsal: bool | None = spec(default=None, omit_none=True)
    """True on the rehearsal record (conductor/rehearsal.py) only, never the real show's: absent from
    the real record's JSON, which is unchanged."""

    def __post_init__(self) -> None:
        if not isinstance(self.state, State):
            object.__setattr__(self, "state", State(self.state))

    @property
    def end_at_us(self) -> int | None:
        return None if self.start_at_us is None else self.start_at_us + self.duration_us

    def next_deadline_us(self) -> int | None:
        """The server time of the next clock-driven transition, if any."""
        if self.state is State.ARMED:
            return self.start_at_us
        if self.state is State.RUNNING:
            return self.end_at_us
        return None


def new_record(duration_us: int, *, rehearsal: bool = False) -> ShowRecord:
    if duration_us <= 0:
        raise ValueError("a show lasts a positive number of microseconds")
    return ShowRecord(state=State.LOBBY, duration_us=duration_us, rehearsal=True if rehearsal else None)


@dataclass(frozen=True)
class Transition:
    event: Event
    before: ShowRecord
    after: ShowRecord

    @property
    def name(self) -> str:
        return EVENT_NAMES[type(self.event)]


# --------------------------------------------------------------------------- logic


def _move(record: ShowRecord, event: Event, at_us: int, revision_floor: int = 0) -> ShowRecord:
    target = TRANSITIONS.get((record.state, type(event)))
    name = EVENT_NAMES[type(event)]
    if target is None:
        legal = ", ".join(s.value for s in allowed_in(type(event)))
        hint = " (abort it instead)" if isinstance(event, Cancel) and record.state is State.RUNNING else ""
        what = "the rehearsal" if record.rehearsal else "the show"
        raise IllegalTransition(f"cannot {name}: {what} is {record.state.value}; "
                                f"{name} is allowed when {what} is {legal}{hint}",
                                state=record.state, event=name)
    changes: dict = {"state": target, "revision": max(record.revision, revision_floor) + 1, "changed_at_us": at_us}
    if isinstance(event, Arm):
        changes.update(start_at_us=event.start_at_us, reason=None)
    elif isinstance(event, (Cancel, Reset)):
        changes.update(start_at_us=None, reason=None)
    elif isinstance(event, Abort):
        changes.update(reason=event.reason)
    return dataclasses.replace(record, **changes)


def advance(record: ShowRecord, now_us: int) -> list[Transition]:
    """Clock-driven transitions due at ``now_us`` (possibly two: a show armed
    long ago whose end has passed too)."""
    out: list[Transition] = []
    while True:
        deadline = record.next_deadline_us()
        if deadline is None or now_us < deadline:
            return out
        event: Event = Started() if record.state is State.ARMED else Finished()
        after = _move(record, event, deadline)
        out.append(Transition(event, record, after))
        record = after


def apply(record: ShowRecord, event: Event, now_us: int, *, min_lead_us: int = 5_000_000,
          revision_floor: int = 0) -> list[Transition]:
    """Advance the clock to ``now_us`` then apply a console command (whose
    revision is above ``revision_floor`` too).

    Returns every transition (clock ones first); raises IllegalTransition
    without any effect when the command is refused."""
    if isinstance(event, (Started, Finished)):
        raise TypeError("clock events come from advance(), not from commands")
    clock = advance(record, now_us)
    current = clock[-1].after if clock else record
    if isinstance(event, Arm):
        earliest = now_us + min_lead_us
        if event.start_at_us < earliest:
            raise IllegalTransition(
                f"cannot arm: the start time is {(earliest - event.start_at_us) / 1e6:.3f} s too soon; "
                f"it must be at least {min_lead_us / 1e6:g} s ahead so every phone hears of it in time",
                state=current.state, event="arm")
    after = _move(current, event, now_us, revision_floor)
    return clock + [Transition(event, current, after)]


class Show:
    """Convenience holder of the current record (the service's view)."""

    def __init__(self, record: ShowRecord, *, min_lead_us: int = 5_000_000) -> None:
        self.record = record
        self.min_lead_us = min_lead_us

    def advance(self, now_us: int) -> list[Transition]:
        out = advance(self.record, now_us)
        if out:
            self.record = out[-1].after
        return out

    def apply(self, event: Event, now_us: int) -> list[Transition]:
        out = apply(self.record, event, now_us, min_lead_us=self.min_lead_us)
        self.record = out[-1].after
        return out

    def position_us(self, now_us: int) -> int | None:
        """Where playback should be at ``now_us`` (negative before the start)."""
        if self.record.start_at_us is None:
            return None
        return now_us - self.record.start_at_us
