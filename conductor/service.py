"""The conductor core: one show, its participants, its consoles — sans-I/O.

Every method is fed an event with its time (``now``, server µs: the frame's
receive stamp, the ticker's reading) and returns a list of effects
(:mod:`conductor.effects`) that the shell (:mod:`conductor.runtime`) executes
in order.  The core never reads a clock, an environment variable or a file,
never writes and never awaits; what it starts from (the stored record, seats,
announcements, the group secret) is handed to it (:class:`Boot`).

* Show commands go through :mod:`conductor.show` (pure).  A **durable** change
  (arm, cancel, reset; a release of seats) changes nothing in memory until its
  write completed: the write is a :class:`~conductor.effects.Persist` effect,
  the shell runs it off the event loop and reports back
  (:meth:`Conductor.persisted`); only then is it applied, broadcast and
  acknowledged — or refused with ``unavailable`` when it could not be written.
  While one is pending, further commands wait (in order) and the clock does
  not advance the show, so nothing is decided on a record that may not hold.
* Clock-driven transitions (running, ended), ``abort`` and announcements are
  applied at once (a welcome never shows a state the clock has left) and
  broadcast and acknowledged once their write was attempted; a failed one is
  written later (:mod:`conductor.writeback`).
* Participants are admitted by the :class:`~conductor.registry.Registry`
  into seats (:mod:`conductor.seats`): a seat is stored when its phone answers
  the challenge (confirmed) and the phone is told so only once it is stored;
  what phones report goes to :mod:`conductor.telemetry`.
* A **rehearsal** is a second record (:mod:`conductor.rehearsal`): commands
  with ``rehearsal: true`` move it, never the real one; phones are sent the
  record they follow (the newer of the two), consoles both.
* What happened goes to the show log too (:mod:`conductor.recorder`: the
  records the shell appends to the log file, for ``flashmob report``).
* The console feed shows what the store knows too: it is not sent while a
  show transition applied in memory is still being written (the next one
  follows the write's outcome, alarm included).
* With a shared store (``Options.shared``: several conductors, :mod:`conductor.redisstore`)
  a show write can lose a compare-and-set against another node: the command is
  refused and the node adopts the stored record; records other nodes wrote come in
  through :meth:`Conductor.converge` (the shell's follower, :mod:`conductor.redisfollow`),
  announcements through :meth:`Conductor.announced`; the feed shows the whole show
  (``cluster``, :mod:`conductor.nodes`).
* :meth:`Conductor.tick` is the ticker's policy: clock transitions, retries,
  seat expiry, the console feed (after a change, and at least every
  ``FEED_FORCE_US``) and when to tick next (a :class:`~conductor.effects.Schedule`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flashmob.contract import urls
from flashmob.contract.surprise import ALIAS

from . import effects as fx
from . import messages as m
from . import nodes
from . import seats as seatrule
from . import rehearsal as rehearsalmod
from . import show as showmod
from .bundle import Bundle
from .commands import MAX_LEAD_US, CommandError, check_group, show_event  # noqa: F401  (re-exported)
from .feed import ConsoleFeed, Tally
from .persist import STORE_ALARM, StoreUnavailable  # noqa: F401  (re-exported)
from .recorder import Recorder
from .registry import Admission, JoinRefused, Registry, full_refusal  # noqa: F401  (JoinRefused: raised through admit)
from .seats import Answered, Challenge, Policy, SeatBook, StoreSeat
from .show import IllegalTransition, ShowRecord, State
from .store import SharedStore
from .surprise import SurpriseServing
from .telemetry import Telemetry
from .tokens import GroupSigner, same_secret
from .writeback import Part, WriteBack

log = logging.getLogger("flashmob.conductor")

ANNOUNCEMENT_MEMORY_US = 15 * 60 * 1_000_000
"""Announcements newer than this are replayed to phones that (re)join."""

TICK_US = 1_000_000
"""The ticker runs at least this often (sooner when a show deadline is nearer)."""
FEED_FORCE_US = 5_000_000
"""The feed is sent to consoles at least this often, changed or not."""

PARTICIPANTS = "participants"
CONSOLES = "consoles"


def group_topic(group_id: str) -> str:
    return f"group:{group_id}"


@dataclass
class Options:
    assign: str = "balanced"
    capacity: int | None = None
    max_pending: int = seatrule.MAX_PENDING
    confirm_timeout_us: int = seatrule.CONFIRM_TIMEOUT_S * 1_000_000
    challenge_bytes: int = seatrule.CHALLENGE_BYTES
    min_lead_us: int = 5_000_000
    public_url: str = "http://127.0.0.1:8000"
    console_token: str = ""
    group_secret: bytes | None = None  # the show's (flashmob serve: contract.secret); None: kept in the store
    announcements_kept: int = 20
    shared: bool = False
    """Several conductors share the show through one store (``--redis``, docs/architecture.md
    "Backplane"): every show command is durable (abort too) and an announcement that cannot be
    written is refused — nothing is ever applied on one node only."""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Boot:
    """What the store holds at start (read by the shell before the core runs)."""

    record: ShowRecord | None
    participants: Mapping[str, str]
    announcements: tuple[m.AnnouncementInfo, ...]
    last_announcement_id: int
    group_secret: bytes
    rehearsal: ShowRecord | None = None  # the rehearsal record (conductor/rehearsal.py), None: never moved


@dataclass(frozen=True)
class _Command:
    """A durable command waiting for its write (what to say once it is known)."""

    cid: int | None
    ref: str | None
    command: str
    after: ShowRecord | None = None
    released: tuple[str, ...] | None = None
    rehearsal: bool = False


@dataclass(frozen=True)
class _Seat:
    cid: int | None
    participant_id: str
    group: str


@dataclass(frozen=True)
class _Broadcast:
    """Non-durable transitions or an announcement: broadcast once written (or tried)."""

    cid: int | None = None
    ref: str | None = None
    command: str | None = None
    announcement: m.AnnouncementInfo | None = None
    rehearsal: bool = False


def _lasts(transitions) -> list[ShowRecord]:
    """The last record of each show (real, rehearsal) among ``transitions``, in revision order."""
    last: dict[bool, ShowRecord] = {}
    for t in transitions:
        last[bool(t.after.rehearsal)] = t.after
    return sorted(last.values(), key=lambda r: r.revision)


def challenge_message(c: Challenge) -> m.ChallengeMsg:
    return m.ChallengeMsg(id=c.id, path=c.path, offset=c.offset, length=c.length)


class Conductor:
    """The core.  Injected: the files challenges pick from (sizes) and
    ``digest(challenge)``, the expected answer (:mod:`conductor.proof` reads the
    range from the bundle); readers ``ntp_status``, ``alarms`` (the board's
    ``version`` and ``snapshot()``) and ``audience(topic) -> subscribers``; with a
    shared store ``shared`` (:class:`~conductor.store.SharedStore`) and
    ``cluster() -> nodes.Cluster | None`` (what the other nodes published)."""

    def __init__(self, bundle: Bundle, options: Options, boot: Boot, now: int, *,
                 challenge_files: Mapping[str, tuple[tuple[str, int], ...]],
                 digest: Callable[[Challenge], str],
                 ntp_status: Callable[[], Mapping[str, Any]] = dict, alarms: Any = None,
                 audience: Callable[[str], int] = lambda topic: 0, shared: SharedStore | None = None,
                 cluster: Callable[[], Any] = lambda: None) -> None:
        if not options.console_token:
            raise ValueError("a console token is required")
        self.bundle = bundle
        self.options = options
        self.ntp_status = ntp_status
        self.alarms = alarms
        self.audience = audience
        self.signer = GroupSigner(boot.group_secret, bundle.show_id)
        record = boot.record
        self._startup: list[fx.Write] = []
        if record is None:
            record = showmod.new_record(bundle.duration_us)
            self._startup.append(fx.SaveRecord(record))
        elif record.state is State.LOBBY and record.duration_us != bundle.duration_us:
            record = dataclasses.replace(record, duration_us=bundle.duration_us)
            self._startup.append(fx.SaveRecord(record))
        self.record: ShowRecord = record
        rehearsal = boot.rehearsal  # written when it first moves (a show never rehearsed writes nothing more)
        if rehearsal is None or (rehearsal.state is State.LOBBY and rehearsal.duration_us != bundle.duration_us):
            rehearsal = showmod.new_record(bundle.duration_us, rehearsal=True) if rehearsal is None else \
                dataclasses.replace(rehearsal, duration_us=bundle.duration_us)
        self.rehearsal_record: ShowRecord = dataclasses.replace(rehearsal, rehearsal=True)
        policy = Policy(capacity=options.capacity, max_pending=options.max_pending,
                        pending_ttl_us=options.confirm_timeout_us, challenge_bytes=options.challenge_bytes)
        self.digest = digest
        seats = SeatBook(policy, dict(challenge_files), digest=digest,
                         confirmed=dict(boot.participants), confirmed_at=now)
        surprise = bundle.manifest.surprise is not None
        if surprise and options.assign == "choice":
            raise ValueError("the groups of this show are a surprise: phones cannot choose them "
                             "(--assign choice shows every group); use balanced, random or fixed")
        self.registry = Registry(bundle.groups, seats, options.assign, signer=self.signer, shared=shared,
                                 secret_tags=surprise)
        self.surprise = SurpriseServing(bundle, self.registry.group_of) if surprise else None
        self._revealed_run: int | None = None  # start_at_us of the run whose reveal was sent
        self.shared = shared
        self.cluster = cluster
        self._superseded_through = -1  # show records up to this revision were replaced by a converged one
        self.telemetry = Telemetry(bundle.groups)
        self.recorder = Recorder(bundle.show_id, [g.id for g in bundle.groups])
        self.writeback = WriteBack()
        self._announcements: list[m.AnnouncementInfo] = list(boot.announcements)[-max(options.announcements_kept,
                                                                                        5):]
        self._last_announcement_id = boot.last_announcement_id
        self._waiting: list[tuple[int | None, Any, int]] = []  # commands behind a durable write
        self._durable_pending = 0
        self._converge_pending: ShowRecord | None = None  # a record to adopt once the durable write is done
        self._applied_unwritten = 0  # parts applied in memory whose write is still being tried
        self._feed_deferred = False
        self.served = False
        self._steps_allowed: bool | None = None
        self._feed_dirty = True
        self._alarms_version = -1
        self._last_forced_feed_us: int | None = None

    def start(self, now: int) -> list[fx.Effect]:
        """The first effects: the first record's write, the clock policy, a catch-up tick."""
        out: list[fx.Effect] = []
        self.recorder.boot(now, self.bundle.revision)
        self._record_show(self.record, now)
        if self._startup:
            out += self.writeback.submit(Part(writes=tuple(self._startup)), now)
            self._startup = []
        out += self._clock_policy()
        out += self.tick(now)
        return out

    # -- urls -------------------------------------------------------------------------

    @property
    def manifest_url(self) -> str:
        return f"/bundle/{self.bundle.revision}/manifest.json"

    def join_url(self, group_id: str | None = None) -> str:
        """The general join URL, or a group's signed one (shapes: ``urls.py``)."""
        if group_id is None:
            return urls.join_url(self.options.public_url)
        return urls.join_url(self.options.public_url, group_id, self.signer.sign(group_id))

    def console_url(self) -> str:
        return self.options.public_url.rstrip("/") + "/console#token=" + self.options.console_token

    # -- show -------------------------------------------------------------------------

    def show_info(self, record: ShowRecord | None = None) -> m.ShowInfo:
        return record or self.record  # the record is its own wire form (conductor/show.py)

    @property
    def followed(self) -> ShowRecord:
        """The record phones follow: the real one, or the rehearsal when it moved last."""
        return rehearsalmod.followed(self.record, self.rehearsal_record)

    @property
    def rehearsing(self) -> bool:
        """A rehearsal is armed or running (what phones report then is not the show's)."""
        return self.rehearsal_record.state in rehearsalmod.BLOCKED_WHILE

    def _next_deadline(self) -> int | None:
        deadlines = [r.next_deadline_us() for r in (self.record, self.rehearsal_record)]
        return min((d for d in deadlines if d is not None), default=None)

    def _clock_policy(self) -> list[fx.Effect]:
        allowed = rehearsalmod.active(self.record, self.rehearsal_record) is None
        if allowed == self._steps_allowed:
            return []
        self._steps_allowed = allowed
        return [fx.ClockSteps(allowed)]

    def _record_show(self, record: ShowRecord, now: int) -> None:
        """A record for the show log (a rehearsal's is flagged: the report leaves it out)."""
        self.recorder.show(now, record.state.value, start_at_us=record.start_at_us, revision=record.revision,
                           duration_us=record.duration_us, rehearsal=bool(record.rehearsal))

    def _apply(self, transitions: list[showmod.Transition] | tuple[showmod.Transition, ...]) -> list[fx.Effect]:
        for rec in _lasts(transitions):
            if rec.rehearsal:
                self.rehearsal_record = rec
            else:
                self.record = rec
        for t in transitions:
            log.info("show %s%s: %s -> %s (revision %d)", self.bundle.show_id,
                     " rehearsal" if t.after.rehearsal else "", t.before.state.value, t.after.state.value,
                     t.after.revision)
            self._record_show(t.after, t.after.changed_at_us)
        self._feed_dirty = True
        deadline = self._next_deadline()
        return self._clock_policy() + ([fx.Schedule(deadline)] if deadline is not None else [])

    def _show_broadcast(self, record: ShowRecord) -> list[fx.Effect]:
        """``record`` for phones and consoles."""
        text = m.to_wire(m.show_message(record))
        return [fx.Publish(PARTICIPANTS, text), fx.Publish(CONSOLES, text)]

    def _shows_broadcast(self, transitions: tuple[showmod.Transition, ...]) -> list[fx.Effect]:
        """The last record of each show (real, rehearsal) a written batch moved, in revision order."""
        return [e for record in _lasts(transitions) for e in self._show_broadcast(record)]

    def _advance(self, now: int) -> list[fx.Effect]:
        """Clock-driven transitions: applied now, broadcast once their write was tried."""
        if self._durable_pending:
            return []  # a durable change may replace the record: decide after it
        transitions = showmod.advance(self.record, now) + showmod.advance(self.rehearsal_record, now)
        if not transitions:
            return []
        out = self._apply(transitions)
        self._applied_unwritten += 1
        return out + self.writeback.submit(Part(transitions=tuple(transitions), reply=_Broadcast()), now)

    def catch_up(self, now: int) -> list[fx.Effect]:
        """What the clock has made due by ``now``: write retries, clock transitions, seat
        expiry (before every admission, command and console welcome: never behind the clock)."""
        out = self.writeback.retry(now)
        out += self._advance(now)
        if self.registry.seats.expire(now):
            self._feed_dirty = True
        return out + self._reveal(now)

    def _reveal(self, now: int) -> list[fx.Effect]:
        """A surprise show's reveal, once per run, when its time has come: each group's
        phones get their group (conductor/surprise.py)."""
        s = self.surprise
        if s is None or not s.revealed(self.record, now) or self._revealed_run == self.record.start_at_us:
            return []
        self._revealed_run = self.record.start_at_us
        log.info("show %s: the groups are revealed", self.bundle.show_id)
        return [fx.Publish(group_topic(g.id), s.reveal_frame(g.id)) for g in self.bundle.groups]

    def welcome_extras(self, group_id: str, now: int) -> list[str]:
        """Frames that follow a welcome: the reveal, once it happened (a phone joining late)."""
        s = self.surprise
        return [s.reveal_frame(group_id)] if s is not None and s.revealed(self.record, now) else []

    def challenge_frame(self, group_id: str, c: Challenge) -> str:
        """A challenge as the phone gets it (a surprise show's names the alias path)."""
        msg = challenge_message(c)
        if self.surprise is not None:
            msg = m.ChallengeMsg(id=c.id, path=self.surprise.alias_path(group_id, c.path), offset=c.offset,
                                 length=c.length)
        return m.to_wire(msg)

    def tick(self, now: int) -> list[fx.Effect]:
        """The ticker: :meth:`catch_up`, the feed (after a change, at least every
        ``FEED_FORCE_US``); then the next Schedule (in ``TICK_US``, or the show's deadline)."""
        out = self.catch_up(now)
        force = self._last_forced_feed_us is None or now - self._last_forced_feed_us >= FEED_FORCE_US
        if force:
            self._last_forced_feed_us = now
        out += self.publish_feed(now, force=force)
        wake = now + TICK_US
        deadline = self._next_deadline()
        if deadline is not None:
            wake = min(wake, max(now + 1_000, deadline))
        reveal = self.surprise.reveal_deadline_us(self.record) if self.surprise is not None else None
        if reveal is not None and reveal > now and self._revealed_run != self.record.start_at_us:
            wake = min(wake, max(now + 1_000, reveal))
        out.append(fx.Schedule(wake))
        return out

    def time_served(self) -> list[fx.Effect]:
        """A client got a sync reply: from now on server time never steps backwards."""
        if self.served:
            return []
        self.served = True
        return [fx.TimeServed()]

    # -- console commands -------------------------------------------------------------

    def command(self, cid: int | None, msg: Any, now: int) -> list[fx.Effect]:
        """A console command from connection ``cid``: effects, among them its ack or error
        (addressed to ``cid``; sent once what it changed is written)."""
        if self._durable_pending:
            self._waiting.append((cid, msg, now))
            return []
        out = self.catch_up(now)  # clock-driven transitions first: they need no write to be applied
        try:
            out += self._command(cid, msg, now)
        except IllegalTransition as exc:
            out.append(self._refusal(cid, m.ILLEGAL_TRANSITION, str(exc), msg))
        except CommandError as exc:
            out.append(self._refusal(cid, exc.code, exc.message, msg))
        return out

    def _refusal(self, cid: int | None, code: str, message: str, msg: Any) -> fx.Send:
        return fx.Send(m.to_wire(m.error(code, message, ref=getattr(msg, "ref", None))), to=cid)

    def _ack(self, cid: int | None, ref: str | None, command: str, rehearsal: bool = False) -> fx.Send:
        show = self.rehearsal_record if rehearsal else self.show_info()
        return fx.Send(m.to_wire(m.Ack(ref=ref, command=command, show=show)), to=cid)

    def _command(self, cid: int | None, msg: Any, now: int) -> list[fx.Effect]:
        if isinstance(msg, m.Announce):
            return self._announce(cid, msg, now)
        if isinstance(msg, m.Release):
            return self._release(cid, msg, now)
        event = show_event(msg, now)
        if msg.rehearsal and self.options.shared:
            raise CommandError(m.UNAVAILABLE, "a rehearsal needs one conductor: it is not available with several "
                               "(--redis), whose nodes follow the show's record only; nothing changed")
        transitions = tuple(rehearsalmod.apply(self.record, self.rehearsal_record, event, now,
                                               to_rehearsal=msg.rehearsal, min_lead_us=self.options.min_lead_us))
        if isinstance(event, showmod.Abort) and not self.options.shared:  # stopping always works: applied now
            out = self._apply(transitions)
            self._applied_unwritten += 1
            part = Part(transitions=transitions, reply=_Broadcast(cid, msg.ref, msg.TYPE, rehearsal=msg.rehearsal))
            return out + self.writeback.submit(part, now)
        self._durable_pending += 1
        part = Part(transitions=transitions, durable=True,
                    reply=_Command(cid, msg.ref, msg.TYPE, after=transitions[-1].after, rehearsal=msg.rehearsal))
        return self.writeback.submit(part, now)

    def _release(self, cid: int | None, msg: m.Release, now: int) -> list[fx.Effect]:
        """Release pending seats, or the confirmed seats of phones with no open socket."""
        seats = self.registry.seats
        if msg.scope == "pending":
            n = seats.release_pending()
            log.info("console released %d pending seat(s)", n)
            self._feed_dirty = True
            return self.publish_feed(now, force=True) + [self._ack(cid, msg.ref, msg.TYPE)]
        if self.options.shared:  # this node sees only its own sockets: it would free seats held elsewhere
            raise CommandError(m.UNAVAILABLE, "release offline is not available with several conductors "
                               "(--redis): a node sees only its own phones' sockets; nothing was released")
        gone = seats.offline(lambda pid: pid in self.telemetry.live)
        if not gone:
            log.info("console released 0 offline seat(s)")
            return self.publish_feed(now, force=True) + [self._ack(cid, msg.ref, msg.TYPE)]
        self._durable_pending += 1  # persist, then apply
        part = Part(writes=(fx.RemoveParticipants(tuple(gone)),), durable=True,
                    reply=_Command(cid, msg.ref, msg.TYPE, released=tuple(gone)))
        return self.writeback.submit(part, now)

    # -- announcements ------------------------------------------------------------------

    def _announce(self, cid: int | None, msg: m.Announce, now: int) -> list[fx.Effect]:
        check_group(self.bundle, msg.group)
        if self.shared is not None:  # ids unique across the nodes (phones tell announcements apart by id)
            try:
                self._last_announcement_id = self.shared.next_announcement_id()
            except OSError as exc:
                raise CommandError(m.UNAVAILABLE, f"not sent: {exc}; nothing was announced, try again") from None
        else:
            self._last_announcement_id += 1
        info = m.AnnouncementInfo(id=self._last_announcement_id, level=msg.level, text=msg.text, group=msg.group,
                                  sent_at_us=now)
        part = Part(writes=(fx.AddAnnouncement(info),),
                    reply=_Broadcast(cid, msg.ref, msg.TYPE, announcement=info))  # never refused
        return self.writeback.submit(part, now)

    def recent_announcements(self, group_id: str | None = None, *, since_us: int | None = None,
                             limit: int = 20) -> tuple[m.AnnouncementInfo, ...]:
        out = self._announcements[-limit:] if group_id is None and since_us is None else self._announcements
        if since_us is not None:
            out = [a for a in out if a.sent_at_us >= since_us]
        if group_id is not None:
            out = [a for a in out if a.group in (None, group_id)]
        return tuple(out[-limit:])

    # -- write outcomes ---------------------------------------------------------------

    def persisted(self, token: int, outcomes: tuple[fx.WriteFailure | None, ...], now: int) -> list[fx.Effect]:
        """The store writer's outcome of Persist ``token``: what was waiting on it happens now."""
        results, effects = self.writeback.completed(token, outcomes, now)
        out: list[fx.Effect] = list(effects)
        for part, failure in results:
            reply = part.reply
            if isinstance(reply, _Command):
                self._durable_pending -= 1
                out += self._durable_done(part, reply, failure, now)
            elif isinstance(reply, _Seat):
                if failure is None:
                    self.recorder.seat(now, reply.participant_id, reply.group)
                out += self._seat_done(reply, failure)
            elif isinstance(reply, _Broadcast):
                if part.transitions:
                    self._applied_unwritten -= 1
                if failure is not None and failure.kind == "conflict":  # another node's record won
                    out += self.converge(failure.record, now, superseded=True)
                    if reply.command is not None:
                        out.append(self._refusal(reply.cid, m.ILLEGAL_TRANSITION, f"not applied: {failure.description}; "
                                                 "the show is as the console now shows it", reply))
                    continue
                if failure is not None and self.options.shared and reply.announcement is not None:
                    out.append(self._refusal(reply.cid, m.UNAVAILABLE, f"not sent: {failure.description}; "
                                             "nothing was announced, try again", reply))
                    continue
                if failure is not None and part.transitions:
                    log.warning("show %s: revision %d NOT WRITTEN yet (retried every second)", self.bundle.show_id,
                                part.transitions[-1].after.revision)
                if reply.announcement is not None:
                    out += self._announcement_out(reply.announcement)
                elif part.transitions and part.transitions[-1].after.revision > self._superseded_through:
                    out += self._shows_broadcast(part.transitions)
                if reply.command is not None:
                    out += self.publish_feed(now, force=True)
                    out.append(self._ack(reply.cid, reply.ref, reply.command, reply.rehearsal))
        lost = next((f for f in outcomes if f is not None and f.kind == "conflict"), None)
        if lost is not None:  # also a retried transition (no part of its own): the stored record won
            out += self.converge(lost.record, now, superseded=True)
        if not self._durable_pending and self._converge_pending is not None:
            record, self._converge_pending = self._converge_pending, None
            out += self.converge(record, now, superseded=True)
        if not self._durable_pending and self._waiting:
            waiting, self._waiting = self._waiting, []
            for cid, msg, _ in waiting:
                out += self.command(cid, msg, now)
        if not self._durable_pending:
            out += self._advance(now)
        if self._feed_deferred and not self._applied_unwritten:
            out += self.publish_feed(now, force=True)
        return out

    def _durable_done(self, part: Part, reply: _Command, failure: fx.WriteFailure | None,
                      now: int) -> list[fx.Effect]:
        if failure is not None:
            what = "released" if reply.released is not None else "applied"
            if failure.kind == "conflict":
                text = (f"not {what}: {failure.description}; nothing of this command changed, the show is as "
                        "the console now shows it")
                return ([fx.Send(m.to_wire(m.error(m.ILLEGAL_TRANSITION, text, ref=reply.ref)), to=reply.cid)]
                        + self._converge_later(failure.record))
            extra = "" if reply.released is not None or self.options.shared else " (abort still works)"
            text = f"not {what}: {failure.description}; nothing changed, try again{extra}"
            return [fx.Send(m.to_wire(m.error(m.UNAVAILABLE, text, ref=reply.ref)), to=reply.cid)]
        out: list[fx.Effect] = []
        if reply.released is not None:
            n = self.registry.seats.release(list(reply.released))
            log.info("console released %d offline seat(s)", n)
            self._feed_dirty = True
        else:
            out += self._apply(part.transitions)
            out += self._shows_broadcast(part.transitions)
        out += self.publish_feed(now, force=True)
        out.append(self._ack(reply.cid, reply.ref, reply.command, reply.rehearsal))
        return out

    def _converge_later(self, record: ShowRecord | None) -> list[fx.Effect]:
        """A durable command lost: adopt the winner once nothing durable is pending (persisted runs it)."""
        self._converge_pending = record
        return []

    # -- other conductors (a shared store) ------------------------------------------------

    def converge(self, record: ShowRecord | None, now: int, *, superseded: bool = False) -> list[fx.Effect]:
        """A show record read from the shared store (another conductor wrote it).

        Adopted when newer than this node's (or, ``superseded``, when this node's
        write lost the compare-and-set at the same revision): its phones and consoles
        get it as a ``show`` broadcast, unwritten transitions of this node are dropped
        (they lost), the clock then advances it.  While a durable command of this
        node is being written it waits: that write's outcome decides."""
        if record is None:  # Redis restarted without its data: put back the record this node holds
            if self._durable_pending or self.writeback.busy or self.shared is None:
                return []
            log.warning("show %s: the shared store has no show record: writing back revision %d (%s)",
                        self.bundle.show_id, self.record.revision, self.record.state.value)
            return self.writeback.submit(Part(writes=(fx.SaveRecord(self.record),)), now)
        if self._durable_pending:
            self._converge_pending = record
            return []
        if record == self.record or record.revision < self.record.revision:
            return []
        if record.revision == self.record.revision and not superseded and (
                self.writeback.busy or self.writeback.transitions_unwritten):
            return []  # this node's own unwritten branch: its retry wins or loses the compare-and-set
        log.warning("show %s: adopting revision %d (%s) written by another conductor (this one had %d, %s)",
                    self.bundle.show_id, record.revision, record.state.value, self.record.revision,
                    self.record.state.value)
        self.writeback.transitions_unwritten = []
        self._superseded_through = max(self._superseded_through, record.revision)
        self.record = record
        self._record_show(record, record.changed_at_us)  # the show log: another node's transition, seen here
        self._feed_dirty = True
        deadline = record.next_deadline_us()
        out = self._clock_policy() + ([fx.Schedule(deadline)] if deadline is not None else [])
        out += self._show_broadcast(record)
        out += self._advance(now)
        out += self.publish_feed(now, force=True)
        return out

    def cluster_changed(self) -> None:
        """What the other nodes published changed (their phones, the seats): the feed is resent."""
        self._feed_dirty = True

    @property
    def last_announcement_id(self) -> int:
        """The highest announcement id this node knows (its own or another node's)."""
        return self._last_announcement_id

    def announced(self, info: m.AnnouncementInfo) -> list[fx.Effect]:
        """An announcement another conductor stored: for this node's phones (once per id)."""
        self._last_announcement_id = max(self._last_announcement_id, info.id)
        return self._announcement_out(info)

    def _announcement_out(self, info: m.AnnouncementInfo) -> list[fx.Effect]:
        if any(a.id == info.id for a in self._announcements):
            return []  # already out (a shared store's nudge of this node's own, or a repeat)
        self._announcements.append(info)
        del self._announcements[:-max(self.options.announcements_kept, 5)]
        self._feed_dirty = True
        shown = self.surprise.announcement(info) if self.surprise is not None else info
        text = m.to_wire(m.Announcement(**m.to_dict(shown)))
        return [fx.Publish(PARTICIPANTS if info.group is None else group_topic(info.group), text)]

    # -- participants -------------------------------------------------------------------

    def admit(self, hello: m.Hello, now: int) -> tuple[Admission, m.Welcome, list[fx.Effect]]:
        """Admit (or re-admit) a phone into a seat; raises registry.JoinRefused.

        Nothing is written: a seat is stored when it is confirmed (:meth:`answer`),
        so newcomers get in even while the state cannot be written.
        ``Admission.challenge`` is what the phone must answer (None: confirmed)."""
        out = self.catch_up(now)  # the welcome must not show a state the clock has already left
        adm = self.registry.admit(hello, now)
        self._feed_dirty = True
        self.recorder.joined(now, adm.participant_id, adm.group, confirmed=adm.challenge is None, known=not adm.new)
        recent = self.recent_announcements(adm.group, since_us=now - ANNOUNCEMENT_MEMORY_US, limit=5)
        group, manifest_url = adm.group, self.manifest_url
        if self.surprise is not None:  # the phone is not told its group (conductor/surprise.py)
            group, manifest_url = ALIAS, self.surprise.manifest_url(adm.participant_id)
            recent = tuple(self.surprise.announcement(a) for a in recent)
        welcome = m.Welcome(participant_id=adm.participant_id, group=group, manifest_url=manifest_url,
                            show=self.followed, server_time_us=now, announcements=recent,
                            seat="pending" if adm.challenge else "confirmed")
        return adm, welcome, out

    def answer(self, cid: int | None, participant_id: str, group: str, msg: m.Answer,
               now: int) -> tuple[Answered, list[fx.Effect]]:
        """A phone's answer to its challenge.  ``confirmed``: the seat is written and the
        phone told (``seat`` frame to ``cid``) once it is stored; when the store cannot
        write it, the seat goes back to pending and the phone is told ``unavailable``
        (close 1013: it reconnects and answers again; the alarm ``store.write`` says why)."""
        result = self.registry.seats.answer(participant_id, group, msg.id, msg.sha256, now)
        self._feed_dirty = True
        if result.outcome != "confirmed" or not result.effects:
            return result, []
        writes = tuple(fx.AddParticipant(e.pid, e.group, e.at_us) for e in result.effects if isinstance(e, StoreSeat))
        return result, self.writeback.submit(Part(writes=writes, reply=_Seat(cid, participant_id, group)), now)

    def _seat_done(self, reply: _Seat, failure: fx.WriteFailure | None) -> list[fx.Effect]:
        self._feed_dirty = True
        if failure is not None and failure.kind == "full":  # the whole show's seats (a shared store)
            self.registry.seats.refuse(reply.participant_id)
            err = full_refusal(self.options.capacity)
            return [fx.Send(m.to_wire(m.error(err.code, err.message, fatal=True)), to=reply.cid),
                    fx.Close(m.CLOSE_FULL, err.code, to=reply.cid)]
        if failure is not None:
            self.registry.seats.unconfirm(reply.participant_id)  # memory never claims what the store lacks
            err = m.error(m.UNAVAILABLE, "The conductor cannot confirm seats right now; your phone retries "
                          "by itself in a few seconds.", fatal=True)
            return [fx.Send(m.to_wire(err), to=reply.cid), fx.Close(m.CLOSE_TRY_AGAIN, m.UNAVAILABLE, to=reply.cid)]
        log.debug("seat %s confirmed (%s)", reply.participant_id, reply.group)
        return [fx.Send(m.to_wire(m.SeatMsg(state="confirmed", participant_id=reply.participant_id)), to=reply.cid)]

    def report(self, participant_id: str, status: m.Status, now: int) -> None:
        """A phone's status (the hot path): no effects."""
        record = self.followed
        expected = None
        if record.state is State.RUNNING and record.start_at_us is not None:
            expected = now - record.start_at_us
        self.telemetry.report(participant_id, status, expected_position_us=expected)
        self._feed_dirty = True
        pos = status.position_us
        self.recorder.status(now, participant_id, verified=status.verified, sync_error_us=status.sync_error_us,
                             engine=status.engine, output_latency_us=status.output_latency_us, position_us=pos,
                             drift_us=None if pos is None or expected is None else pos - expected,
                             trouble=status.trouble)

    def connected(self, participant_id: str) -> None:
        self.telemetry.connected(participant_id)
        self._feed_dirty = True

    def disconnected(self, participant_id: str, now: int | None = None) -> None:
        """A socket of the participant closed (``now``: when; None: the last event's time, for the log)."""
        self.telemetry.disconnected(participant_id)
        self.recorder.left(now, participant_id)
        self._feed_dirty = True

    # -- console ------------------------------------------------------------------------

    def check_console_token(self, token: str) -> bool:
        return same_secret(token, self.options.console_token)

    def console_welcome(self, now: int) -> m.ConsoleWelcome:
        group_urls = None
        if self.options.assign == "fixed":
            group_urls = {g.id: self.join_url(g.id) for g in self.bundle.groups}
        return m.ConsoleWelcome(show_id=self.bundle.show_id, title=self.bundle.title, show=self.show_info(),
                                server_time_us=now, assign=self.options.assign,
                                capacity=self.options.capacity, min_lead_us=self.options.min_lead_us,
                                join_url=self.join_url(), group_join_urls=group_urls, rehearsal=self.rehearsal_record)

    def feed(self, now: int) -> ConsoleFeed:
        reg, tel = self.registry, self.telemetry
        groups = tel.group_counts(reg.seats)
        agg = tel.aggregate()
        self._feed_dirty = False
        alarms = self.alarms.snapshot() if self.alarms is not None else ()
        seats = reg.seats.summary()
        participants_total = len(reg.seats.confirmed)
        node_list: tuple[m.NodeInfo, ...] = ()
        sync_error, engines, trouble = agg.sync_error, agg.engines, agg.trouble
        cluster = self.cluster()
        if cluster is not None:  # several conductors: whole-show totals (conductor/nodes.py)
            groups = nodes.whole_groups(cluster, groups, now)
            participants_total = seats["confirmed"] = cluster.confirmed_total
            seats["pending"] += sum(h.pending for h in cluster.fresh(now) if h.node != cluster.node)
            node_list = nodes.node_infos(cluster, now)
            sync_error, eng, tro = nodes.whole_tallies(cluster, agg.sync_error, agg.engines.to_json(),
                                                       agg.trouble.to_json(), now)
            engines, trouble = Tally.of(eng), Tally.of(tro)
        return ConsoleFeed(show=self.show_info(), server_time_us=now, groups=groups,
                           participants_total=participants_total,
                           connected_total=sum(g.connected for g in groups), capacity=self.options.capacity,
                           sync_error=sync_error, engines=engines, drift=agg.drift,
                           output_latency=agg.output_latency, ntp=self.ntp_status(),
                           seats=m.SeatCounts(**seats),
                           announcements=self.recent_announcements(limit=self.options.announcements_kept),
                           alarms=alarms, trouble=trouble, nodes=node_list, rehearsal=self.rehearsal_record,
                           offsets=agg.offsets)

    def publish_feed(self, now: int, *, force: bool = False) -> list[fx.Effect]:
        """The feed for consoles if something changed (or ``force``), and anyone listens."""
        version = self.alarms.version if self.alarms is not None else 0
        if self._alarms_version != version:  # raised or cleared (maybe from the NTP thread)
            self._alarms_version = version
            self._feed_dirty = True
        if self.audience(CONSOLES) == 0 or not (force or self._feed_dirty):
            return []
        if self._applied_unwritten:  # the feed waits for the write (its alarm) of what the show just did
            self._feed_deferred = True
            return []
        self._feed_deferred = False
        self._feed_dirty = False
        return [fx.PublishFeed()]
