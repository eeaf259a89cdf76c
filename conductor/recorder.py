"""The show log's recorder: the core's events as fixed-size records, bounded — sans-I/O.

Fed by the conductor core (:mod:`conductor.service`) with the events it already
handles and their time (``now``, server µs): a conductor's start, the show's
transitions, admissions, confirmed seats, closed sockets and ``status`` frames.
It packs them into the records of :mod:`flashmob.contract.showlog` (32 bytes
each) in a buffer that the shell drains (:meth:`Recorder.take`) and appends to
the log file (:mod:`conductor.showlogfile`).  It never reads a clock or a file.

Bounds (20,000 phones over an hour; docs/report.md has the measured numbers):

* status frames are the hot path (every phone every 2-10 s): one is recorded
  when what it says changed the way the console would show it (readiness,
  engine, trouble, playing or not, the sync bound's power of two, output
  latency by 10 ms), else at most every :data:`SAMPLE_SHOW_US` while the show
  is armed or running and every :data:`SAMPLE_IDLE_US` otherwise;
* a phone gets at most :data:`MAX_PER_PHONE` records per stay (from its first
  socket to its last one closing): what it loses is counted in DROPPED records
  (at most one every :data:`DROP_NOTE_US`); the log gets at most
  ``max_records`` in all, the last of them a DROPPED record saying when it
  filled up (nothing after it is kept);
* memory: one small slot per participant with an open socket (dropped when its
  last socket closes) and the buffer between two drains.
"""

from __future__ import annotations

from collections.abc import Sequence

from flashmob.contract import showlog as fmt

SAMPLE_SHOW_US = 30_000_000
SAMPLE_IDLE_US = 120_000_000
MAX_PER_PHONE = 400
MAX_RECORDS = 8 * 1024 * 1024  # 256 MiB of records
DROP_NOTE_US = 10_000_000  # a DROPPED record at most this often


class _Phone:
    __slots__ = ("key", "group", "sockets", "sampled_us", "signature", "count")

    def __init__(self, key: int, group: int) -> None:
        self.key = key
        self.group = group
        self.sockets = 0
        self.sampled_us = -(2 ** 62)
        self.signature: tuple | None = None
        self.count = 0


