"""``python -m bench.load``: how many phones one conductor process holds.

    python -m bench.load --phones 1000,2000,5000,10000 --steady 20
    python -m bench.load --phones 5000,10000 --baseline main    # side by side with main's code
    python -m bench.load --phones 1000,2000 --processes 1,2,4 --redis   # N processes on one Redis

For each K (ascending; the sweep stops after the first run that fails the
health check: a phone not joined, an error, the cue less than 1 s before the
start, or sync service p99 above 20 ms), a fresh conductor
(``python -m flashmob.conductor serve``, stub bundle) and the Node load generator
(``bench/load/loadgen.mjs``) on the same machine, over loopback without the
relay: join, steady phase (sync bursts, periodic sync, status), arm with a
5 s lead, 1 s past the start.  /proc is sampled every 250 ms for CPU and
memory.  Prints the table (definitions: ``bench/load/report.py``) and the
projection for 20,000 and 100,000 phones.  ``--baseline REF`` runs every
size on ``REF``'s own code too (``bench/load/baseline.py``), the two trees
alternating, and prints one table with a ``tree`` column.  ``--processes
1,2,4 --redis`` runs every size on the single-process in-memory conductor and
then on N ``--redis`` processes sharing one show (``bench/load/fleet.py``),
with Redis's CPU and operations, the issue's targets and the projection.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .. import machine, procs
from ..showbundle import write_stub_bundle
from . import baseline as base
from . import report
from . import spy
from .loadgen import write_config
from .procstat import Sampler, rss_bytes

HERE = Path(__file__).resolve().parent


def _raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, need))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if want < need:
        raise procs.PrerequisiteMissing(f"open-file limit {hard} is below the {need} this run needs (ulimit -n)")


def run_one(k: int, args, workdir: Path) -> report.LoadRow:
    _raise_fd_limit(k + 1000)
    bundle = write_stub_bundle(workdir / "bundle")
    epoch = procs.epoch_offset_us()
    started = []
    if args.hog is not None:  # a CPU hog on the conductor's core (a show-day laptop is rarely idle)
        hog = procs.Proc([sys.executable, "-c", "while True: pass"], stdin_pipe=False)
        os.sched_setaffinity(hog.pid, {args.hog})
        started.append(hog)
    conductor, port = procs.start_conductor(bundle, workdir / "state.sqlite", extra=["--min-lead", "1"],
                                            ws_impl=args.uvicorn_ws, loop=args.uvicorn_loop,
                                            gc_log=args.gc_log.resolve() if args.gc_log else None,
                                            ws_ping=args.ws_ping)
    started.append(conductor)
    if args.pin_conductor is not None:
        os.sched_setaffinity(conductor.pid, {args.pin_conductor})
    try:
        time.sleep(0.5)
        rss_idle = rss_bytes(conductor.pid)
        cfg = write_config(workdir, args, urls=[f"ws://127.0.0.1:{port}/ws"],
                           console_url=f"ws://127.0.0.1:{port}/ws/console", phones=k, epoch_us=epoch)
        gen = procs.node_proc(HERE / "loadgen.mjs", str(cfg))
        started.append(gen)
        if args.pin_loadgen is not None:
            os.sched_setaffinity(gen.pid, {args.pin_loadgen})
        sampler = Sampler({"conductor": conductor.pid, "loadgen": gen.pid}).start()
        marks = {}
        spying = None
        deadline = time.monotonic() + args.join_timeout + args.steady + args.lead + 60
        while "done" not in marks and time.monotonic() < deadline:
            line = gen.p.stdout.readline()
            if not line:
                break
            if line.startswith('{"mark"'):
                m = json.loads(line)
                marks[m["mark"]] = (m["t"] - epoch) / 1e6  # true µs -> monotonic s
                if args.py_spy and m["mark"] == "steady_start" and args.py_spy_at == "steady":
                    spying = spy.record(conductor.pid, max(1, min(15, args.steady - 1)), workdir / "spy.txt")
                if args.py_spy and m["mark"] == "arm_sent" and args.py_spy_at == "arm":
                    spying = spy.record(conductor.pid, max(1, args.lead - 1), workdir / "spy.txt")
        rc = gen.wait(90)
        sampler.stop()
        if spying is not None:
            spying.wait(30)
            if (workdir / "spy.txt").exists():
                print(f"\nWhere the conductor's CPU went, {k:,} phones, {args.py_spy_at} phase (py-spy, 100 Hz):\n")
                print(spy.table((workdir / "spy.txt").read_text()), flush=True)
        if not (workdir / "load.json").exists():
            raise RuntimeError(f"loadgen exited with {rc} and wrote nothing")
        out = json.loads((workdir / "load.json").read_text())
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(workdir / "load.json", args.keep / f"load-{k}.json")
            if (workdir / "spy.txt").exists():
                shutil.copy(workdir / "spy.txt", args.keep / f"spy-{k}.txt")
    finally:
        for p in reversed(started):
            p.stop()
    s0, s1 = marks.get("steady_start"), marks.get("steady_end")
    joined_rss = sampler.at("conductor", s0)[2] if s0 else None
    return report.row(out, rss_idle=rss_idle, rss_joined=joined_rss,
                      cpu_core=sampler.cpu_share("conductor", s0, s1) if s0 and s1 else None,
                      loadgen_core=sampler.cpu_share("loadgen", s0, s1) if s0 and s1 else None,
                      steady_s=(s1 - s0) if s0 and s1 else 0.0)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--phones", default="1000,2000,5000,10000", help="comma-separated sizes, ascending")
    p.add_argument("--steady", type=float, default=20.0, help="seconds of steady load before arming")
    p.add_argument("--lead", type=float, default=5.0, help="arm lead (s)")
    p.add_argument("--period-ms", type=int, default=2000,
                   help="periodic sync burst period (clocksync.js: 2000 during the first 2 min, then 10000)")
    p.add_argument("--status-ms", type=int, default=10000,
                   help="status period of a phone whose status does not change (client_web/js/statuscadence.js: "
                        "10 s; it was 2 s before issue 14)")
    p.add_argument("--console-probe-ms", type=int, default=200,
                   help="the console sends a command refused without a write this often in the steady phase (0: never)")
    p.add_argument("--baseline", metavar="REF",
                   help="also run every size on this commit's own code (a detached git worktree, removed after)")
    p.add_argument("--baseline-plain", action="store_true",
                   help="run the baseline without uvloop and httptools (as plain `uvicorn` installs), even if the venv has them")
    p.add_argument("--concurrency", type=int, default=200, help="handshakes in flight while joining")
    p.add_argument("--join-timeout", type=float, default=60.0, help="stop starting joins after this (s)")
    p.add_argument("--all", action="store_true", help="do not stop the sweep at the first unhealthy run")
    p.add_argument("--install", action="store_true", help="run `npm ci` in bench/peers when missing")
    p.add_argument("--py-spy", action="store_true", help="profile the conductor during each steady phase (py-spy)")
    p.add_argument("--py-spy-at", choices=["steady", "arm"], default="steady",
                   help="profile the steady phase (default) or the seconds after the console's arm")
    p.add_argument("--uvicorn-ws", choices=["websockets", "websockets-sansio", "wsproto"],
                   help="experiment: serve the same app with this uvicorn websocket implementation "
                        "(bench/load/altserve.py) instead of `flashmob serve`'s default")
    p.add_argument("--uvicorn-loop", choices=["uvloop", "asyncio"],
                   help="experiment: serve the same app on this event loop (bench/load/altserve.py)")
    p.add_argument("--ws-ping", type=float, metavar="S",
                   help="experiment: serve with bench/load/altserve.py, websocket pings every S seconds")
    p.add_argument("--gc-log", type=Path, metavar="FILE",
                   help="experiment: serve with bench/load/altserve.py and append every garbage collection "
                        "longer than 2 ms to FILE")
    p.add_argument("--pin-conductor", type=int, metavar="CPU", help="run the conductor on this CPU only (taskset)")
    p.add_argument("--pin-loadgen", type=int, metavar="CPU", help="run the load generator on this CPU only")
    p.add_argument("--hog", type=int, metavar="CPU", help="a busy-looping process on this CPU for the whole run")
    p.add_argument("--processes", metavar="N,N",
                   help="conductor processes per run (bench/load/fleet.py): with --redis, each size runs on the "
                        "single-process in-memory conductor, then on N processes sharing the show on Redis")
    p.add_argument("--redis", action="store_true", help="with --processes: the nodes share one private redis-server")
    p.add_argument("--nginx", action="store_true",
                   help="with --processes: the phones go through one nginx (flashmob nginx's configuration)")
    p.add_argument("--cores-per-machine", type=int, default=8, help="with --processes: for the projection")
    p.add_argument("--keep", type=Path, help="copy each run's raw results into this folder")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    procs.exit_on_sigterm()
    sizes = [int(x) for x in args.phones.split(",") if x]
    try:
        procs.node()
        procs.ensure_peers(install=args.install)
    except procs.PrerequisiteMissing as exc:
        print(f"bench.load: {exc}", file=sys.stderr)
        return 2
    print(f"machine: {machine.describe()}")
    print("command: python -m bench.load " + " ".join(sys.argv[1:] if argv is None else argv))
    if args.processes:
        from . import fleet

        try:
            return fleet.sweep(args, sizes)
        except procs.PrerequisiteMissing as exc:
            print(f"bench.load: {exc}", file=sys.stderr)
            return 2
    tree = base.checkout(args.baseline) if args.baseline else None
    rows, labels = [], []
    try:
        if tree is not None:
            print(f"baseline: {args.baseline} = {base.describe(tree)} (its own bench.load, conductor and load generator)")
        for i, k in enumerate(sizes):
            order = ["this", "baseline"] if tree is None or i % 2 == 0 else ["baseline", "this"]
            ok = True
            for which in order:
                if which == "baseline" and tree is None:
                    continue
                with tempfile.TemporaryDirectory(prefix=f"bench-load-{k}-") as tmp:
                    r = run_one(k, args, Path(tmp)) if which == "this" else base.run(tree, k, args, Path(tmp))
                label = "this tree" if which == "this" else f"baseline {args.baseline}{' (plain uvicorn)' if args.baseline_plain else ''}"
                rows.append(r)
                labels.append(label)
                print(f"  {k:,} phones ({label}): {'healthy' if r.healthy else 'NOT healthy'}"
                      f"{'' if r.complete else ' (INCOMPLETE: hard deadline)'}: "
                      f"joined {r.joined}, service p99 {r.service_p99_ms} ms, RTT p99 {r.rtt_p99_ms} ms, "
                      f"cue margin {r.margin_s} s, errors: {r.error_detail}; "
                      f"load average {machine.loadavg()[0]:.2f}", flush=True)
                if which == "this":
                    ok = r.healthy
            if not ok and not args.all:
                break
    finally:
        if tree is not None:
            base.remove(tree)
    print()
    print(report.table(rows, labels if tree is not None else None))
    print()
    for target in (20_000, 100_000):
        for line in report.projection([r for r, lb in zip(rows, labels) if lb == "this tree"], target):
            print(f"- {line}")
    if args.json:
        args.json.write_text(json.dumps([{**r.as_dict(), **({"tree": lb} if tree is not None else {})}
                                         for r, lb in zip(rows, labels)], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
