"""One conductor per state file: an exclusive lock held for the process's life.

Two conductors on one state file would each believe their own record (phones
on one see ``armed``, on the other ``aborted``) and write two transitions with
the same revision.  So :func:`lock_state_file` takes an exclusive ``flock`` on
a lock file beside the state file (``<state file>.lock``) and writes the
holder's pid in it; a second conductor fails at once with
:class:`StateFileInUse`, naming the state file and the holder.

Contract
--------
* The lock belongs to the open file description: it is held until
  :meth:`StateLock.release` or the process ends — however it ends (a SIGKILL
  too: the kernel drops the lock), so a stale lock file never blocks a
  restart; only a *living* holder does.
* A second lock on the same file from the same process is refused as well
  (``flock`` locks are per open file, not per process).
* The pid in the lock file is informative only (written after locking); the
  lock itself is the kernel's.  The state database is never touched.
* Linux/BSD/macOS (``fcntl.flock``).  On a network filesystem without flock
  support the error says so.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path


class StateFileInUse(Exception):
    """Another living process holds the state file."""

    def __init__(self, state: Path, holder: str) -> None:
        super().__init__(f"the state file {state} is in use by another conductor ({holder}); stop it first, "
                         "or give this one another --db")
        self.state = state
        self.holder = holder


class StateLock:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __del__(self) -> None:  # a dropped lock object does not keep the file locked
        self.release()

    def __enter__(self) -> StateLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_path(state: Path) -> Path:
    return state.with_name(state.name + ".lock")


def lock_state_file(state: str | Path) -> StateLock:
    """Lock ``state`` for this process or raise :class:`StateFileInUse` (or OSError)."""
    state = Path(state)
    path = lock_path(state)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        try:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        finally:
            os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise StateFileInUse(state, holder or "a process that has not written its pid yet") from None
        raise OSError(exc.errno, f"cannot lock {path}: {exc.strerror}") from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n".encode(), 0)
    except OSError:
        pass  # informative only (a full disk must not stop the lock from being held)
    return StateLock(path, fd)
