"""``python -m bench.sync``: clock-sync accuracy, side by side.

    python -m bench.sync --profile wifi --phones 20 --seconds 30
    python -m bench.sync --profile all --phones 20 --seconds 30     # every profile, one table each

One run: a real conductor (``python -m flashmob.conductor serve``, stub bundle), the
peers' servers (``bench/peers/servers.mjs``), the relay (``bench.netlink``)
with one route per phone and library, every route of phone ``i`` seeded
``i`` (same delay sequence for the three libraries), and the phones
(``bench/peers/syncrun.mjs``).  Everything stops by itself after
``--seconds`` plus a margin.  Prints one table per profile (see
``bench/sync/report.py`` for the definitions) and the verdict on the targets.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .. import machine, procs
from ..netlink.profiles import BENCH_PROFILES, PROFILES
from ..showbundle import write_stub_bundle
from . import report
from .phones import phone_clocks

STAGGER_MS = 100


def run_profile(profile: str, *, phones: int, seconds: float, seed: str, libs: list[str], settle_s: float,
                workdir: Path, max_drift_ppm: float = 200.0) -> dict:
    bundle = write_stub_bundle(workdir / "bundle")
    epoch = procs.epoch_offset_us()
    origin = epoch + time.monotonic_ns() // 1000
    margin = 60.0
    conductor, cport = procs.start_conductor(bundle, workdir / "state.sqlite")
    started = [conductor]
    try:
        servers = procs.node_proc(procs.PEERS / "servers.mjs",
                                  json.dumps({"epochOffsetUs": epoch, "originUs": origin, "seconds": seconds + margin}))
        started.append(servers)
        sports = servers.read_json()
        target = {"flashmob": cport, "timesync": sports["timesync"], "ircam": sports["ircam"]}
        clocks = phone_clocks(phones, seed, max_drift_ppm=max_drift_ppm)
        routes = [{"name": f"{lib}-{c.index}", "target": f"127.0.0.1:{target[lib]}", "profile": profile,
                   "seed": f"{seed}-{c.index}"} for c in clocks for lib in libs]
        # the route changes half-way through the phones' run (they start ~1 s after the relay)
        relay, rports = procs.start_relay(routes, workdir, seconds=seconds + margin, change_at_s=1.0 + seconds / 2)
        started.append(relay)
        path = {"flashmob": "/ws", "timesync": "/", "ircam": "/"}
        cfg = {"epochOffsetUs": epoch, "originUs": origin, "seconds": seconds, "sampleMs": 100,
               "staggerMs": STAGGER_MS, "libs": libs, "calibrate": f"ws://127.0.0.1:{cport}/ws",
               "out": str(workdir / "samples.json"),
               "phones": [{"index": c.index, "offsetUs": c.offset_us, "driftPpm": c.drift_ppm,
                           "urls": {lib: f"ws://127.0.0.1:{rports[f'{lib}-{c.index}']}{path[lib]}" for lib in libs}}
                          for c in clocks]}
        (workdir / "syncrun.json").write_text(json.dumps(cfg))
        runner = procs.node_proc(procs.PEERS / "syncrun.mjs", str(workdir / "syncrun.json"))
        started.append(runner)
        rc = runner.wait(seconds + margin)
        if rc != 0:
            raise RuntimeError(f"syncrun.mjs exited with {rc}")
        relay.stop()
        samples = json.loads((workdir / "samples.json").read_text())
        stats = procs.read_relay_stats(workdir)
    finally:
        for p in reversed(started):
            p.stop()
    results = [report.summarize(samples, lib, settle_s=settle_s) for lib in libs]
    fl = report.floor(stats)
    return {"profile": profile, "results": results, "floor": fl, "calibration": samples.get("calibration"),
            "relay": stats}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__.split("\n\n")[0])
    p.add_argument("--profile", default="wifi", help=f"one of {', '.join(BENCH_PROFILES)}, or 'all'")
    p.add_argument("--phones", type=int, default=20)
    p.add_argument("--seconds", type=float, default=30.0, help="how long the phones run (default 30)")
    p.add_argument("--seed", default="1")
    p.add_argument("--libs", default=",".join(report.LIBS), help="comma-separated: flashmob,timesync,ircam")
    p.add_argument("--max-drift", type=float, default=200.0, help="phone clock rate errors within ± this (ppm)")
    p.add_argument("--settle", type=float, default=5.0, help="statistics over readings after this many seconds")
    p.add_argument("--install", action="store_true", help="run `npm ci` in bench/peers when the peers are missing")
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--keep", type=Path, help="copy each run's raw samples and relay statistics into this folder")
    args = p.parse_args(argv)
    procs.exit_on_sigterm()
    profiles = list(BENCH_PROFILES) if args.profile == "all" else [args.profile]
    for prof in profiles:
        if prof not in PROFILES:
            p.error(f"unknown profile {prof!r}")
    libs = [x for x in args.libs.split(",") if x]
    if not set(libs) <= set(report.LIBS) or "flashmob" not in libs:
        p.error("--libs: flashmob plus any of timesync, ircam")
    try:
        procs.node()
        procs.ensure_peers(install=args.install)  # ws is one of them: every library needs it
    except procs.PrerequisiteMissing as exc:
        print(f"bench.sync: {exc}", file=sys.stderr)
        return 2
    print(f"machine: {machine.describe()}")
    print(f"command: python -m bench.sync --profile {args.profile} --phones {args.phones} --seconds {args.seconds:g} "
          f"--seed {args.seed}" + (f" --max-drift {args.max_drift:g}" if args.max_drift != 200 else ""))
    out = []
    for prof in profiles:
        with tempfile.TemporaryDirectory(prefix=f"bench-sync-{prof}-") as tmp:
            res = run_profile(prof, phones=args.phones, seconds=args.seconds, seed=args.seed, libs=libs,
                              settle_s=args.settle, workdir=Path(tmp), max_drift_ppm=args.max_drift)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for name in ("samples.json", "relay-stats.json", "syncrun.json"):
                    shutil.copy(Path(tmp) / name, args.keep / f"{prof}-{name}")
        cal = res["calibration"] or {}
        print(f"\n### {prof}: {PROFILES[prof]} - {args.phones} phones, {args.seconds:g} s, statistics after "
              f"{args.settle:g} s")
        print(f"(truth check: conductor time - true time = {cal.get('offsetUs', float('nan')):.0f} µs "
              f"± {cal.get('rttUs', float('nan')) / 2:.0f} µs over a direct socket; load average "
              f"{machine.loadavg()[0]:.2f})\n")
        print(report.table(res["results"], res["floor"]))
        print()
        for line in report.verdict(prof, res["results"], res["floor"]):
            print(f"- {line}")
        sys.stdout.flush()
        out.append({"profile": prof, "results": [r.__dict__ for r in res["results"]],
                    "floor": res["floor"].__dict__, "calibration": cal})
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
