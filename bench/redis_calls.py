"""``python -m bench.redis_calls``: what the backplane's Redis calls cost one conductor process.

    python -m bench.redis_calls --calls 5000

Starts its own ``redis-server`` (Debian package) on a free loopback port, no
persistence, stopped by PID at the end (or uses ``--redis URL``), then times
from one blocking client (redis-py with hiredis, as :mod:`conductor.redisstore`):

* ``assign_balanced`` - a newcomer's group (one ``EVALSHA``; on the event loop);
* ``seat_group`` - a returning phone's seat (one ``HGET``; on the event loop);
* ``add_participant`` - a confirmed seat (one ``EVALSHA``; store writer thread);
* ``save_transitions`` - a show transition by compare-and-set (one ``EVALSHA``
  with ``PUBLISH``; store writer thread).

Prints one Markdown table: median and p99 in µs over ``--calls`` calls each.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time

from flashmob.conductor import show as showmod
from flashmob.conductor.redisstore import RedisStore

from . import machine
from .table import markdown


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(folder: str) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (Debian package redis-server), or pass --redis URL")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", folder], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("redis-server did not start")


def timed(fn, calls: int) -> tuple[float, float]:
    for _ in range(min(200, calls)):
        fn()
    xs = []
    for _ in range(calls):
        t = time.perf_counter_ns()
        fn()
        xs.append((time.perf_counter_ns() - t) / 1000)
    xs.sort()
    return statistics.median(xs), xs[min(len(xs) - 1, int(len(xs) * 0.99))]


def run(url: str, calls: int) -> list[list[str]]:
    store = RedisStore(url, "bench-redis-calls")
    store.r.flushdb()
    groups = [("a", 1), ("b", 2), ("c", 1)]
    n = iter(range(10**9))
    record = [showmod.new_record(60_000_000)]
    store.save_record("bench-redis-calls", record[0])

    def transition():  # arm, then cancel, alternately: every call one compare-and-set that wins
        r = record[0]
        event = showmod.Arm(10**15) if r.state is showmod.State.LOBBY else showmod.Cancel()
        batch = showmod.apply(r, event, 1, min_lead_us=0)
        store.save_transitions("bench-redis-calls", batch)
        record[0] = batch[-1].after

    rows = []
    for name, fn in (("assign_balanced", lambda: store.assign_balanced(groups)),
                     ("seat_group", lambda: store.seat_group("p1")),
                     ("add_participant", lambda: store.add_participant("bench-redis-calls", f"p{next(n)}", "a", 1)),
                     ("save_transitions", transition)):
        median, p99 = timed(fn, calls)
        rows.append([name, f"{median:.0f}", f"{p99:.0f}"])
    store.r.flushdb()
    store.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--calls", type=int, default=5000)
    p.add_argument("--redis", help="an existing Redis (its database is flushed!) instead of a private one")
    args = p.parse_args(argv)
    proc = None
    with tempfile.TemporaryDirectory() as folder:
        url = args.redis
        if url is None:
            proc, url = start_redis(folder)
        try:
            rows = run(url, args.calls)
        finally:
            if proc is not None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
    print(machine.describe())
    print(markdown(["call", "median µs", "p99 µs"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
