"""Where sign-ups are kept: a small interface of its own, and its SQLite implementation.

:class:`SignupStore` is what the sign-up shell (:mod:`conductor.signupapi`)
needs: :meth:`~SignupStore.load` once at start, :meth:`~SignupStore.apply`
for each batch of writes the core (:class:`~conductor.signups.SignupBook`)
returns, atomically.  It is separate from the show's
:class:`~conductor.store.StateStore` on purpose: sign-ups are personal data
with their own life (deleted N days after the show, docs/signups.md), and a
store for several conductor processes can implement the two independently.

:class:`SqliteSignupStore` keeps its two tables in the conductor's state file
(its own connection, WAL: it never waits on the show's writer thread for
long).  Rows are keyed by ``show_id``; a score edited and rendered again gets a new
show id, and :meth:`~SqliteSignupStore.move` gives its sign-ups to it (the
shell does at start, docs/signups.md).  ``signups`` holds one row per person
(name, optional e-mail, the sha256 of their private key, status, participant
id, group, time); ``signup_stats`` the counts that outlive erasure
(cancellations, promotions, when the rows were erased).  Deletions run with
``PRAGMA secure_delete`` (deleted content is overwritten, not left in free
pages of the file), and erasing a show truncates the write-ahead log too.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from typing import Protocol

from flashmob.contract.signups import Status

from .signups import Drop, Entry, EraseAll, Put, Stats, Tally

SCHEMA = """
CREATE TABLE IF NOT EXISTS signups (
    show_id TEXT NOT NULL, key_hash TEXT NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, email TEXT,
    status TEXT NOT NULL, participant_id TEXT, group_id TEXT, created_us INTEGER NOT NULL,
    PRIMARY KEY (show_id, key_hash));
CREATE TABLE IF NOT EXISTS signup_stats (
    show_id TEXT PRIMARY KEY, cancelled INTEGER NOT NULL, promoted INTEGER NOT NULL, erased_at_us INTEGER);
"""


class SignupStore(Protocol):
    def load(self, show_id: str) -> tuple[list[Entry], Stats]: ...
    def apply(self, show_id: str, writes: list) -> None: ...
    def other_shows(self, show_id: str) -> list[str]: ...
    def move(self, from_show: str, to_show: str) -> int: ...
    def close(self) -> None: ...


class SqliteSignupStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(SCHEMA)

    def load(self, show_id: str) -> tuple[list[Entry], Stats]:
        with self._lock:
            rows = self._db.execute("SELECT key_hash, seq, name, email, status, participant_id, group_id, created_us"
                                    " FROM signups WHERE show_id=? ORDER BY seq", (show_id,)).fetchall()
            st = self._db.execute("SELECT cancelled, promoted, erased_at_us FROM signup_stats WHERE show_id=?",
                                  (show_id,)).fetchone()
        entries = [Entry(key_hash=r[0], seq=r[1], name=r[2], email=r[3], status=Status(r[4]), participant_id=r[5],
                         group=r[6], created_us=r[7]) for r in rows]
        return entries, Stats(*st) if st else Stats()

    def apply(self, show_id: str, writes: list) -> None:
        if not writes:
            return
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                for w in writes:
                    if isinstance(w, Put):
                        e = w.entry
                        db.execute("INSERT OR REPLACE INTO signups VALUES (?,?,?,?,?,?,?,?,?)",
                                   (show_id, e.key_hash, e.seq, e.name, e.email, e.status.value, e.participant_id,
                                    e.group, e.created_us))
                    elif isinstance(w, Drop):
                        db.execute("DELETE FROM signups WHERE show_id=? AND key_hash=?", (show_id, w.key_hash))
                    elif isinstance(w, EraseAll):
                        db.execute("DELETE FROM signups WHERE show_id=?", (show_id,))
                    elif isinstance(w, Tally):
                        s = w.stats
                        db.execute("INSERT OR REPLACE INTO signup_stats VALUES (?,?,?,?)",
                                   (show_id, s.cancelled, s.promoted, s.erased_at_us))
                    else:  # pragma: no cover - the core returns only these
                        raise TypeError(f"unknown sign-up write {w!r}")
                db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                raise
            if any(isinstance(w, EraseAll) for w in writes):
                with contextlib.suppress(sqlite3.Error):
                    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the WAL held the rows too

    def other_shows(self, show_id: str) -> list[str]:
        """Show ids other than ``show_id`` that hold sign-ups (a score edited and rendered again)."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT DISTINCT show_id FROM signups WHERE show_id<>?",
                                                   (show_id,))]

    def move(self, from_show: str, to_show: str) -> int:
        """Give the sign-ups of ``from_show`` to ``to_show`` (their counts stay with the old show); how many."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                n = self._db.execute("UPDATE OR REPLACE signups SET show_id=? WHERE show_id=?",
                                     (to_show, from_show)).rowcount
                self._db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                raise
            return n

    def close(self) -> None:
        with self._lock:
            self._db.close()
