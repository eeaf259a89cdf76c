"""The store writer: the writes the core asked for, run off the event loop, in order.

The core (:mod:`conductor.service`) decides *what* to write and what the show
does when a write fails (:mod:`conductor.writeback`); this module only runs the
writes (:class:`~conductor.effects.Persist` batches) against the
:class:`~conductor.store.StateStore` and says how each one went:

* :func:`execute` runs the writes of one batch in order, each on its own; a
  write that fails (``sqlite3.Error``, ``OSError``: a full disk, an I/O error)
  gives a :class:`~conductor.effects.WriteFailure` whose ``description`` is
  the alarm's sentence: SQLite's error, the operating system's own (SQLite
  does not pass errno on, so a probe write beside the state file asks once per
  episode: :func:`os_error_probe`) and the free bytes there;
* :class:`StoreWriter` is one thread fed in order (a single-worker
  executor), so batches are written in the order the core emitted them and
  their outcomes come back in that order; nothing it does blocks the event
  loop.  ``inline=True`` runs them on the caller's thread instead (start-up,
  tools and tests that drive the core synchronously).

Any other exception is a bug: it is logged and reported as a failure of that
write, so the show goes on (docs/protocol.md "Persistence").
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import errno
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable

from . import effects as fx
from .alarms import Alarms
from .rehearsal import SUFFIX as REHEARSAL_SUFFIX
from .store import StateStore

log = logging.getLogger("flashmob.conductor.persist")

STORE_ALARM = "store.write"
STORE_RETRY_US = 1_000_000
"""Failed writes are retried at most this often (:mod:`conductor.writeback`)."""
WRITE_ERRORS = (sqlite3.Error, OSError)

Outcomes = tuple[fx.WriteFailure | None, ...]


class StoreUnavailable(Exception):
    """A write that had to succeed did not; ``str()`` names the real error."""


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


class Describer:
    """The alarm sentence of a failed write; probes the filesystem once per alarm episode."""

    def __init__(self, store: StateStore, alarms: Alarms | None) -> None:
        self.store = store
        self.alarms = alarms
        self._os_error: str | None = None
        self._probed_this_batch = False

    def __call__(self, exc: BaseException) -> fx.WriteFailure:
        path = getattr(self.store, "path", None)
        name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
        text = f"cannot write the state file {path}: {exc} ({name})" if path else f"cannot write the state: {exc}"
        if path is not None:
            folder = os.path.dirname(os.path.abspath(path))
            new_episode = self.alarms is None or self.alarms.active(STORE_ALARM) is None
            if new_episode and not self._probed_this_batch:  # a new episode: ask the filesystem once
                self._os_error = os_error_probe(folder)
                self._probed_this_batch = True
            if self._os_error:
                text += f"; the filesystem says: {self._os_error}"
            try:
                st = os.statvfs(folder)
                text += f"; {st.f_bavail * st.f_frsize} bytes free on it"
            except OSError:
                pass
        kind = getattr(exc, "failure_kind", "error")
        if kind != "error":  # a refusal of the shared store, not a fault: no probe, no alarm
            return fx.WriteFailure(error=str(exc), code=name, description=str(exc), kind=kind,
                                   record=getattr(exc, "record", None))
        return fx.WriteFailure(error=str(exc), code=name, description=text,
                               path=str(path) if path is not None else None)


def _write(store: StateStore, show_id: str, w: fx.Write) -> None:
    if isinstance(w, fx.SaveTransitions):
        real = [t for t in w.transitions if not t.after.rehearsal]
        rehearsal = [t for t in w.transitions if t.after.rehearsal]
        if real:
            store.save_transitions(show_id, real)
        if rehearsal:  # its own record and log (conductor/rehearsal.py): the real one is never written
            store.save_transitions(show_id + REHEARSAL_SUFFIX, rehearsal)
    elif isinstance(w, fx.AddParticipant):
        store.add_participant(show_id, w.participant_id, w.group, w.at_us)
    elif isinstance(w, fx.RemoveParticipants):
        store.remove_participants(show_id, w.participant_ids)
    elif isinstance(w, fx.AddAnnouncement):
        a = w.info
        store.add_announcement(show_id, a.level, a.text, a.group, a.sent_at_us, announcement_id=a.id)
    elif isinstance(w, fx.SaveRecord):
        store.save_record(show_id + REHEARSAL_SUFFIX if w.record.rehearsal else show_id, w.record)
    else:  # pragma: no cover - the core only emits the writes above
        raise TypeError(f"unknown write {w!r}")


def execute(store: StateStore, show_id: str, writes: tuple[fx.Write, ...], describe: Describer) -> Outcomes:
    """Run ``writes`` in order, each on its own; the outcome of each (None: written)."""
    describe._probed_this_batch = False
    out: list[fx.WriteFailure | None] = []
    for w in writes:
        try:
            _write(store, show_id, w)
        except WRITE_ERRORS as exc:
            out.append(describe(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the show: report it as a failed write
            log.exception("writing %s failed", type(w).__name__)
            out.append(describe(exc))
        else:
            out.append(None)
    return tuple(out)


class StoreWriter:
    """One writer thread for one store; batches run in submission order."""

    def __init__(self, store: StateStore, show_id: str, alarms: Alarms | None = None, *,
                 inline: bool = False) -> None:
        self.store = store
        self.show_id = show_id
        self.describe = Describer(store, alarms)
        self.inline = inline
        self._pool = None if inline else concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="flashmob-store-writer")

    def run(self, writes: tuple[fx.Write, ...]) -> Outcomes:
        """Run a batch on the caller's thread (start-up, inline drivers)."""
        return execute(self.store, self.show_id, writes, self.describe)

    def submit(self, writes: tuple[fx.Write, ...], done: Callable[[Outcomes], None]) -> None:
        """Queue a batch; ``done(outcomes)`` is called from the writer thread (inline: at once)."""
        if self._pool is None:
            done(self.run(writes))
            return

        def job() -> None:
            done(self.run(writes))

        self._pool.submit(job)

    def close(self) -> None:
        """Finish what is queued, then close the store."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self.store.close()
