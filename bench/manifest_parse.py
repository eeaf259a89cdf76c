"""How long reading a big manifest takes: the contract's one parser (and the page's schema check).

    python -m bench.manifest_parse [--groups 4] [--cues 2000] [--segments 120] [--runs 7]

Builds the manifest of a long show in memory (``--groups`` groups, each with
``--segments`` segments, ``--cues`` cues and as many silences), then times,
best of ``--runs``: ``json.loads`` of its bytes, the whole load path the
conductor and the print kit take (:func:`flashmob.contract.bundle.bundle_of`:
parse, checks, file allow-list; no file read), and the writer back to JSON.
With ``--node`` it also times the phone page's check
(``client_web/js/manifestcheck.js``) under Node.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path

from bench import machine
from bench.table import markdown
from flashmob.contract.bundle import bundle_of
from flashmob.contract.manifest import manifest_json

ROOT = Path(__file__).resolve().parents[1]


def big_manifest(groups: int, cues: int, segments: int) -> dict:
    out = []
    for gid in [f"g{i}" for i in range(groups)]:
        out.append({
            "id": gid, "name": gid, "colour": "#d32f2f", "share": 1,
            "mp3": {"path": f"{gid}/show.mp3", "bytes": 10, "sha256": "a" * 64, "samples": 158_760_000,
                    "duration_ms": 3_600_000},
            "segments": [{"path": f"{gid}/seg/{k:04d}.mp3", "first_sample": k * 1_323_000, "samples": 1_323_000,
                          "bytes": 1000, "sha256": "b" * 64, "encoder_delay": 576, "padding": 100}
                         for k in range(segments)],
            "captions": f"{gid}/c.vtt", "cover": f"{gid}/c.png",
            "loudness": {"integrated_lufs": -16.0, "true_peak_dbtp": -1.0},
            "cues": [{"id": f"c{k}", "kind": "say", "start_ms": k * 1800, "end_ms": k * 1800 + 900,
                      "text": "Walk to the fountain now", "vibrate": [200, 100], "line": k, "meeting": False,
                      "caption_end_ms": k * 1800 + 1500} for k in range(cues)],
            "silences": [{"start_ms": k * 1800 + 1000, "end_ms": k * 1800 + 1700} for k in range(cues)]})
    return {"format": "flashmob-bundle", "version": 1, "show_id": "bench", "title": "Bench", "organizer": None,
            "language": "en", "event": None, "sample_rate": 44100,
            "duration": {"samples": 158_760_000, "ms": 3_600_000}, "meetings_ms": [], "settings": {}, "groups": out}


def best_ms(fn, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best * 1000


NODE = """
import { readFileSync } from 'node:fs';
import { checkManifest } from '%s';
const m = JSON.parse(readFileSync(0, 'utf8'));
let best = Infinity;
for (let i = 0; i < %d; i++) {
  const t = performance.now(); const p = checkManifest(m); best = Math.min(best, performance.now() - t);
  if (p.length) throw new Error(p[0]);
}
console.log(best);
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--groups", type=int, default=4)
    ap.add_argument("--cues", type=int, default=2000)
    ap.add_argument("--segments", type=int, default=120)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--node", action="store_true", help="also time client_web/js/manifestcheck.js under Node")
    args = ap.parse_args(argv)
    raw = json.dumps(big_manifest(args.groups, args.cues, args.segments)).encode()
    bundle = bundle_of(Path("/nonexistent"), raw)
    rows = [["json.loads", best_ms(lambda: json.loads(raw), args.runs)],
            ["contract.bundle.bundle_of (parse, checks, allow-list)", best_ms(lambda: bundle_of(Path("/x"), raw), args.runs)],
            ["contract.manifest.manifest_json (writer)", best_ms(lambda: manifest_json(bundle.manifest), args.runs)]]
    if args.node and shutil.which("node"):
        js = NODE % ((ROOT / "client_web" / "js" / "manifestcheck.js").as_uri(), args.runs)
        out = subprocess.run(["node", "--input-type=module", "-e", js], input=raw, capture_output=True, check=True)
        rows.append(["manifestcheck.js checkManifest (Node)", float(out.stdout)])
    print(f"manifest: {len(raw) / 1e6:.1f} MB, {args.groups} groups x ({args.segments} segments, {args.cues} cues, "
          f"{args.cues} silences); best of {args.runs}\n")
    print(markdown(["step", "ms"], rows, digits=1))
    print(f"\n{machine.describe()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
