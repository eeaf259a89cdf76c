"""``python -m bench.attack``: do honest phones keep their service under attack?

    python -m bench.attack --phones 200 --steady 20

One run, two phases, a fresh conductor (``python -m flashmob.conductor serve``, stub
bundle, default limits) each, on loopback:

1. **no attack**: the load generator of bench.load (``bench/load/loadgen.mjs``,
   phones from 127.0.0.1: join, steady sync and status, the console arms with
   a lead, 1 s past the start);
2. **attack**: the same, while ``bench/attack/attacker.py`` from its own
   address (127.0.0.2) holds 1,000 idle sockets and 300 half-open HTTP
   requests, floods 500 frames/s over 10 websockets (reconnecting at most
   10 times a second) and sends 100 hellos/s that never confirm.  The attack
   starts ``--ramp`` seconds before the phones and runs until the end.

Prints the side-by-side table (definitions and targets: ``bench/attack/report.py``),
what the attacker saw, and the conductor's log size.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

from .. import machine, procs
from ..load import report as load_report
from ..load.__main__ import _raise_fd_limit
from ..load.procstat import Sampler
from ..showbundle import write_stub_bundle
from . import report

HERE = Path(__file__).resolve().parent
LOADGEN = HERE.parent / "load" / "loadgen.mjs"


def run_phase(name: str, args, workdir: Path, *, attack: bool) -> tuple[report.Phase, dict, int]:
    workdir.mkdir(parents=True)
    bundle = write_stub_bundle(workdir / "bundle")
    epoch = procs.epoch_offset_us()
    conductor, port = procs.start_conductor(bundle, workdir / "state.sqlite", extra=["--min-lead", "1"],
                                            log_level="info")
    started = [conductor]
    snap: dict = {}
    try:
        pids = {"conductor": conductor.pid}
        if attack:
            acfg = {"host": "127.0.0.1", "port": port, "source": args.source, "idle": args.idle,
                    "half_open": args.half_open, "flood_sockets": args.flood_sockets, "flood_rate": args.flood_rate,
                    "flood_reconnects_per_s": args.flood_reconnects, "hellos_per_s": args.hellos,
                    "reopen_per_s": args.reopen, "out": str(workdir / "attacker.json"),
                    "flood_source": args.flood_source, "hello_source": args.hello_source}
            (workdir / "attacker-config.json").write_text(json.dumps(acfg))
            attacker = procs.Proc([sys.executable, "-m", "bench.attack.attacker", str(workdir / "attacker-config.json")])
            started.append(attacker)
            pids["attacker"] = attacker.pid
            procs.log(f"{name}: attacker started from {args.source}; {args.ramp:g} s before the phones")
            time.sleep(args.ramp)
        cfg = {"url": f"ws://127.0.0.1:{port}/ws", "consoleUrl": f"ws://127.0.0.1:{port}/ws/console",
               "token": procs.TOKEN, "phones": args.phones, "concurrency": args.concurrency, "epochOffsetUs": epoch,
               "joinTimeoutS": args.join_timeout, "steadyS": args.steady, "leadMs": int(args.lead * 1000),
               "afterS": 1.0, "burst": 12, "burstSpacingMs": 50, "periodicBurst": 4, "periodMs": 2000,
               "statusMs": 2000, "out": str(workdir / "load.json")}
        (workdir / "loadgen.json").write_text(json.dumps(cfg))
        gen = procs.node_proc(LOADGEN, str(workdir / "loadgen.json"))
        started.append(gen)
        pids["loadgen"] = gen.pid
        sampler = Sampler(pids).start()
        t_start = time.monotonic()
        marks = {}
        deadline = time.monotonic() + args.join_timeout + args.steady + args.lead + 60
        while "done" not in marks and time.monotonic() < deadline:
            line = gen.p.stdout.readline()
            if not line:
                break
            if line.startswith('{"mark"'):
                m = json.loads(line)
                marks[m["mark"]] = (m["t"] - epoch) / 1e6
                procs.log(f"{name}: {m['mark']}")
        rc = gen.wait(90)
        sampler.stop()
        if attack:
            attacker.stop()
            try:
                snap = json.loads((workdir / "attacker.json").read_text())
            except (OSError, ValueError):
                snap = {}
        if not (workdir / "load.json").exists():
            raise RuntimeError(f"loadgen exited with {rc} and wrote nothing")
        out = json.loads((workdir / "load.json").read_text())
    finally:
        for p in reversed(started):
            p.stop()
    s0, s1 = marks.get("steady_start"), marks.get("steady_end")
    cpu = sampler.cpu_share("conductor", s0, s1) if s0 and s1 else None
    rss = sampler.peak_rss("conductor", t_start, time.monotonic())
    row = load_report.row(out, rss_idle=None, rss_joined=None, cpu_core=cpu,
                          loadgen_core=sampler.cpu_share("loadgen", s0, s1) if s0 and s1 else None,
                          steady_s=(s1 - s0) if s0 and s1 else 0.0)
    if attack and s0 and s1:
        snap["attacker_cpu_core"] = sampler.cpu_share("attacker", s0, s1)
    log_lines = sum(1 for _ in open(workdir / "conductor.log", errors="replace"))
    phase = report.Phase(name, row, report.feed_rate(out), cpu, rss / 2**20 if rss else None)
    return phase, snap, log_lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.attack", description=__doc__.split("\n\n")[0])
    p.add_argument("--phones", type=int, default=200, help="honest phones (from 127.0.0.1)")
    p.add_argument("--steady", type=float, default=20.0, help="seconds of steady load before arming")
    p.add_argument("--lead", type=float, default=5.0, help="arm lead (s)")
    p.add_argument("--concurrency", type=int, default=50, help="honest handshakes in flight while joining")
    p.add_argument("--join-timeout", type=float, default=60.0)
    p.add_argument("--source", default="127.0.0.2", help="the attacker's loopback address")
    p.add_argument("--flood-source", help="another loopback address for the flood (default: --source)")
    p.add_argument("--hello-source", help="another loopback address for the hellos (default: --source)")
    p.add_argument("--idle", type=int, default=1000, help="idle sockets the attacker holds")
    p.add_argument("--half-open", type=int, default=300, help="half-sent HTTP requests the attacker holds")
    p.add_argument("--flood-rate", type=float, default=500.0, help="frames per second in total")
    p.add_argument("--flood-sockets", type=int, default=10)
    p.add_argument("--flood-reconnects", type=float, default=10.0, help="flood reconnects per second, at most")
    p.add_argument("--hellos", type=float, default=100.0, help="never-confirming hellos per second")
    p.add_argument("--reopen", type=float, default=200.0,
                   help="idle/half-open sockets reopened per second, at most, when the server closes them")
    p.add_argument("--ramp", type=float, default=3.0, help="seconds of attack before the phones start")
    p.add_argument("--install", action="store_true", help="run `npm ci` in bench/peers when missing")
    p.add_argument("--keep", type=Path, help="keep the run's files (conductor logs, raw results) in this folder")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    procs.exit_on_sigterm()
    try:
        procs.node()
        procs.ensure_peers(install=args.install)
        _raise_fd_limit(args.idle + args.half_open + args.phones + 2000)
    except procs.PrerequisiteMissing as exc:
        print(f"bench.attack: {exc}", file=sys.stderr)
        return 2
    print(f"machine: {machine.describe()}")
    print("command: python -m bench.attack " + " ".join(sys.argv[1:] if argv is None else argv))
    phases = []
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    tmpdir = tempfile.mkdtemp(prefix="bench-attack-", dir=args.keep) if args.keep else None
    with (contextlib.nullcontext(tmpdir) if tmpdir else tempfile.TemporaryDirectory(prefix="bench-attack-")) as tmp:
        for name, attack in (("no attack", False), ("attack", True)):
            la = machine.loadavg()[0]
            phase, snap, log_lines = run_phase(name, args, Path(tmp) / name.replace(" ", "-"), attack=attack)
            phases.append((phase, snap, log_lines, la))
            print(f"  {name}: joined {phase.load.joined}/{args.phones}, service p99 {phase.load.service_p99_ms} ms, "
                  f"errors: {phase.load.error_detail}; conductor log {log_lines} lines; "
                  f"load average {la:.2f} at start, {machine.loadavg()[0]:.2f} at end", flush=True)
    (base, _, base_log, _), (att, snap, att_log, _) = phases
    text, ok = report.table(base, att)
    print()
    print(text)
    print()
    where = args.source + "".join(f", {k} from {v}" for k, v in (("flood", args.flood_source),
                                                                  ("hellos", args.hello_source)) if v)
    print(f"Targets {'met' if ok else 'MISSED'}. The attacker ({where}), from its own counters:")
    for line in report.attacker_lines(snap):
        print(f"- {line}")
    if snap.get("attacker_cpu_core") is not None:
        print(f"- attacker CPU {snap['attacker_cpu_core']:.2f} core, honest load generator "
              f"{att.load.loadgen_core or 0:.2f} core (same 2-core machine)")
    print(f"- conductor log: {base_log} lines without the attack, {att_log} with it (info level)")
    if args.json:
        args.json.write_text(json.dumps({"phases": [{"name": ph.name, **ph.load.as_dict(), "feed_rate": ph.feed_rate,
                                                     "cpu_core": ph.cpu_core, "rss_mib": ph.rss_mib}
                                                    for ph, *_ in phases], "attacker": snap, "ok": ok}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
