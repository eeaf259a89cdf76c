"""The show log's format: what the conductor writes during a show and ``flashmob report`` reads.

One definition for both sides (the conductor's recorder, ``conductor/recorder.py``,
packs; ``tools/report`` unpacks).  A log is an append-only binary file, one per
conductor process' state file (one per node in a multi-node deployment; the
report merges several):

* a 32-byte header: :data:`MAGIC` (8 bytes), then ``<HH`` version and record
  size, then zeros;
* fixed-size 32-byte records (:data:`RECORD`, little-endian)::

      t_us   int64   server time of the event (µs)
      who    uint64  the participant's key (:func:`participant_key`); other kinds: see below
      kind   uint8   one of the KIND constants
      group  uint8   the group's index in the manifest (:data:`NO_GROUP`: unknown); SHOW: state
      engine uint8   STATUS: index in :data:`ENGINES` (:data:`OTHER`: a name not listed)
      flags  uint8   per kind (below)
      a, b, c int32  per kind (below); :data:`NONE` = not given

A trailing partial record (a crash in the middle of a write) is ignored by
:func:`parse` and counted.  Nothing personal is in it: a participant is a keyed
64-bit hash of its random participant id (the same on every node of a show, so
logs merge), never the id itself; the report renumbers them 1..N.

Kinds, and who said it (``SOURCE``): what the conductor *saw* (sockets, frames,
their times, the show's transitions) apart from what phones *said about
themselves* (``status`` frames: ``self-reported``).

* BOOT (conductor): a conductor process started; ``who`` = :func:`revision_key`
  of the bundle revision; ``a`` = number of groups.
* SHOW (conductor): the show's record after a transition (or at boot):
  ``group`` = index in :data:`STATES`, ``who`` = start time (µs, 0: none),
  ``a`` = revision, ``b`` = duration (ms), ``flags`` & :data:`F_REHEARSAL`:
  a rehearsal run (the report leaves it out).
* JOIN (conductor): a hello admitted on a socket; ``flags`` & :data:`F_CONFIRMED`:
  the seat was already confirmed, & :data:`F_KNOWN`: a rejoin of a known seat;
  ``a`` = the participant's open sockets after it.
* SEAT (conductor): the seat was confirmed: the phone proved it holds its group's
  files (the challenge) and the seat was stored.
* LEAVE (conductor): a socket of the participant closed; ``a`` = sockets left.
* STATUS (self-reported): a ``status`` frame (downsampled by the recorder):
  ``flags`` & :data:`F_VERIFIED`, & :data:`F_POSITION` (a playback position was
  given), & :data:`F_DRIFT` (the show was running: ``c`` is the drift, µs,
  position minus the conductor's show time at the frame's arrival; otherwise
  ``c`` is the position), ``(flags >> 4) & 7`` = index + 1 in :data:`TROUBLES`
  (0: none); ``a`` = sync error bound (µs), ``b`` = output latency (µs).
* DROPPED (conductor): ``b`` = 2: ``a`` records of phones over their record
  cap were not kept since the last such record; ``b`` = 1: the log reached its
  size cap here and keeps nothing after this record.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

MAGIC = b"FMSHOWLG"
VERSION = 1
HEADER = struct.Struct("<8sHH20x")
RECORD = struct.Struct("<qQBBBBiii")
assert HEADER.size == RECORD.size == 32
FIELDS = (("t_us", "<i8"), ("who", "<u8"), ("kind", "u1"), ("group", "u1"), ("engine", "u1"), ("flags", "u1"),
          ("a", "<i4"), ("b", "<i4"), ("c", "<i4"))
"""The record's fields as a numpy structured dtype's list (the same layout as :data:`RECORD`)."""
SUFFIX = ".showlog"
"""A log's file name ends so (the default: the state file's name + this)."""

NONE = -(2 ** 31)
I32_MAX = 2 ** 31 - 1
NO_GROUP = 255
OTHER = 255

BOOT, SHOW, JOIN, SEAT, LEAVE, STATUS, DROPPED = 1, 2, 3, 4, 5, 6, 7
KINDS = {BOOT: "boot", SHOW: "show", JOIN: "join", SEAT: "seat", LEAVE: "leave", STATUS: "status",
         DROPPED: "dropped"}
SOURCE = {BOOT: "conductor", SHOW: "conductor", JOIN: "conductor", SEAT: "conductor", LEAVE: "conductor",
          STATUS: "self-reported", DROPPED: "conductor"}

F_REHEARSAL = 1
F_CONFIRMED, F_KNOWN = 1, 2
F_VERIFIED, F_POSITION, F_DRIFT = 1, 2, 4
DROP_LOG_FULL, DROP_PHONE_FULL = 1, 2

STATES = ("lobby", "armed", "running", "ended", "aborted")
"""The show's states (conductor/show.py ``State``; tests check they agree)."""
ENGINES = (None, "webaudio", "media")
"""Playback engines of the web client (client_web/js: ``engine.name``); others are :data:`OTHER`."""
TROUBLES = ("media", "decode", "start", "timing")
"""``status.trouble`` values (conductor/messages.py ``TROUBLES``; tests check they agree)."""


