"""What waits to be written, and what the show does when writing fails (sans-I/O).

A full disk or an I/O error must not stop an armed show (docs/protocol.md
"Persistence").  The core hands every write to :class:`WriteBack` as a
*part* (a show batch, a seat, a release, an announcement); the store writer
(:mod:`conductor.persist`) runs them off the event loop and the outcome comes
back through :meth:`WriteBack.completed`.  Rules:

* **One batch in flight.**  Parts submitted while a batch is being written wait
  and go out together in the next one, in submission order (one hand-over
  to the writer thread for a crowd confirming seats, not one per phone; each
  seat is still its own small write).
  Batches, and so effects, are never reordered.
* Show transitions of all parts of a batch, after any still unwritten, are one
  :class:`~conductor.effects.SaveTransitions` (one transaction, fsynced).  A
  ``durable`` part (arm, cancel, reset) whose write fails is refused: nothing
  of it is kept and the caller changes nothing.  Any other (running, ended:
  they follow from the durable armed record and the clock; abort: stopping
  must always work) is kept **unwritten** and retried; the caller has
  applied it anyway.
* Announcements carry the id the core gave them; a failed one is kept and
  retried with that id.  Seats and releases are refused when their write
  fails (the caller keeps memory and storage in agreement).
* A write a shared store refused (``WriteFailure.kind`` ``conflict``: another
  conductor wrote the record first; ``full``: the shared seats are taken) is
  neither kept nor retried and raises no alarm: the core converges or refuses.
* Unwritten writes are retried by :meth:`retry` at most every ``retry_us``.
  Every failure keeps the alarm ``store.write`` (the writer's sentence plus
  what waits); it is cleared when a write succeeds and nothing waits.

Time is passed in (µs); nothing here reads a clock or touches the store.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from . import effects as fx
from . import messages as m
from .persist import STORE_ALARM, STORE_RETRY_US
from .show import Transition

log = logging.getLogger("flashmob.conductor.persist")


@dataclass(frozen=True)
class Part:
    """One thing to write for one purpose; ``reply`` is what the core does once it is known."""

    transitions: tuple[Transition, ...] = ()
    durable: bool = False
    writes: tuple[fx.Write, ...] = ()  # other writes (seats, releases, announcements)
    reply: object = None


@dataclass
class _Batch:
    token: int
    parts: list[Part]
    retried: list[Transition]
    retried_announcements: list[m.AnnouncementInfo]
    slots: list[tuple[int | None, int]] = field(default_factory=list)  # per part: transitions slot, first write


class WriteBack:
    def __init__(self, *, retry_us: int = STORE_RETRY_US) -> None:
        self.retry_us = retry_us
        self.transitions_unwritten: list[Transition] = []
        self.announcements_unwritten: list[m.AnnouncementInfo] = []
        self._queue: list[Part] = []
        self._inflight: _Batch | None = None
        self._tokens = 0
        self._last_attempt_us: int | None = None
        self._last_failure: fx.WriteFailure | None = None

    @property
    def unwritten(self) -> int:
        return len(self.transitions_unwritten) + len(self.announcements_unwritten)

    @property
    def busy(self) -> bool:
        return self._inflight is not None or bool(self._queue)

    # -- submitting -------------------------------------------------------------------

    def submit(self, part: Part, now: int) -> list[fx.Effect]:
        """Queue ``part``; a Persist effect if nothing is being written now."""
        self._queue.append(part)
        return self._launch(now) if self._inflight is None else []

    def retry(self, now: int) -> list[fx.Effect]:
        """Write what is unwritten, at most every ``retry_us``."""
        if not self.unwritten or self._inflight is not None:
            return []
        if self._last_attempt_us is not None and now - self._last_attempt_us < self.retry_us:
            return []
        return self._launch(now)

    def _launch(self, now: int) -> list[fx.Effect]:
        parts, self._queue = self._queue, []
        self._tokens += 1
        batch = _Batch(self._tokens, parts, list(self.transitions_unwritten), list(self.announcements_unwritten))
        writes: list[fx.Write] = []
        transitions = list(batch.retried)
        for part in parts:
            transitions.extend(part.transitions)
        if transitions:
            writes.append(fx.SaveTransitions(tuple(transitions)))
        writes.extend(fx.AddAnnouncement(a) for a in batch.retried_announcements)
        for part in parts:
            batch.slots.append((0 if part.transitions else None, len(writes)))
            writes.extend(part.writes)
        if not writes:
            return []
        self._inflight = batch
        self._last_attempt_us = now
        return [fx.Persist(batch.token, tuple(writes))]

    # -- outcomes ---------------------------------------------------------------------

    def completed(self, token: int, outcomes: tuple[fx.WriteFailure | None, ...], now: int
                  ) -> tuple[list[tuple[Part, fx.WriteFailure | None]], list[fx.Effect]]:
        """The writer's outcome of batch ``token``: each part with its failure (None:
        written), and the effects (alarm, the next batch)."""
        batch = self._inflight
        if batch is None or batch.token != token:  # pragma: no cover - the shell reports each batch once
            raise ValueError(f"no batch {token} in flight")
        self._inflight = None
        failures = [f for f in outcomes if f is not None and f.kind == "error"]  # refusals raise no alarm
        i = 0
        transitions_failure = None
        if batch.retried or any(p.transitions for p in batch.parts):
            transitions_failure = outcomes[0]
            i = 1
        kept = transitions_failure is not None and transitions_failure.kind == "error"
        unwritten_t = batch.retried if kept else []  # lost a compare-and-set: superseded, never retried
        unwritten_a: list[m.AnnouncementInfo] = []
        for a in batch.retried_announcements:
            if outcomes[i] is not None:
                unwritten_a.append(a)
            i += 1
        results: list[tuple[Part, fx.WriteFailure | None]] = []
        for part, (slot, first) in zip(batch.parts, batch.slots):
            failure = transitions_failure if slot is not None else None
            for k in range(len(part.writes)):
                failure = failure or outcomes[first + k]
            if slot is not None and failure is not None and failure.kind == "error" and not part.durable:
                unwritten_t.extend(part.transitions)  # applied anyway: written later
            for w, outcome in zip(part.writes, outcomes[first:first + len(part.writes)]):
                if isinstance(w, fx.AddAnnouncement) and outcome is not None:
                    unwritten_a.append(w.info)  # broadcast anyway: written later with its id
            results.append((part, failure))
        had_unwritten = bool(batch.retried or batch.retried_announcements)
        self.transitions_unwritten = unwritten_t
        self.announcements_unwritten = unwritten_a
        effects: list[fx.Effect] = []
        if failures:
            self._last_failure = failures[0]
            effects.append(self._alarm(failures[0]))
        elif not self.unwritten:
            if had_unwritten:
                log.info("pending writes done")
            effects.append(fx.ClearAlarm(STORE_ALARM))
        elif self._last_failure is not None:  # still waiting (an older failure): the alarm counts what waits
            effects.append(self._alarm(self._last_failure))
        if self._queue:
            effects.extend(self._launch(now))
        return results, effects

    def _alarm(self, failure: fx.WriteFailure) -> fx.RaiseAlarm:
        waiting = []
        if self.transitions_unwritten:
            waiting.append(f"{len(self.transitions_unwritten)} show transition(s)")
        if self.announcements_unwritten:
            waiting.append(f"{len(self.announcements_unwritten)} announcement(s)")
        pending = f" {' and '.join(waiting)} wait to be written (retried every second)." if waiting else ""
        return fx.RaiseAlarm(STORE_ALARM, "critical",
                             f"{failure.description}. The show goes on from memory; no new seat is "
                             f"confirmed until writing works again.{pending}",
                             detail={"path": failure.path, "error": failure.error, "code": failure.code,
                                     "unsaved_transitions": len(self.transitions_unwritten),
                                     "unsaved_announcements": len(self.announcements_unwritten)})
