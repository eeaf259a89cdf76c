"""How long the conductor's start-up check of a bundle's files takes (sha256 of every file).

    python bench/bundle_verify.py [--files 8] [--mib 64] [--dir /tmp/flashmob-verify]

Writes a bundle with ``--files`` extra random files of ``--mib`` MiB each
(kept between runs in ``--dir``), drops the page cache when allowed (root),
then times :func:`conductor.bundle.load_bundle` with verification (cold, then
warm) and without.  Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "conductor")]

from bench.table import markdown  # noqa: E402
from flashmob.conductor.bundle import load_bundle  # noqa: E402
from conductor_testkit import write_bundle  # noqa: E402


def build(root: Path, files: int, mib: int) -> int:
    write_bundle(root)
    mf = json.loads((root / "manifest.json").read_text())
    total = 0
    for i in range(files):
        p = root / f"big{i}.mp3"
        if not p.exists() or p.stat().st_size != mib << 20:
            p.write_bytes(os.urandom(mib << 20))
        data = p.read_bytes()
        total += len(data)
        mf["groups"][0]["segments"].append({"path": p.name, "first_sample": 0, "samples": 1, "bytes": len(data),
                                            "sha256": hashlib.sha256(data).hexdigest()})
    (root / "manifest.json").write_text(json.dumps(mf))
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/flashmob-verify"))
    args = ap.parse_args(argv)
    total = build(args.dir, args.files, args.mib)
    dropped = False
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        dropped = True
    except OSError:
        pass
    rows = []
    for label in ("cold" if dropped else "first", "warm"):
        t = time.perf_counter()
        load_bundle(args.dir)
        dt = time.perf_counter() - t
        rows.append([f"verify ({label})", total / 2**20, dt, total / 2**20 / dt])
    t = time.perf_counter()
    load_bundle(args.dir, verify=False)
    rows.append(["no verification", total / 2**20, time.perf_counter() - t, None])
    print(markdown(["load_bundle", "MiB", "seconds", "MiB/s"], rows))
    print(f"\ncpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
