"""The conductor service: one show, its participants, its consoles.

It ties the cores together and is the only place where state changes:

* show commands go through :mod:`conductor.show` (pure), are written to the
  :class:`~conductor.store.StateStore`, *then* applied in memory and broadcast
  through the :class:`~conductor.hub.Hub`;
* :meth:`tick` advances the show with the clock (armed -> running -> ended),
  persisting before broadcasting as well; it returns the next deadline;
* participants are admitted by the :class:`~conductor.registry.Registry`
  into seats (:mod:`conductor.seats`): a seat is stored when its phone answers
  the challenge over its group's files (confirmed), never before, and removed
  from the store when the console releases it.

When the state cannot be written (disk full, I/O error; docs/protocol.md
"Persistence", :mod:`conductor.persist`), the show goes on: clock-driven
transitions (``running``, ``ended``), ``abort`` and announcements are applied
and broadcast anyway and written later (retried from :meth:`tick`); ``arm``,
``cancel`` and ``reset`` are refused with ``unavailable`` (an armed start time
is only broadcast once it is durable); a *new* participant is refused with
``unavailable`` (close 1013, the phone retries) and forgotten, so memory and
storage agree on who is admitted; known participants rejoin (reads need no
writes).  Failures keep one console alarm ``store.write``.

All methods are synchronous and called from the event loop thread; time comes
from the injected clock (``now() -> µs``).  Sockets live in ``session.py`` and
``app.py``; this module never awaits.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flashmob.contract import urls

from . import messages as m
from . import seats as seatrule
from . import show as showmod
from .alarms import Alarms
from .persist import STORE_ALARM, Persistence, StoreUnavailable  # noqa: F401  (STORE_ALARM: re-exported)
from .bundle import Bundle
from .hub import Hub, LocalHub
from .proof import RangeDigest, challenge_files
from .registry import Admission, JoinRefused, Registry  # noqa: F401  (JoinRefused: raised through admit)
from .seats import Answered, Challenge, Policy, SeatBook, StoreSeat
from .show import ShowRecord, State
from .store import StateStore
from .tokens import GroupSigner, same_secret

log = logging.getLogger("flashmob.conductor")

ANNOUNCEMENT_MEMORY_US = 15 * 60 * 1_000_000
"""Announcements newer than this are replayed to phones that (re)join."""

MAX_LEAD_US = 366 * 24 * 3600 * 1_000_000
"""Arming further ahead than this is refused (keeps times far below 2**53)."""

PARTICIPANTS = "participants"
CONSOLES = "consoles"


def group_topic(group_id: str) -> str:
    return f"group:{group_id}"


class CommandError(Exception):
    """A console command that is well-formed but cannot be applied."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
    extra: dict = field(default_factory=dict)


