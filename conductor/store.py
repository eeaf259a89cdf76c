"""The show's state record and participants, persisted (SQLite).

:class:`StateStore` is the small interface the store writer uses
(:mod:`conductor.persist`; the runtime reads it once at start) (docs/architecture.md,
principle 7): :class:`SqliteStore` is the default (one process);
:class:`~conductor.redisstore.RedisStore` implements the same methods for several
conductor processes sharing one show (``--redis``, :mod:`conductor.backplane`).

Contract:
* :meth:`save_transitions` commits every transition of one batch atomically
  with ``synchronous=FULL``; the core broadcasts and acknowledges them only
  once this returned (:mod:`conductor.writeback`).  A
  restarted conductor calls :meth:`load_show` and resumes the same record.
* Participants are stored with their group once, when their seat is
  *confirmed* (docs/protocol.md, "Seats"), never before, and removed when
  the console releases the seat; a participant id always maps to the same
  group.  Databases written before seats existed held every id ever issued
  (fakes included): those rows are dropped once, on open.
* The group secret lives in the bundle's secret file (:mod:`flashmob.contract.secret`);
  :meth:`stored_secret` reads the one conductors before that file kept here, to
  migrate it; :meth:`secret` still creates one for cores run without a bundle secret (tests).
All rows are keyed by ``show_id``: one database can outlive a re-rendered
bundle of another show without mixing their state.
"""

from __future__ import annotations

import contextlib
import os
import functools
import sqlite3
import threading
import time
from pathlib import Path
from typing import Protocol

from .show import ShowRecord, State, Transition
from flashmob.contract.secret import new_key

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS show (
    show_id TEXT PRIMARY KEY, state TEXT NOT NULL, duration_us INTEGER NOT NULL,
    start_at_us INTEGER, revision INTEGER NOT NULL, reason TEXT, changed_at_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS transitions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, show_id TEXT NOT NULL, revision INTEGER NOT NULL,
    event TEXT NOT NULL, state TEXT NOT NULL, start_at_us INTEGER, reason TEXT,
    at_us INTEGER NOT NULL, written_unix REAL NOT NULL);
CREATE TABLE IF NOT EXISTS participants (
    show_id TEXT NOT NULL, participant_id TEXT NOT NULL, group_id TEXT NOT NULL,
    joined_at_us INTEGER NOT NULL, PRIMARY KEY (show_id, participant_id));
CREATE TABLE IF NOT EXISTS announcements (
    id INTEGER PRIMARY KEY AUTOINCREMENT, show_id TEXT NOT NULL, level TEXT NOT NULL,
    text TEXT NOT NULL, group_id TEXT, sent_at_us INTEGER NOT NULL);
