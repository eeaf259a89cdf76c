"""What the conductor's cores ask their shell to do (the h11 / python-websockets model).

The cores (:mod:`conductor.service`, :mod:`conductor.session`) are fed events
with their time and return a list of effects; they never read a clock, an
environment variable or a file, never write, never await.  The shell
(:mod:`conductor.runtime`, driven by :mod:`conductor.app`) executes the list
**in order**:

* a bare text frame (``str``) or a renderable item (``render(now) -> str``: a
  sync reply stamped at send time) - send it on the connection whose event
  produced the list (the hot path allocates nothing more);
* :class:`Send` / :class:`Close` with ``to`` - a frame for, or the closing of,
  another connection (``to=None``: this one); a connection that has gone by
  then is skipped;
* :class:`Subscribe` - attach this connection to hub topics;
* :class:`Publish` - a frame for every subscriber of a hub topic;
  :class:`PublishFeed` - the console feed, built (``Conductor.feed``) when it
  is executed, so that it shows the alarms executed before it;
* :class:`Persist` - hand a batch of writes to the single store writer; the
  shell feeds its outcome back (``Conductor.persisted``), and only then does
  the core release what depended on it (broadcasts, acks, seats);
* :class:`Schedule` - call the core's ``tick`` again at (or before) this server
  time;
* :class:`RaiseAlarm` / :class:`ClearAlarm` - the console alarm board
  (:mod:`conductor.alarms`);
* :class:`ClockSteps`, :class:`TimeServed` - the server clock's step policy
  (:mod:`conductor.clock`).

Write operations (the payload of :class:`Persist`) are records too; the writer
(:mod:`conductor.persist`) executes them against the
:class:`~conductor.store.StateStore`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import messages as m
from .show import ShowRecord, Transition

# --------------------------------------------------------------------------- to the shell


@dataclass(frozen=True)
class Send:
    """A frame (text or renderable) for connection ``to`` (None: this one)."""

    item: Any
    to: int | None = None


@dataclass(frozen=True)
class Close:
    """Close connection ``to`` (None: this one) once what is queued is sent."""

    code: int
    reason: str
    to: int | None = None


@dataclass(frozen=True)
class Subscribe:
    """Attach this connection to these hub topics."""

    topics: frozenset[str]


@dataclass(frozen=True)
class Publish:
    """``text`` for every subscriber of ``topic`` (:class:`~conductor.hub.Hub`)."""

    topic: str
    text: str


@dataclass(frozen=True)
class PublishFeed:
    """The console feed, built when executed (after the alarms before it in the list),
    for every subscriber of ``consoles``."""


@dataclass(frozen=True)
class Persist:
    """Run ``writes`` in order on the store writer, then report ``token``'s outcome."""

    token: int
    writes: tuple["Write", ...]


@dataclass(frozen=True)
class Schedule:
    """Tick the core again at (or before) server time ``at_us``."""

    at_us: int


@dataclass(frozen=True)
class RaiseAlarm:
    key: str
    level: str
    message: str
    detail: dict | None = None


@dataclass(frozen=True)
class ClearAlarm:
    key: str


@dataclass(frozen=True)
class ClockSteps:
    """Whether the server clock may still step (not while a show is armed or running)."""

    allowed: bool


@dataclass(frozen=True)
class TimeServed:
    """A client got its first sync reply: from now on server time never steps backwards."""


# --------------------------------------------------------------------------- writes


@dataclass(frozen=True)
class SaveRecord:
    """The show row without a transition (the first lobby record, a new duration)."""

    record: ShowRecord


@dataclass(frozen=True)
class SaveTransitions:
    """Transitions in one transaction, fsynced; the show row becomes the last one's record."""

    transitions: tuple[Transition, ...]


@dataclass(frozen=True)
class AddParticipant:
    participant_id: str
    group: str
    at_us: int


@dataclass(frozen=True)
class RemoveParticipants:
    participant_ids: tuple[str, ...]


@dataclass(frozen=True)
class AddAnnouncement:
    """An announcement with the id the core gave it."""

    info: m.AnnouncementInfo


Write = SaveRecord | SaveTransitions | AddParticipant | RemoveParticipants | AddAnnouncement


@dataclass(frozen=True)
class WriteFailure:
    """Why one write failed: the error, and the alarm's sentence (the writer asks the filesystem)."""

    error: str
    code: str
    description: str
    path: str | None = None
    kind: str = "error"
    """``error``: the store could not write (an alarm, retried when it may be);
    ``conflict``: a shared store (conductor/redisstore.py) holds a newer record that
    another conductor wrote first, ``record``; ``full``: the shared seats are all taken."""
    record: ShowRecord | None = None


Effect = Any  # str | Renderable | Send | Close | Subscribe | Publish | Persist | Schedule | ...