class Recorder:
    """One conductor's show log, as records in a buffer.  ``groups``: the manifest's group ids, in order."""

    def __init__(self, show_id: str, groups: Sequence[str], *, max_records: int = MAX_RECORDS,
                 max_per_phone: int = MAX_PER_PHONE, sample_show_us: int = SAMPLE_SHOW_US,
                 sample_idle_us: int = SAMPLE_IDLE_US) -> None:
        self.show_id = show_id
        self.groups = {g: i for i, g in enumerate(groups)}
        self.max_records = max_records
        self.max_per_phone = max_per_phone
        self.sample_show_us = sample_show_us
        self.sample_idle_us = sample_idle_us
        self.records = 0  # kept since start
        self.dropped = 0  # not kept since start
        self._unnoted = 0  # a phone's records over its cap, not yet in a DROPPED record
        self.full = False
        self._noted_us = -(2 ** 62)
        self._buffer = bytearray()
        self._phones: dict[str, _Phone] = {}
        self._sample_us = sample_idle_us
        self._last_us = 0

    # -- the buffer -----------------------------------------------------------------------

    def take(self) -> bytes:
        """The records packed since the last call (the shell appends them to the log)."""
        out, self._buffer = bytes(self._buffer), bytearray()
        return out

    def _put(self, t_us: int, who: int, kind: int, group: int = fmt.NO_GROUP, engine: int = 0, flags: int = 0,
             a: int = fmt.NONE, b: int = fmt.NONE, c: int = fmt.NONE, phone: _Phone | None = None) -> None:
        self._last_us = max(self._last_us, t_us)
        if self.records >= self.max_records - 1:  # the last slot is kept for the note that says so
            self.dropped += 1
            if not self.full:
                self.full = True
                self._buffer += fmt.RECORD.pack(t_us, 0, fmt.DROPPED, fmt.NO_GROUP, 0, 0, self._unnoted + 1,
                                                fmt.DROP_LOG_FULL, fmt.NONE)
                self.records += 1
            return
        if phone is not None and phone.count >= self.max_per_phone:
            self.dropped += 1
            self._unnoted += 1
            self._note_drops(t_us)
            return
        if phone is not None:
            phone.count += 1
        self._buffer += fmt.RECORD.pack(t_us, who, kind, group, engine, flags, a, b, c)
        self.records += 1

    def _note_drops(self, t_us: int, *, force: bool = False) -> None:
        if not self._unnoted or self.full or (not force and t_us - self._noted_us < DROP_NOTE_US):
            return
        if self.records >= self.max_records - 1:  # its slot is the log-full note's
            return
        self._buffer += fmt.RECORD.pack(t_us, 0, fmt.DROPPED, fmt.NO_GROUP, 0, 0, self._unnoted,
                                        fmt.DROP_PHONE_FULL, fmt.NONE)
        self.records += 1
        self._unnoted = 0
        self._noted_us = t_us

    # -- conductor events -------------------------------------------------------------------

    def boot(self, now: int, revision: str) -> None:
        """A conductor process started on this log."""
        self._put(now, fmt.revision_key(revision), fmt.BOOT, a=len(self.groups))

    def show(self, now: int, state: str, *, start_at_us: int | None, revision: int, duration_us: int,
             rehearsal: bool = False) -> None:
        """The show's record after a transition (``rehearsal``: a practice run, left out of the report)."""
        self._sample_us = self.sample_show_us if state in ("armed", "running") else self.sample_idle_us
        self._put(now, max(0, start_at_us or 0), fmt.SHOW, group=fmt.STATES.index(state),
                  flags=fmt.F_REHEARSAL if rehearsal else 0, a=fmt.i32(revision), b=fmt.i32(duration_us // 1000))

    def joined(self, now: int, participant_id: str, group: str, *, confirmed: bool, known: bool) -> None:
        """A hello was admitted on a socket (each socket of a phone counts)."""
        phone = self._phones.get(participant_id)
        g = self.groups.get(group, fmt.NO_GROUP)
        if phone is None:
            phone = self._phones[participant_id] = _Phone(fmt.participant_key(self.show_id, participant_id), g)
        phone.group = g
        phone.sockets += 1
        phone.signature = None  # the next status is recorded whatever it says
        flags = (fmt.F_CONFIRMED if confirmed else 0) | (fmt.F_KNOWN if known else 0)
        self._put(now, phone.key, fmt.JOIN, g, flags=flags, a=phone.sockets, phone=phone)

    def seat(self, now: int, participant_id: str, group: str) -> None:
        """The participant's seat was confirmed (files proved) and stored."""
        phone = self._phones.get(participant_id)
        key = phone.key if phone else fmt.participant_key(self.show_id, participant_id)
        self._put(now, key, fmt.SEAT, self.groups.get(group, fmt.NO_GROUP), phone=phone)

    def left(self, now: int | None, participant_id: str) -> None:
        """A socket of the participant closed (``now`` None: the last time seen)."""
        phone = self._phones.get(participant_id)
        if phone is None:
            return
        phone.sockets -= 1
        t = self._last_us if now is None else now
        self._put(t, phone.key, fmt.LEAVE, phone.group, a=max(0, phone.sockets), phone=phone)
        if phone.sockets <= 0:
            del self._phones[participant_id]

    def status(self, now: int, participant_id: str, *, verified: bool, sync_error_us: int | None,
               engine: str | None, output_latency_us: int | None, position_us: int | None,
               drift_us: int | None, trouble: str | None) -> None:
        """A status frame (the hot path): kept when it changed what the console shows, else sampled."""
        phone = self._phones.get(participant_id)
        if phone is None:
            return
        signature = (verified, engine, trouble, position_us is not None,
                     None if sync_error_us is None else max(sync_error_us, 1).bit_length(),
                     None if output_latency_us is None else output_latency_us // 10_000)
        if signature == phone.signature and now - phone.sampled_us < self._sample_us:
            return
        phone.signature = signature
        phone.sampled_us = now
        flags = ((fmt.F_VERIFIED if verified else 0) | (fmt.F_POSITION if position_us is not None else 0)
                 | (fmt.F_DRIFT if drift_us is not None else 0) | fmt.trouble_bits(trouble))
        self._put(now, phone.key, fmt.STATUS, phone.group, engine=fmt.engine_code(engine), flags=flags,
                  a=fmt.i32(sync_error_us), b=fmt.i32(output_latency_us),
                  c=fmt.i32(drift_us if drift_us is not None else position_us), phone=phone)

    def flush_notes(self, now: int) -> None:
        """Write the DROPPED counts not yet noted (the shell calls it before it closes)."""
        self._note_drops(now, force=True)

    @property
    def phones(self) -> int:
        """Participants with an open socket (the slots held in memory)."""
        return len(self._phones)
