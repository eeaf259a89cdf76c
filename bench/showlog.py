"""``python -m bench.showlog``: what the show log costs the conductor, and the report its reader.

    python -m bench.showlog --phones 20000 --minutes 60

In process, no network: ``--phones`` phones join ``--lobby`` minutes before the
start (seat confirmed), then send a ``status`` every 10 s as the web client
does when nothing changes (statuscadence.js; while playing, with a position),
through a show of ``--minutes``; the show is armed a minute before the start.
The conductor's :class:`~flashmob.conductor.recorder.Recorder` is fed exactly
what the core feeds it and its records are appended to a real file
(:class:`~flashmob.conductor.showlogfile.ShowLogFile`) every simulated second.
Then ``flashmob report``'s reader and page are run on that file.

Prints one Markdown table: records and bytes per phone, the log's size, the
recorder's CPU per status frame (mean over all frames), the Python heap held
per connected phone (tracemalloc, while all are connected), and the report's
wall and CPU time (the CPU time is the figure to compare on a shared machine)
and peak traced memory.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from . import machine
from .table import markdown

ROOT = Path(__file__).resolve().parents[1]
S = 1_000_000


def simulate(path: Path, phones: int, minutes: int, lobby: int) -> dict:
    from flashmob.conductor.recorder import Recorder
    from flashmob.conductor.showlogfile import ShowLogFile

    man = json.loads((path.parent / "manifest.json").read_text())
    groups = [g["id"] for g in man["groups"]]
    rec = Recorder(man["show_id"], groups)
    f = ShowLogFile(path)
    start = (lobby * 60 + 10) * S
    t0 = 0
    rec.boot(t0, "bench")
    rec.show(t0, "lobby", start_at_us=None, revision=0, duration_us=minutes * 60 * S)
    pids = [f"phone-{i:06d}" for i in range(phones)]
    tracemalloc.start()
    heap0 = tracemalloc.get_traced_memory()[0]
    for i, pid in enumerate(pids):
        rec.joined(10 * S + i, pid, groups[i % len(groups)], confirmed=False, known=False)
        rec.seat(10 * S + i + 1, pid, groups[i % len(groups)])
    f.append(rec.take())
    heap = tracemalloc.get_traced_memory()[0] - heap0
    tracemalloc.stop()
    frames, cpu = 0, 0.0
    for t in range(10 * S, start + minutes * 60 * S, 10 * S):
        if t == start - 60 * S:
            rec.show(t, "armed", start_at_us=start, revision=1, duration_us=minutes * 60 * S)
        if t == start:
            rec.show(t, "running", start_at_us=start, revision=2, duration_us=minutes * 60 * S)
        playing = t >= start
        c0 = time.process_time()
        for i, pid in enumerate(pids):
            tt = t + i * 10  # spread over the 10 s
            rec.status(tt, pid, verified=True, sync_error_us=2500, engine="webaudio", output_latency_us=20_000,
                       position_us=tt - start if playing else None, drift_us=(i % 9 - 4) * 250 if playing else None,
                       trouble=None)
        cpu += time.process_time() - c0
        frames += len(pids)
        f.append(rec.take())
    end = start + minutes * 60 * S
    rec.show(end, "ended", start_at_us=start, revision=3, duration_us=minutes * 60 * S)
    for pid in pids:
        rec.left(end + S, pid)
    rec.flush_notes(end + S)
    f.append(rec.take())
    f.close()
    return {"records": rec.records, "dropped": rec.dropped, "frames": frames, "cpu_s": cpu, "heap": heap}


def run(phones: int, minutes: int, lobby: int) -> list[list]:
    sys.path.insert(0, str(ROOT / "tests" / "conductor"))
    from conductor_testkit import write_bundle

    from flashmob.tools.report.page import build

    with tempfile.TemporaryDirectory() as tmp:
        bundle = write_bundle(Path(tmp) / "bundle", duration_ms=minutes * 60_000)
        path = bundle / "state.sqlite.showlog"
        sim = simulate(path, phones, minutes, lobby)
        size = path.stat().st_size
        t, c = time.perf_counter(), time.process_time()
        rep = build(bundle, [path])
        took, cpu = time.perf_counter() - t, time.process_time() - c
        tracemalloc.start()  # a second run for the memory (tracemalloc slows everything down)
        build(bundle, [path])
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert len(rep.facts.phones) == phones, len(rep.facts.phones)
    return [[phones, minutes, sim["records"], round(sim["records"] / phones, 1), round(size / phones),
             round(size / 1e6, 1), sim["dropped"], round(sim["cpu_s"] / sim["frames"] * 1e6, 2),
             round(sim["heap"] / phones), round(took, 1), round(cpu, 1), round(peak / 1e6)]]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.showlog", description=__doc__.split("\n\n")[0])
    p.add_argument("--phones", type=int, default=20_000)
    p.add_argument("--minutes", type=int, default=60, help="length of the show")
    p.add_argument("--lobby", type=int, default=10, help="minutes the phones wait before the start")
    args = p.parse_args(argv)
    rows = run(args.phones, args.minutes, args.lobby)
    print(machine.describe())
    print(markdown(["phones", "show min", "records", "records/phone", "bytes/phone", "log MB", "dropped",
                    "recorder µs/status", "heap B/phone", "report s", "report CPU s",
                    "report peak MB"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
