"""Worker processes for the renderer: one group per process, stoppable at once.

:func:`run_jobs` renders group jobs in worker processes forked from a fork
server that has already imported the renderer (starting one costs
milliseconds, and nothing of the parent — its TTS engines and their threads
— is inherited), relaying their progress. Contract for interruption: on any
exception in the parent (Ctrl-C included) every worker and its ffmpeg are
killed at once — each worker leads its own process group — and a worker
whose parent dies (even one being started as Ctrl-C arrived, which the
parent cannot know of) kills its own group, watching the parent through a
pidfd. Workers ignore SIGINT: the parent alone handles Ctrl-C.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, wait
from queue import Empty

from .group import render_group

_QUEUE = None  # the progress queue of a worker process (set by _init_worker)


def _init_worker(queue, parent_pid: int) -> None:
    """Lead a process group (ffmpeg joins it), ignore SIGINT, die with the parent."""
    global _QUEUE
    _QUEUE = queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.setpgid(0, 0)
    threading.Thread(target=_die_with, args=(parent_pid,), daemon=True, name="die-with-parent").start()


def _die_with(pid: int) -> None:
    """Block until process ``pid`` exits (a pidfd: exact, no polling), then kill this process group."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        fd = None
    except (OSError, AttributeError):  # no pidfd (old kernel): poll
        while _pid_alive(pid):
            time.sleep(0.2)
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    os.killpg(0, signal.SIGKILL)


def _worker(job):
    return render_group(job, lambda stage, frac: _QUEUE.put((job.group.group.id, stage, frac)))


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill every worker process and its ffmpeg at once (each worker leads its own process group)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):  # not yet its own group leader: kill it alone
            try:
                proc.kill()
            except Exception:  # noqa: BLE001 - already gone
                pass


def stop_fork_server() -> None:
    """Kill the fork server this process started, if any (after Ctrl-C: it may be busy importing the
    renderer for a second or two before it would notice that this process is gone)."""
    from multiprocessing import forkserver

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def start_workers_early() -> None:
    """Start the fork server now: it imports the renderer while this process synthesizes speech."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _context():
    """Worker processes are forked from a fork server that has already imported the renderer:
    starting one costs milliseconds, not the second of imports a spawned interpreter pays, and,
    unlike a plain fork, nothing of the parent (its TTS engines and their threads) is inherited."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["flashmob.tools.render.group"])
    return ctx


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_jobs(jobs, workers: int, progress) -> dict:
    """Render ``jobs`` (:class:`GroupJob`) with ``workers`` processes (1: in this process);
    ``progress(group_id, stage, fraction)``. Returns the facts of each group by id."""
    facts = {}
    if workers <= 1:
        for job in jobs:
            f = render_group(job, lambda stage, frac, gid=job.group.group.id: progress(gid, stage, frac))
            facts[f.group_id] = f
    else:
        ctx = _context()
        queue = ctx.Queue()

        def drain():
            while True:
                try:
                    progress(*queue.get_nowait())
                except Empty:
                    return

        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(queue, os.getpid()))
        try:
            futures = [pool.submit(_worker, job) for job in jobs]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=0.1)
                drain()
            for fut in futures:
                f = fut.result()
                facts[f.group_id] = f
        except BaseException:
            _kill_workers(pool)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        drain()
        queue.close()
    return facts