class Conductor:
    def __init__(self, bundle: Bundle, store: StateStore, now: Callable[[], int], options: Options, *,
                 hub: Hub | None = None, ntp_status: Callable[[], dict] = dict,
                 allow_clock_steps: Callable[[bool], None] = lambda allowed: None,
                 alarms: Alarms | None = None, time_served: Callable[[], None] = lambda: None) -> None:
        if not options.console_token:
            raise ValueError("a console token is required")
        self.bundle = bundle
        self.store = store
        self.now = now
        self.options = options
        self.hub: Hub = hub or LocalHub()
        self.ntp_status = ntp_status
        self._allow_clock_steps = allow_clock_steps
        self.alarms = alarms or Alarms(now)
        self._time_served = time_served
        self._served = False
        self.persist = Persistence(store, bundle.show_id, now, self.alarms)
        self._alarms_version = -1
        # the shell resolves the show's secret (flashmob.contract.secret.resolve_group_secret);
        # a core run without one (tests) keeps one in its store
        secret = options.group_secret if options.group_secret is not None else store.secret("group")
        self.signer = GroupSigner(secret, bundle.show_id)
        record = store.load_show(bundle.show_id)
        if record is None:
            record = showmod.new_record(bundle.duration_us)
            store.save_record(bundle.show_id, record)
        elif record.state is State.LOBBY and record.duration_us != bundle.duration_us:
            record = dataclasses.replace(record, duration_us=bundle.duration_us)
            store.save_record(bundle.show_id, record)
        self.record: ShowRecord = record
        policy = Policy(capacity=options.capacity, max_pending=options.max_pending,
                        pending_ttl_us=options.confirm_timeout_us, challenge_bytes=options.challenge_bytes)
        self.digest = RangeDigest(bundle.root)
        seats = SeatBook(policy, challenge_files(bundle), digest=self.digest,
                         confirmed=store.participants(bundle.show_id), confirmed_at=now())
        self.registry = Registry(bundle.groups, seats, options.assign, signer=self.signer)
        self._feed_dirty = True
        self._update_clock_policy()
        self.tick()  # a restarted conductor catches up with the clock at once

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

    def show_info(self) -> m.ShowInfo:
        return self.record  # the record is its own wire form (conductor/show.py)

    def _commit(self, transitions: list[showmod.Transition], *, durable: bool = False) -> None:
        """Persist, then apply, then broadcast (in that order).  When the write
        fails, a ``durable`` change is refused (CommandError ``unavailable``,
        nothing changed); any other is applied and broadcast anyway and its
        write retried (conductor/persist.py)."""
        if not transitions:
            return
        try:
            written = self.persist.save_transitions(transitions, durable=durable)
        except StoreUnavailable as exc:
            raise CommandError(m.UNAVAILABLE, f"not applied: {exc}; nothing changed, try again "
                                              "(abort still works)") from None
        self.record = transitions[-1].after
        self._update_clock_policy()
        for t in transitions:
            log.info("show %s: %s -> %s (revision %d)%s", self.bundle.show_id, t.before.state.value,
                     t.after.state.value, t.after.revision, "" if written else " (NOT WRITTEN yet)")
        text = m.to_wire(m.show_message(self.record))
        self.hub.publish(PARTICIPANTS, text)
        self.hub.publish(CONSOLES, text)
        self._feed_dirty = True

    def time_served(self) -> None:
        """A client got a sync reply: from now on server time never steps backwards."""
        if not self._served:
            self._served = True
            self._time_served()

    def _update_clock_policy(self) -> None:
        self._allow_clock_steps(self.record.state not in (State.ARMED, State.RUNNING))

    def tick(self) -> int | None:
        """Apply clock-driven transitions, retry pending writes, expire pending seats;
        return the next show deadline (server µs)."""
        if self.persist.retry():
            self._feed_dirty = True
        now = self.now()
        self._commit(showmod.advance(self.record, now))
        if self.registry.seats.expire(now):
            self._feed_dirty = True
        return self.record.next_deadline_us()

    def command(self, msg: m.Arm | m.Cancel | m.Abort | m.Reset | m.Announce | m.Release) -> m.Ack:
        """Apply a console command; raises CommandError or IllegalTransition."""
        self.tick()  # clock-driven transitions first: they need no write to be applied
        now = self.now()
        if isinstance(msg, m.Announce):
            self.announce(msg, now)
            return m.Ack(ref=msg.ref, command=msg.TYPE, show=self.show_info())
        if isinstance(msg, m.Release):
            self.release(msg.scope)
            return m.Ack(ref=msg.ref, command=msg.TYPE, show=self.show_info())
        event: showmod.Event
        if isinstance(msg, m.Arm):
            if (msg.start_at_us is None) == (msg.in_ms is None):
                raise CommandError(m.INVALID_COMMAND, "arm needs exactly one of start_at_us or in_ms")
            start = msg.start_at_us if msg.start_at_us is not None else now + msg.in_ms * 1000  # type: ignore
            if start > now + MAX_LEAD_US:
                raise CommandError(m.INVALID_COMMAND, "the start time is more than a year away")
            event = showmod.Arm(start_at_us=start)
        elif isinstance(msg, m.Cancel):
            event = showmod.Cancel()
        elif isinstance(msg, m.Abort):
            event = showmod.Abort(reason=msg.reason)
        elif isinstance(msg, m.Reset):
            event = showmod.Reset()
        else:  # pragma: no cover - the parser only lets the types above through
            raise CommandError(m.INVALID_COMMAND, f"unknown command {msg!r}")
        self._commit(showmod.apply(self.record, event, now, min_lead_us=self.options.min_lead_us),
                     durable=not isinstance(event, showmod.Abort))
        return m.Ack(ref=msg.ref, command=msg.TYPE, show=self.show_info())

    # -- announcements ------------------------------------------------------------------

    def announce(self, msg: m.Announce, now: int) -> m.AnnouncementInfo:
        if msg.group is not None and self.bundle.group(msg.group) is None:
            raise CommandError(m.INVALID_COMMAND, f"there is no group {msg.group!r} "
                                                  f"(groups: {', '.join(self.bundle.group_ids)})")
        info = self.persist.add_announcement(msg.level, msg.text, msg.group, now)  # never refused
        text = m.to_wire(m.Announcement(**m.to_dict(info)))
        self.hub.publish(PARTICIPANTS if msg.group is None else group_topic(msg.group), text)
        self._feed_dirty = True
        return info

    def recent_announcements(self, group_id: str | None = None, *, since_us: int | None = None,
                             limit: int = 20) -> tuple[m.AnnouncementInfo, ...]:
        rows = self.store.announcements(self.bundle.show_id, limit)
        out = [m.AnnouncementInfo(id=r[0], level=r[1], text=r[2], group=r[3], sent_at_us=r[4]) for r in rows]
        out = (out + self.persist.announcements_pending)[-limit:]  # broadcast, not yet written
        if since_us is not None:
            out = [a for a in out if a.sent_at_us >= since_us]
        if group_id is not None:
            out = [a for a in out if a.group in (None, group_id)]
        return tuple(out)

    # -- participants -------------------------------------------------------------------

    def admit(self, hello: m.Hello) -> tuple[Admission, m.Welcome]:
        """Admit (or re-admit) a phone into a seat; raises registry.JoinRefused.

        Nothing is written: a seat is stored when it is confirmed (:meth:`answer`),
        so newcomers get in even while the state cannot be written.
        ``Admission.challenge`` is what the phone must answer (None: confirmed)."""
        self.tick()  # the welcome must not show a state the clock has already left
        now = self.now()
        adm = self.registry.admit(hello, now)
        self._feed_dirty = True
        recent = self.recent_announcements(adm.group, since_us=now - ANNOUNCEMENT_MEMORY_US, limit=5)
        welcome = m.Welcome(participant_id=adm.participant_id, group=adm.group, manifest_url=self.manifest_url,
                            show=self.show_info(), server_time_us=self.now(), announcements=recent,
                            seat="pending" if adm.challenge else "confirmed")
        return adm, welcome

    def answer(self, participant_id: str, group: str, msg: m.Answer) -> Answered:
        """A phone's answer to its challenge; a confirmed seat is stored before this returns.

        When the store cannot write it, the seat stays pending and the outcome
        is ``unavailable`` (the phone reconnects and answers again: one alarm,
        ``store.write``, says why)."""
        result = self.registry.seats.answer(participant_id, group, msg.id, msg.sha256, self.now())
        if result.outcome == "confirmed" and result.effects:
            try:
                for e in result.effects:
                    if isinstance(e, StoreSeat):
                        self.persist.add_participant(e.pid, e.group, e.at_us)
            except StoreUnavailable:
                self.registry.seats.unconfirm(participant_id)  # memory never claims what the store lacks
                result = Answered("unavailable")
            except Exception:
                self.registry.seats.unconfirm(participant_id)
                raise
            else:
                log.debug("seat %s confirmed (%s)", participant_id, group)
        self._feed_dirty = True
        return result

    def release(self, scope: str) -> int:
        """Console: release pending seats, or the confirmed seats of phones with no open socket."""
        seats = self.registry.seats
        if scope == "pending":
            n = seats.release_pending()
        else:
            gone = seats.offline(lambda pid: pid in self.registry.live)
            if gone:
                try:
                    self.persist.remove_participants(gone)  # persist, then apply
                except StoreUnavailable as exc:
                    raise CommandError(m.UNAVAILABLE, f"not released: {exc}; nothing changed, try again") from None
            n = seats.release(gone)
        log.info("console released %d %s seat(s)", n, scope)
        self._feed_dirty = True
        return n

    def report(self, participant_id: str, status: m.Status) -> None:
        start = self.record.start_at_us
        expected = None
        if self.record.state is State.RUNNING and start is not None:
            expected = self.now() - start
        self.registry.report(participant_id, status, expected_position_us=expected)
        self._feed_dirty = True

    def connected(self, participant_id: str) -> None:
        self.registry.connected(participant_id)
        self._feed_dirty = True

    def disconnected(self, participant_id: str) -> None:
        self.registry.disconnected(participant_id)
        self._feed_dirty = True

    # -- console ------------------------------------------------------------------------

    def check_console_token(self, token: str) -> bool:
        return same_secret(token, self.options.console_token)

    def console_welcome(self) -> m.ConsoleWelcome:
        self.tick()
        urls = None
        if self.options.assign == "fixed":
            urls = {g.id: self.join_url(g.id) for g in self.bundle.groups}
        return m.ConsoleWelcome(show_id=self.bundle.show_id, title=self.bundle.title, show=self.show_info(),
                                server_time_us=self.now(), assign=self.options.assign,
                                capacity=self.options.capacity, min_lead_us=self.options.min_lead_us,
                                join_url=self.join_url(), group_join_urls=urls)

    def feed(self) -> m.Feed:
        reg = self.registry
        groups = reg.group_counts()
        self._feed_dirty = False
        return m.Feed(show=self.show_info(), server_time_us=self.now(), groups=groups,
                      participants_total=len(reg.seats.confirmed), connected_total=sum(g.connected for g in groups),
                      capacity=self.options.capacity, sync_error=reg.sync_histogram(), engines=reg.engines(),
                      drift=reg.drift(), output_latency=reg.output_latency(), ntp=self.ntp_status(),
                      seats=m.SeatCounts(**reg.seats.summary()),
                      announcements=self.recent_announcements(limit=self.options.announcements_kept),
                       alarms=self.alarms.snapshot(),
                       trouble=reg.trouble())

    def publish_feed(self, *, force: bool = False) -> bool:
        """Send the feed to consoles if something changed (or ``force``)."""
        if self._alarms_version != self.alarms.version:  # raised or cleared (maybe from the NTP thread)
            self._alarms_version = self.alarms.version
            self._feed_dirty = True
        if self.hub.count(CONSOLES) == 0 or not (force or self._feed_dirty):
            return False
        self.hub.publish(CONSOLES, m.to_wire(self.feed()))
        return True


def challenge_message(c: Challenge) -> m.ChallengeMsg:
    return m.ChallengeMsg(id=c.id, path=c.path, offset=c.offset, length=c.length)
