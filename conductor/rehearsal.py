"""The rehearsal: a second show record beside the real one, sans-I/O (docs/protocol.md, "Rehearsal").

Rules first (the real show's are :mod:`conductor.show`'s, and the rehearsal
record moves by the same :data:`~conductor.show.TRANSITIONS`):

* Two records: the **real** one (``rehearsal=False``, the show the report is
  about) and the **rehearsal** (``rehearsal=True``), stored apart
  (:func:`store_key`).  A console command carrying ``rehearsal: true`` moves
  the rehearsal record and never writes the real one; one without moves the
  real record as it always did.
* **One active record.**  While one record is armed or running, the other
  takes no command (:data:`BLOCKED_WHILE`): a rehearsal cannot start over a
  show, and a show cannot be armed (nor reset) under a rehearsal.  Clock
  events move only the active record.
* **One revision sequence.**  A command's revision is above both records'
  (``revision_floor`` of :func:`conductor.show.apply`): the record moved last
  is the newer one, so :func:`followed` — what phones play — is the newer of
  the two by revision, the rule phones already apply to every ``show`` frame
  (``showstate.newerShow``).  A phone of an older version plays a rehearsal
  like a show, without the marker.
* The rehearsal takes **no seats**: the phones that play it are the show's,
  with the seats they hold; arming, running, ending or resetting a rehearsal
  neither confirms, releases nor writes a seat, so capacity is what it was.

Time is injected (``now`` arguments, µs); nothing here reads a clock.
"""

from __future__ import annotations

from .show import Event, IllegalTransition, ShowRecord, State, Transition
from . import show as showmod

SUFFIX = ":rehearsal"
"""The rehearsal record's store key is the show id plus this (a show id is 16 hex digits: no clash)."""

BLOCKED_WHILE = frozenset({State.ARMED, State.RUNNING})
"""A record takes no command while the other one is in one of these states."""


def store_key(show_id: str, record: ShowRecord) -> str:
    """Where ``record`` is stored: the show id (real) or the show id + :data:`SUFFIX` (rehearsal)."""
    return show_id + SUFFIX if record.rehearsal else show_id


def followed(real: ShowRecord, rehearsal: ShowRecord) -> ShowRecord:
    """The record phones follow: the newer by revision (ties: the real one)."""
    return rehearsal if rehearsal.revision > real.revision else real


def active(real: ShowRecord, rehearsal: ShowRecord) -> ShowRecord | None:
    """The record that is armed or running, if any (at most one is)."""
    for rec in (real, rehearsal):
        if rec.state in BLOCKED_WHILE:
            return rec
    return None


def apply(real: ShowRecord, rehearsal: ShowRecord, event: Event, now_us: int, *, to_rehearsal: bool,
          min_lead_us: int = 5_000_000) -> list[Transition]:
    """A console command for one record (``to_rehearsal``), after both clocks advanced.

    Returns the transitions of that record (clock ones first), raises
    :class:`~conductor.show.IllegalTransition` when the other record is active
    or the command is illegal; the other record is never in the result."""
    target, other = (rehearsal, real) if to_rehearsal else (real, rehearsal)
    clock_other = showmod.advance(other, now_us)
    other_now = clock_other[-1].after if clock_other else other
    if other_now.state in BLOCKED_WHILE:
        name = showmod.EVENT_NAMES[type(event)]
        mine, theirs = ("the rehearsal", "the show") if to_rehearsal else ("the show", "a rehearsal")
        raise IllegalTransition(f"cannot {name} {mine}: {theirs} is {other_now.state.value}; "
                                f"cancel or abort it first, or wait until it ended",
                                state=other_now.state, event=name)
    return showmod.apply(target, event, now_us, min_lead_us=min_lead_us, revision_floor=other_now.revision)
