"""Child processes of the engine drivers, stopped by their own PID.

Every helper here starts exactly one process and remembers its PID;
:func:`stop` sends SIGTERM to that PID (and to its process group when it was
started as a group leader), waits, then SIGKILLs. Nothing is ever killed by
name.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time


class EngineMissing(RuntimeError):
    """A browser engine or a tool it needs is not installed (the message says how to get it)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(cmd: list[str], *, env: dict, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
          pass_fds=()) -> subprocess.Popen:
    """Start ``cmd`` as the leader of a new process group (so its children can be stopped with it)."""
    return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            start_new_session=True, pass_fds=pass_fds)


def stop(p: subprocess.Popen | None, timeout: float = 5.0) -> None:
    """Stop ``p`` (and the process group it leads) by PID: SIGTERM, then SIGKILL after ``timeout``."""
    if p is None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if p.poll() is not None:
            break
        try:
            os.killpg(p.pid, sig)  # p.pid leads its own group (start_new_session)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            continue
    # reap leftovers of the group (e.g. content processes whose parent died first)
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def wait_until(predicate, timeout: float, what: str, poll: float = 0.02):
    """Poll ``predicate()`` until truthy; its value, or TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        v = predicate()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} (after {timeout:g} s)")
        time.sleep(poll)


MARKER = "FLASHMOB_PAGE_ID"


def marked_pids(marker_value: str) -> list[int]:
    """PIDs of every live process of a page: those whose environment has
    ``FLASHMOB_PAGE_ID=marker_value``, and all their descendants.

    Each page's browser starts with its own marker; most children inherit it, some
    (Chromium's utility processes, which get a rebuilt environment) are found as
    descendants. How a page's processes are found when the driver does not say
    (Playwright), how a sink input is matched to a page, and what is killed at close.
    """
    needle = f"{MARKER}={marker_value}".encode() + b"\0"
    marked, parents = set(), {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        ppid = parent_pid(pid)
        if ppid is None:
            continue
        parents[pid] = ppid
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                if needle in f.read() + b"\0":
                    marked.add(pid)
        except OSError:
            continue
    out = set(marked)
    for pid in parents:
        seen, q = [], pid
        while q and q not in out and q in parents and len(seen) < 64:
            seen.append(q)
            q = parents[q]
        if q in out:
            out.update(seen)
    return sorted(out)


def kill_pids(pids) -> None:
    """SIGKILL each PID in ``pids`` (leftovers of a page whose browser already exited)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def parent_pid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