"""


SHOW_UPSERT = ("INSERT INTO show VALUES (?,?,?,?,?,?,?) ON CONFLICT(show_id) DO UPDATE SET state=excluded.state,"
               " duration_us=excluded.duration_us, start_at_us=excluded.start_at_us, revision=excluded.revision,"
               " reason=excluded.reason, changed_at_us=excluded.changed_at_us"
               " WHERE excluded.revision >= show.revision")
"""The show row, never replaced by an older revision."""


def _locked(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)
    return wrapper


class StateStore(Protocol):
    def load_show(self, show_id: str) -> ShowRecord | None: ...
    def save_record(self, show_id: str, record: ShowRecord) -> None: ...
    def save_transitions(self, show_id: str, transitions: list[Transition]) -> None: ...
    def participants(self, show_id: str) -> dict[str, str]: ...
    def add_participant(self, show_id: str, participant_id: str, group_id: str, at_us: int) -> None: ...
    def remove_participants(self, show_id: str, participant_ids: tuple[str, ...]) -> None: ...
    def add_announcement(self, show_id: str, level: str, text: str, group_id: str | None, at_us: int, *,
                         announcement_id: int | None = None) -> int: ...
    def last_announcement_id(self) -> int: ...
    def announcements(self, show_id: str, limit: int) -> list[tuple[int, str, str, str | None, int]]: ...
    def secret(self, name: str) -> bytes: ...
    def stored_secret(self, name: str) -> bytes | None: ...
    def close(self) -> None: ...


class SharedStore(Protocol):
    """What the core asks a store shared by several conductors, synchronously on the event
    loop (:class:`~conductor.redisstore.RedisStore`; each raises ``OSError`` when it cannot):
    a newcomer's ``balanced`` group counted for the whole show, the group of a seat another
    node confirmed (None: none), an announcement id unique across the nodes."""

    def assign_balanced(self, groups: list[tuple[str, int]]) -> str: ...
    def seat_group(self, participant_id: str) -> str | None: ...
    def next_announcement_id(self) -> int: ...


class StoreError(ValueError):
    """A state file that exists but cannot be used: the conductor refuses to start."""


SQLITE_HEADER = b"SQLite format 3\x00"


def check_existing_state_file(path: Path) -> None:
    """Refuse an existing state file that is empty, unreadable or not SQLite.

    SQLite would treat an empty file as a new database: the conductor would
    silently start a fresh show with a new group secret, and every printed
    group QR code would stop working.  A missing file is fine (a first start)."""
    if not os.path.lexists(path):
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"the state file {path} cannot be read ({exc.strerror or exc}); fix it or point --db "
                         "elsewhere (a new file starts a new show with a new group secret)") from None
    if not head:
        raise StoreError(f"the state file {path} is empty (truncated?): refusing to start a fresh show with a new "
                         "group secret; restore it from a backup, or delete it to start over on purpose")
    if head != SQLITE_HEADER:
        raise StoreError(f"{path} is not a flashmob state file (not SQLite); point --db at the right file, or "
                         "delete it to start over on purpose")


class SqliteStore:
    """SQLite implementation (WAL).  Thread-safe (one lock): the store writer
    thread writes (:mod:`conductor.persist`), start-up and tools read.

    The show row is versioned: a write never replaces it with an older
    revision, whatever the order writes arrive in.

    An existing state file that is empty, unreadable or not SQLite is refused
    (:class:`StoreError`) instead of being replaced by a fresh show."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        check_existing_state_file(self.path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self._drop_unconfirmed_legacy_rows()

    def _drop_unconfirmed_legacy_rows(self) -> None:
        """Before seats, every issued id was a row; from then on only confirmed seats are."""
        if self._db.execute("SELECT 1 FROM meta WHERE key='participants:confirmed-only'").fetchone():
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("DELETE FROM participants")
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('participants:confirmed-only', X'31')")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    @_locked
    def close(self) -> None:
        self._db.close()

    # -- show -------------------------------------------------------------------------

    @_locked
    def load_show(self, show_id: str) -> ShowRecord | None:
        row = self._db.execute(
            "SELECT state, duration_us, start_at_us, revision, reason, changed_at_us FROM show WHERE show_id=?",
            (show_id,)).fetchone()
        if row is None:
            return None
        return ShowRecord(state=State(row[0]), duration_us=row[1], start_at_us=row[2], revision=row[3],
                          reason=row[4], changed_at_us=row[5])

    @_locked
    def save_transitions(self, show_id: str, transitions: list[Transition]) -> None:
        if not transitions:
            return
        final = transitions[-1].after
        db = self._db
        db.execute("PRAGMA synchronous=FULL")
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                for t in transitions:
                    a = t.after
                    db.execute("INSERT INTO transitions (show_id, revision, event, state, start_at_us, reason,"
                               " at_us, written_unix) VALUES (?,?,?,?,?,?,?,?)",
                               (show_id, a.revision, t.name, a.state.value, a.start_at_us, a.reason,
                                a.changed_at_us, time.time()))
                db.execute(SHOW_UPSERT,
                           (show_id, final.state.value, final.duration_us, final.start_at_us, final.revision,
                            final.reason, final.changed_at_us))
                db.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (SQLITE_FULL does): a ROLLBACK
                # error must never hide the real one.
                with contextlib.suppress(sqlite3.Error):
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                raise
        finally:
            with contextlib.suppress(sqlite3.Error):
                db.execute("PRAGMA synchronous=NORMAL")

    @_locked
    def save_record(self, show_id: str, record: ShowRecord) -> None:
        """Write a record without a transition (the first lobby record)."""
        self._db.execute(SHOW_UPSERT,
                         (show_id, record.state.value, record.duration_us, record.start_at_us, record.revision,
                          record.reason, record.changed_at_us))

    @_locked
    def transition_log(self, show_id: str) -> list[tuple[int, str, str]]:
        return self._db.execute("SELECT revision, event, state FROM transitions WHERE show_id=? ORDER BY seq",
                                (show_id,)).fetchall()

    # -- participants -----------------------------------------------------------------

    @_locked
    def participants(self, show_id: str) -> dict[str, str]:
        return dict(self._db.execute("SELECT participant_id, group_id FROM participants WHERE show_id=?",
                                     (show_id,)).fetchall())

    @_locked
    def add_participant(self, show_id: str, participant_id: str, group_id: str, at_us: int) -> None:
        self._db.execute("INSERT OR IGNORE INTO participants VALUES (?,?,?,?)",
                         (show_id, participant_id, group_id, at_us))

    @_locked
    def remove_participants(self, show_id: str, participant_ids: tuple[str, ...]) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany("DELETE FROM participants WHERE show_id=? AND participant_id=?",
                                 [(show_id, pid) for pid in participant_ids])
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    # -- announcements ----------------------------------------------------------------

    @_locked
    def add_announcement(self, show_id: str, level: str, text: str, group_id: str | None, at_us: int, *,
                         announcement_id: int | None = None) -> int:
        """Store an announcement; its id is new, or ``announcement_id`` (one
        already broadcast while the disk was full: conductor/persist.py)."""
        cur = self._db.execute("INSERT INTO announcements (id, show_id, level, text, group_id, sent_at_us)"
                               " VALUES (?,?,?,?,?,?)", (announcement_id, show_id, level, text, group_id, at_us))
        return int(cur.lastrowid)

    @_locked
    def last_announcement_id(self) -> int:
        """The highest announcement id in the database (every show), 0 if none: a read, no write."""
        row = self._db.execute("SELECT MAX(id) FROM announcements").fetchone()
        seq = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name='announcements'").fetchone()
        return max(row[0] or 0, seq[0] if seq else 0)

    @_locked
    def announcements(self, show_id: str, limit: int) -> list[tuple[int, str, str, str | None, int]]:
        rows = self._db.execute("SELECT id, level, text, group_id, sent_at_us FROM announcements WHERE show_id=?"
                                " ORDER BY id DESC LIMIT ?", (show_id, limit)).fetchall()
        return list(reversed(rows))

    # -- secrets ----------------------------------------------------------------------

    @_locked
    def stored_secret(self, name: str) -> bytes | None:
        """The secret ``name`` kept in this database, None if none (a read: creates nothing)."""
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (f"secret:{name}",)).fetchone()
        return None if row is None else bytes(row[0])

    @_locked
    def secret(self, name: str) -> bytes:
        """The secret ``name`` of this database, created on first use."""
        key = f"secret:{name}"
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        if row is None:
            self._db.execute("INSERT OR IGNORE INTO meta VALUES (?,?)", (key, new_key()))
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return bytes(row[0])
