"""The shell around the conductor core: it executes effects, and owns everything with I/O.

:class:`Runtime` reads the state store once at start (:func:`load_boot`),
builds the core (:class:`conductor.service.Conductor`) and then only executes
what the core returns (:mod:`conductor.effects`), in order:

* frames go to the connection's :class:`~conductor.hub.Outbox` (pushing never
  awaits), broadcasts through the :class:`~conductor.hub.Hub`;
* :class:`~conductor.effects.Persist` batches go to the one store writer
  thread (:class:`~conductor.persist.StoreWriter`); their outcome comes back
  on the event loop (``call_soon_threadsafe``), in the order they were
  written, and is fed to ``Conductor.persisted`` — so a broadcast or an ack
  that depends on a write is sent after it, and nothing is reordered.  Until
  :meth:`attach_loop` (start-up) and in drivers without a loop (tests, tools),
  a batch runs on the caller's thread and its outcome is fed back at once;
* the ticker (:meth:`ticker`) calls ``Conductor.tick`` with the time and
  sleeps until the core's next :class:`~conductor.effects.Schedule`; it also
  runs the full garbage collections (:mod:`conductor.collector`) when given one;
* alarms go to the :class:`~conductor.alarms.Alarms` board, clock policy to
  the server clock;
* the show log's records (``Conductor.recorder``) are appended to the log file
  (:mod:`conductor.showlogfile`) at every tick and at close (dropped when
  there is no file, so memory stays bounded).

With a shared store (``--redis``, :mod:`conductor.backplane`) the store is a
:class:`~conductor.redisstore.RedisStore` (also handed to the core as ``shared``)
and :attr:`Runtime.follower` keeps the core in step with the other nodes; it
runs beside the ticker (the app starts both).

The time of every event is read here (``now``) and passed in.  The group secret
comes with the options (``flashmob serve`` resolves it: ``flashmob.contract.secret``);
without one (tests, tools) the store keeps one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Mapping
from typing import Any

from . import effects as fx
from . import messages as m
from .alarms import Alarms
from .rehearsal import SUFFIX as REHEARSAL_SUFFIX
from .bundle import Bundle
from .collector import Collector
from .hub import Hub, LocalHub, Outbox
from .persist import StoreWriter
from .proof import RangeDigest, challenge_files
from .service import CONSOLES, Boot, Conductor, Options
from .showlogfile import ShowLogFile
from .store import StateStore
from .sync import PendingReply

log = logging.getLogger("flashmob.conductor.runtime")

def load_boot(store: StateStore, bundle: Bundle, options: Options) -> Boot:
    """Everything the core starts from, read from the store (start-up only)."""
    rows = store.announcements(bundle.show_id, max(options.announcements_kept, 5))
    rehearsal = store.load_show(bundle.show_id + REHEARSAL_SUFFIX)
    return Boot(record=store.load_show(bundle.show_id), participants=store.participants(bundle.show_id),
                rehearsal=dataclasses.replace(rehearsal, rehearsal=True) if rehearsal is not None else None,
                announcements=tuple(m.AnnouncementInfo(id=r[0], level=r[1], text=r[2], group=r[3], sent_at_us=r[4])
                                    for r in rows),
                last_announcement_id=store.last_announcement_id(),
                group_secret=options.group_secret if options.group_secret is not None else store.secret("group"))


class Runtime:
    def __init__(self, bundle: Bundle, store: StateStore, now: Callable[[], int], options: Options, *,
                 hub: Hub | None = None, ntp_status: Callable[[], Mapping[str, Any]] = dict,
                 allow_clock_steps: Callable[[bool], None] = lambda allowed: None,
                 alarms: Alarms | None = None, time_served: Callable[[], None] = lambda: None,
                 collector: Collector | None = None, shared: Any = None,
                 cluster: Callable[[], Any] = lambda: None, showlog: ShowLogFile | None = None) -> None:
        self.bundle = bundle
        self.store = store
        self.now = now
        self.options = options
        self.hub: Hub = hub or LocalHub()
        self.alarms = alarms or Alarms(now)
        self._allow_clock_steps = allow_clock_steps
        self._time_served = time_served
        self.collector = collector  # full garbage collections from the ticker (conductor/collector.py)
        self.showlog = showlog  # the show log's file (conductor/showlogfile.py), or None
        self.writer = StoreWriter(store, bundle.show_id, self.alarms)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conns: dict[int, Outbox] = {}
        self.wake_at_us: int | None = None
        self._wake = asyncio.Event()
        boot = load_boot(store, bundle, options)
        self.core = Conductor(bundle, options, boot, now(), challenge_files=challenge_files(bundle),
                              digest=RangeDigest(bundle.root), ntp_status=ntp_status, alarms=self.alarms,
                              audience=self.hub.count, shared=shared, cluster=cluster)
        self.follower = None  # with a shared store: the Redis follower task (conductor/redisfollow.py)
        self.execute(self.core.start(now()))  # a restarted conductor catches up with the clock at once

    # -- what tests and the CLI read ----------------------------------------------------

    @property
    def record(self):
        return self.core.record

    @property
    def rehearsal_record(self):
        return self.core.rehearsal_record

    @property
    def registry(self):
        return self.core.registry

    @property
    def telemetry(self):
        return self.core.telemetry

    @property
    def signer(self):
        return self.core.signer

    @property
    def manifest_url(self) -> str:
        return self.core.manifest_url

    def join_url(self, group_id: str | None = None) -> str:
        return self.core.join_url(group_id)

    def console_url(self) -> str:
        return self.core.console_url()

    def recent_announcements(self, group_id: str | None = None, **kw: Any) -> tuple[m.AnnouncementInfo, ...]:
        return self.core.recent_announcements(group_id, **kw)

    def feed(self):
        return self.core.feed(self.now())

    def console_welcome(self) -> m.ConsoleWelcome:
        return self.core.console_welcome(self.now())

    # -- connections --------------------------------------------------------------------

    def register(self, cid: int, outbox: Outbox) -> None:
        self._conns[cid] = outbox

    def unregister(self, cid: int) -> None:
        self._conns.pop(cid, None)
        self.hub.detach(cid)

    # -- executing effects --------------------------------------------------------------

    def execute(self, effects: list, cid: int | None = None, outbox: Outbox | None = None) -> None:
        """Run ``effects`` in order; bare frames go to ``outbox`` (connection ``cid``)."""
        for e in effects:
            kind = type(e)
            if kind is str or kind is PendingReply:  # the hot path: a frame for this connection
                if outbox is not None:
                    outbox.push(e)
            elif kind is fx.Publish:
                self.hub.publish(e.topic, e.text)
            elif kind is fx.PublishFeed:
                self.hub.publish(CONSOLES, self.core.feed(self.now()).to_wire())
            elif kind is fx.Send:
                target = outbox if e.to is None or e.to == cid else self._conns.get(e.to)
                if target is not None:
                    target.push(e.item)
            elif kind is fx.Close:
                target = outbox if e.to is None or e.to == cid else self._conns.get(e.to)
                if target is not None:
                    target.close(e.code, e.reason)
            elif kind is fx.Subscribe:
                if outbox is not None and cid is not None:
                    self.hub.attach(cid, outbox, set(e.topics))
            elif kind is fx.Persist:
                self._persist(e)
            elif kind is fx.Schedule:
                if self.wake_at_us is None or e.at_us < self.wake_at_us:
                    self.wake_at_us = e.at_us
                    self._wake.set()
            elif kind is fx.RaiseAlarm:
                self.alarms.raise_(e.key, e.level, e.message, detail=e.detail)
            elif kind is fx.ClearAlarm:
                self.alarms.clear(e.key)
            elif kind is fx.ClockSteps:
                self._allow_clock_steps(e.allowed)
            elif kind is fx.TimeServed:
                self._time_served()
            elif hasattr(e, "render"):
                if outbox is not None:
                    outbox.push(e)
            else:  # pragma: no cover - the core emits only the effects above
                raise TypeError(f"unknown effect {e!r}")

    def _persist(self, e: fx.Persist) -> None:
        loop = self._loop
        if loop is None:
            self._completed(e.token, self.writer.run(e.writes))
            return

        def done(outcomes: tuple) -> None:
            try:
                loop.call_soon_threadsafe(self._completed, e.token, outcomes)
            except RuntimeError:  # the loop is closed: shutting down
                log.warning("write outcome after shutdown (batch %d)", e.token)

        self.writer.submit(e.writes, done)

    def _completed(self, token: int, outcomes: tuple) -> None:
        try:
            self.execute(self.core.persisted(token, outcomes, self.now()))
        except Exception:  # pragma: no cover - a bug must not stop the loop
            log.exception("handling the outcome of write batch %d", token)

    # -- the event loop -----------------------------------------------------------------

    def attach_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """From now on writes run on the writer thread and report back on ``loop``."""
        self._loop = loop

    async def ticker(self) -> None:
        """Tick the core, then sleep until its next Schedule (or an earlier one), forever."""
        while True:
            self.wake_at_us = None
            try:
                self.execute(self.core.tick(self.now()))
                self.flush_showlog()
                if self.collector is not None:
                    self.collector.tick(self.now(), self.core.followed.state)
            except Exception:  # keep ticking whatever happens
                log.exception("ticker")
            while True:  # an earlier Schedule (an arm, say) shortens the sleep
                wake = self.wake_at_us
                wait = 1.0 if wake is None else min(1.0, (wake - self.now()) / 1e6)
                if wait <= 0:
                    break
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), wait)
                except asyncio.TimeoutError:
                    break

    def flush_showlog(self) -> None:
        """Append the show log's new records to its file (or drop them: no file)."""
        data = self.core.recorder.take()
        if self.showlog is not None:
            self.showlog.append(data)

    def close(self) -> None:
        """Finish the queued writes, then close the store (and the show log)."""
        self._loop = None
        self.writer.close()
        self.core.recorder.flush_notes(self.now())
        self.flush_showlog()
        if self.showlog is not None:
            self.showlog.close()
