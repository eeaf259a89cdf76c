"""``python -m bench.seats``: what seats and their challenges cost, conductor and phone.

    python -m bench.seats --hellos 20000 --answers 2000

In process (no network, so the numbers are the conductor's own CPU per
frame, the event loop's budget): a bundle of two groups with real-sized
segments (random bytes, ``--segment-kb`` each), a Conductor on a SQLite file,
then

* ``--hellos`` scripted hellos through ``ParticipantSession`` (welcome +
  challenge serialized), then up to 5,000 more under tracemalloc for the
  Python heap growth per pending seat (the sessions are dropped, as a
  script's closed sockets would be);
* ``--answers`` right answers (``--challenge-kb`` read from the page cache,
  sha256, the confirmed seat written to SQLite) and as many wrong ones;
* on the phone's side, under Node: ``crypto.subtle`` sha256 of one challenge
  and the pure-JS fallback (``client_web/js/sha256.js``, plain-http pages).

Each conductor figure is the fastest of ``--rounds`` runs (the machine is
shared: the fastest is the least disturbed).  Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

from . import machine
from .table import markdown

ROOT = Path(__file__).resolve().parents[1]


def write_bundle(root: Path, segment_kb: int, segments: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    groups = []
    for gid in ("red", "blue"):
        (root / gid).mkdir(exist_ok=True)
        segs = []
        for k in range(segments):
            data = os.urandom(segment_kb * 1024)
            path = f"{gid}/seg-{k:04d}.mp3"
            (root / path).write_bytes(data)
            segs.append({"path": path, "first_sample": k * 1_323_000, "samples": 1_323_000, "bytes": len(data),
                         "sha256": hashlib.sha256(data).hexdigest()})
        groups.append({"id": gid, "name": gid, "colour": "#888888", "share": 1, "segments": segs, "cues": []})
    manifest = {"format": "flashmob-bundle", "version": 1, "show_id": "be0c4b3e0c4b5eat", "title": "bench",
                "sample_rate": 44100, "duration": {"samples": segments * 1_323_000, "ms": segments * 30_000},
                "groups": groups}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


def conductor_side(root: Path, hellos: int, answers: int, challenge_kb: int, rounds: int) -> list[list]:
    from flashmob.conductor.bundle import load_bundle
    from flashmob.conductor.clock import ServerClock
    from flashmob.conductor.runtime import Runtime
    from flashmob.conductor.service import Options
    from flashmob.conductor.session import ParticipantSession
    from flashmob.conductor.store import SqliteStore

    bundle = load_bundle(root)
    clock = ServerClock()
    c = Runtime(bundle, SqliteStore(root / "state.sqlite"), clock.now_us,  # no event loop: writes run inline
                Options(console_token="bench", max_pending=(rounds + 1) * (hellos + 2 * answers),
                        challenge_bytes=challenge_kb * 1024))
    rows = []
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(hellos):
            ParticipantSession(c.core).handle('{"type":"hello"}', clock.now_us())
        times.append(time.perf_counter() - t0)
    dt = min(times)
    tracemalloc.start()  # a second pass for the heap (tracemalloc slows everything down)
    before = tracemalloc.get_traced_memory()[0]
    sample = min(hellos, 5000)
    for _ in range(sample):
        ParticipantSession(c.core).handle('{"type":"hello"}', clock.now_us())
    heap = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    rows.append(["hello (pending seat + challenge)", hellos, dt / hellos * 1e6, hellos / dt, heap / sample])

    def joined(n):
        out = []
        for _ in range(n):
            s = ParticipantSession(c.core)
            frames = [json.loads(f) for f in s.handle('{"type":"hello"}', clock.now_us()) if isinstance(f, str)]
            out.append((s, frames[1]))
        return out

    for label, right in (("answer, right (read + sha256 + SQLite)", True), ("answer, wrong (read + sha256)", False)):
        times = []
        for _ in range(rounds):
            frames = []
            for s, ch in joined(answers):
                if right:
                    data = (root / ch["path"]).read_bytes()[ch["offset"]:ch["offset"] + ch["length"]]
                    digest = hashlib.sha256(ch["id"].encode() + data).hexdigest()
                else:
                    digest = "0" * 64
                frames.append((s, json.dumps({"type": "answer", "id": ch["id"], "sha256": digest})))
            t0 = time.perf_counter()
            for s, f in frames:
                c.execute(s.handle(f, clock.now_us()))  # a right answer's seat is written here
            times.append(time.perf_counter() - t0)
        dt = min(times)
        rows.append([label, answers, dt / answers * 1e6, answers / dt, None])
    assert len(c.registry.seats.confirmed) == answers * rounds, "every right answer confirms a seat"
    c.close()
    return rows


NODE = r"""
import { sha256HexJs } from './client_web/js/sha256.js';
const n = Number(process.argv[1]), reps = Number(process.argv[2]);
const buf = new Uint8Array(n + 16); for (let i = 0; i < buf.length; i++) buf[i] = i * 7;
let t = performance.now();
let subtle = Infinity, js = Infinity;
for (let i = 0; i < reps; i++) {
  t = performance.now(); await crypto.subtle.digest('SHA-256', buf); subtle = Math.min(subtle, performance.now() - t);
  t = performance.now(); sha256HexJs(buf); js = Math.min(js, performance.now() - t);
}
console.log(JSON.stringify({ subtle, js }));
"""


def phone_side(length: int, reps: int) -> list[list]:
    node = shutil.which("node")
    if not node:
        if os.environ.get("CI") == "true":
            raise SystemExit("bench.seats: CI=true but node is missing")
        return [["phone: node is missing", None, None, None, None]]
    out = subprocess.run([node, "--input-type=module", "-e", NODE, str(length), str(reps)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True)
    r = json.loads(out.stdout)
    return [["phone: crypto.subtle sha256 of one challenge (Node, fastest)", reps, r["subtle"] * 1000, None, None],
            ["phone: pure-JS sha256 of one challenge (Node, fastest)", reps, r["js"] * 1000, None, None]]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.seats", description=__doc__.split("\n\n")[0])
    p.add_argument("--hellos", type=int, default=20_000)
    p.add_argument("--answers", type=int, default=2_000)
    p.add_argument("--segment-kb", type=int, default=360, help="segment size (30 s at 96 kb/s is ~360)")
    p.add_argument("--segments", type=int, default=8)
    p.add_argument("--rounds", type=int, default=3, help="repeat each measurement, keep the fastest (default 3)")
    p.add_argument("--challenge-kb", type=int, default=64, help="challenge range (the conductor's default: 64)")
    args = p.parse_args(argv)
    print(machine.describe(), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-seats-") as tmp:
        root = write_bundle(Path(tmp) / "bundle", args.segment_kb, args.segments)
        rows = conductor_side(root, args.hellos, args.answers, args.challenge_kb, args.rounds)
    rows += phone_side(args.challenge_kb * 1024, 50)
    print(markdown(["operation", "count", "µs each", "per second", "heap bytes each"], rows, digits=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