class Record(NamedTuple):
    t_us: int
    who: int
    kind: int
    group: int
    engine: int
    flags: int
    a: int
    b: int
    c: int


def header() -> bytes:
    return HEADER.pack(MAGIC, VERSION, RECORD.size)


def pack(rec: Record) -> bytes:
    return RECORD.pack(*rec)


def i32(value: int | None) -> int:
    """``value`` clamped into a record's int32 field (None: :data:`NONE`)."""
    if value is None:
        return NONE
    return max(NONE + 1, min(I32_MAX, int(value)))


def opt(value: int) -> int | None:
    """A field as read: None for :data:`NONE`."""
    return None if value == NONE else value


def participant_key(show_id: str, participant_id: str) -> int:
    """The 64-bit key a participant has in the logs of show ``show_id`` (never 0)."""
    digest = hashlib.blake2b(participant_id.encode("utf-8"), digest_size=8, key=show_id.encode("utf-8")[:64],
                             person=b"flashmob-showlog").digest()
    return int.from_bytes(digest, "little") or 1


def revision_key(revision: str) -> int:
    return int.from_bytes(hashlib.blake2b(revision.encode("utf-8"), digest_size=8).digest(), "little")


def engine_code(name: str | None) -> int:
    return ENGINES.index(name) if name in ENGINES else OTHER


def engine_name(code: int) -> str | None:
    return ENGINES[code] if code < len(ENGINES) else "other"


def trouble_bits(trouble: str | None) -> int:
    return (TROUBLES.index(trouble) + 1) << 4 if trouble in TROUBLES else 0


def trouble_name(flags: int) -> str | None:
    i = (flags >> 4) & 7
    return TROUBLES[i - 1] if 0 < i <= len(TROUBLES) else None


class ShowLogError(ValueError):
    """Not a show log, or one of another version: the message names the file and what was expected."""


@dataclass(frozen=True)
class Parsed:
    records: tuple[Record, ...]
    torn_bytes: int  # a trailing partial record, ignored


def parse(data: bytes, name: str = "show log") -> Parsed:
    """The records of a log's bytes; raises :class:`ShowLogError` on a bad header."""
    if len(data) < HEADER.size:
        raise ShowLogError(f"{name}: {len(data)} bytes, expected a {HEADER.size}-byte show-log header "
                           f"starting with {MAGIC.decode()}")
    magic, version, size = HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise ShowLogError(f"{name}: not a flashmob show log (expected the header {MAGIC.decode()}, "
                           f"found {magic!r})")
    if version != VERSION or size != RECORD.size:
        raise ShowLogError(f"{name}: show log version {version} (record size {size}); this flashmob reads "
                           f"version {VERSION} ({RECORD.size}-byte records)")
    body = memoryview(data)[HEADER.size:]
    whole = len(body) - len(body) % RECORD.size
    records = tuple(Record(*r) for r in RECORD.iter_unpack(body[:whole]))
    return Parsed(records, len(body) - whole)


def read(path: Path) -> Parsed:
    return parse(Path(path).read_bytes(), str(path))


def iter_kind(records: tuple[Record, ...], kind: int) -> Iterator[Record]:
    return (r for r in records if r.kind == kind)
