"""Writes to the state store that may fail, and what the show does then.

A full disk or an I/O error must not stop an armed show (docs/protocol.md
"Persistence").  :class:`Persistence` sits between the service and the
:class:`~conductor.store.StateStore` and decides, per kind of write:

* show transitions: written in one transaction with every pending one.  A
  ``durable`` batch (arm, cancel, reset) that fails raises
  :class:`StoreUnavailable` and nothing is kept; any other (running, ended:
  they follow from the durable armed record and the clock; abort: stopping
  must always work) is kept **pending** and the caller applies and broadcasts
  it anyway;
* announcements: never refused — a failed one gets the next id in memory, is
  broadcast and replayed from memory, and is written later with that id;
* participants (confirmed seats, :mod:`conductor.seats`): a failed write
  raises :class:`StoreUnavailable` (the caller keeps the seat pending, so
  memory and storage agree); so does a failed release (the seats are kept).

Pending writes are retried by :meth:`retry` at most every ``retry_us``
(default 1 s).  Every failure keeps the alarm ``store.write`` with the real
error and the free bytes of the state file's filesystem; it is cleared when a
write succeeds and nothing is pending.  Time is injected; no threads.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable

from . import messages as m
from .alarms import Alarms
from .show import Transition
from .store import StateStore

log = logging.getLogger("flashmob.conductor.persist")

STORE_ALARM = "store.write"
STORE_RETRY_US = 1_000_000
WRITE_ERRORS = (sqlite3.Error, OSError)


def os_error_probe(folder: str, size: int = 65536) -> str | None:
    """Write ``size`` bytes to a temporary file in ``folder`` (then delete it):
    None if that works, else the OS error, e.g. ``No space left on device (ENOSPC)``."""
    fd = None
    name = None
    try:
        fd, name = tempfile.mkstemp(prefix=".flashmob-write-probe-", dir=folder)
        os.write(fd, b"\0" * size)
        os.fsync(fd)
        return None
    except OSError as exc:
        code = errno.errorcode.get(exc.errno or 0, str(exc.errno))
        return f"{exc.strerror or exc} ({code})"
    finally:
        if fd is not None:
            os.close(fd)
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


class StoreUnavailable(Exception):
    """A write that had to succeed did not; ``str()`` names the real error."""


class Persistence:
    def __init__(self, store: StateStore, show_id: str, now: Callable[[], int], alarms: Alarms, *,
                 retry_us: int = STORE_RETRY_US) -> None:
        self.store = store
        self.show_id = show_id
        self.now = now
        self.alarms = alarms
        self.retry_us = retry_us
        self.transitions_pending: list[Transition] = []
        self.announcements_pending: list[m.AnnouncementInfo] = []
        self._last_attempt_us: int | None = None
        self._last_error: BaseException | None = None
        self._os_error: str | None = None

    @property
    def pending(self) -> int:
        return len(self.transitions_pending) + len(self.announcements_pending)

    # -- failures ---------------------------------------------------------------------

    def describe(self, exc: BaseException) -> str:
        """The sentence of the alarm: SQLite's error, the operating system's
        own (SQLite does not pass errno on: a probe write beside the state file
        asks once per episode) and the free bytes there."""
        path = getattr(self.store, "path", None)
        name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
        text = f"cannot write the state file {path}: {exc} ({name})" if path else f"cannot write the state: {exc}"
        if path is not None:
            folder = os.path.dirname(os.path.abspath(path))
            if self.alarms.active(STORE_ALARM) is None:  # a new episode: ask the filesystem once
                self._os_error = os_error_probe(folder)
            if self._os_error:
                text += f"; the filesystem says: {self._os_error}"
            try:
                st = os.statvfs(folder)
                text += f"; {st.f_bavail * st.f_frsize} bytes free on it"
            except OSError:
                pass
        return text

    def _failed(self, exc: BaseException) -> str:
        self._last_error = exc
        text = self.describe(exc)
        waiting = []
        if self.transitions_pending:
            waiting.append(f"{len(self.transitions_pending)} show transition(s)")
        if self.announcements_pending:
            waiting.append(f"{len(self.announcements_pending)} announcement(s)")
        pending = f" {' and '.join(waiting)} wait to be written (retried every second)." if waiting else ""
        self.alarms.raise_(STORE_ALARM, "critical", f"{text}. The show goes on from memory; no new seat is "
                           f"confirmed until writing works again.{pending}",
                           detail={"path": str(getattr(self.store, "path", "")) or None, "error": str(exc),
                                   "code": getattr(exc, "sqlite_errorname", None) or type(exc).__name__,
                                   "unsaved_transitions": len(self.transitions_pending),
                                   "unsaved_announcements": len(self.announcements_pending)})
        return text

    def _ok(self) -> None:
        if not self.pending:
            self.alarms.clear(STORE_ALARM)

    # -- writes -----------------------------------------------------------------------

    def _flush_transitions(self, new: list[Transition]) -> BaseException | None:
        batch = self.transitions_pending + new
        if not batch:
            return None
        self._last_attempt_us = self.now()
        try:
            self.store.save_transitions(self.show_id, batch)
        except WRITE_ERRORS as exc:
            return exc
        self.transitions_pending = []
        return None

    def save_transitions(self, transitions: list[Transition], *, durable: bool) -> bool:
        """Write ``transitions`` (after any pending ones).  True if written;
        False if kept pending; raises StoreUnavailable for a failed durable batch."""
        failure = self._flush_transitions(transitions)
        if failure is None:
            self._ok()
            return True
        if durable:
            raise StoreUnavailable(self._failed(failure))
        self.transitions_pending.extend(transitions)
        self._failed(failure)
        return False

    def add_participant(self, participant_id: str, group_id: str, at_us: int) -> None:
        try:
            self.store.add_participant(self.show_id, participant_id, group_id, at_us)
        except WRITE_ERRORS as exc:
            raise StoreUnavailable(self._failed(exc)) from None
        self._ok()

    def remove_participants(self, participant_ids: tuple[str, ...]) -> None:
        """Delete released seats; raises StoreUnavailable (the caller keeps them)."""
        try:
            self.store.remove_participants(self.show_id, participant_ids)
        except WRITE_ERRORS as exc:
            raise StoreUnavailable(self._failed(exc)) from None
        self._ok()

    def add_announcement(self, level: str, text: str, group: str | None, at_us: int) -> m.AnnouncementInfo:
        """Write an announcement, or keep it in memory with the next id: never refused."""
        if not self.announcements_pending:
            try:
                aid = self.store.add_announcement(self.show_id, level, text, group, at_us)
            except WRITE_ERRORS as exc:
                failure: BaseException | None = exc
            else:
                self._ok()
                return m.AnnouncementInfo(id=aid, level=level, text=text, group=group, sent_at_us=at_us)
        else:
            failure = None  # keep the order of ids: queue behind the pending ones
        last = self.announcements_pending[-1].id if self.announcements_pending else self.store.last_announcement_id()
        info = m.AnnouncementInfo(id=last + 1, level=level, text=text, group=group, sent_at_us=at_us)
        self.announcements_pending.append(info)
        if failure is not None:
            self._last_attempt_us = self.now()
        failure = failure or self._last_error
        if failure is not None:  # the alarm counts what waits
            self._failed(failure)
        return info

    def retry(self) -> bool:
        """Write what is pending (at most every ``retry_us``); True when all of it got written now."""
        if not self.pending:
            return False
        last = self._last_attempt_us
        if last is not None and self.now() - last < self.retry_us:
            return False
        self._last_attempt_us = self.now()
        failure = self._flush_transitions([])
        while failure is None and self.announcements_pending:
            a = self.announcements_pending[0]
            try:
                self.store.add_announcement(self.show_id, a.level, a.text, a.group, a.sent_at_us,
                                            announcement_id=a.id)
            except WRITE_ERRORS as exc:
                failure = exc
            else:
                self.announcements_pending.pop(0)
        if failure is not None:
            self._failed(failure)
            return False
        log.info("show %s: pending writes done", self.show_id)
        self._ok()
        return True
