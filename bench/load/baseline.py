"""``bench.load --baseline REF``: the same sweep on another commit's code, side by side.

:func:`checkout` makes a detached ``git worktree`` of ``REF`` (in a temporary
folder, removed by :func:`remove`), with this tree's ``bench/peers/node_modules``
linked into it; :func:`run` runs *that tree's own* ``python -m bench.load`` for
one size (its conductor, its load generator, its client model: a baseline
whose web client sent ``status`` every 2 s is measured with phones that do),
with the same schedule options, and reads its ``--json`` row and its kept raw
output, from which the columns it did not have yet are computed
(:func:`bench.load.report.extras`).  The shared venv is the same for both: the
installed packages (uvloop, httptools) are whatever each tree's code picks;
``--baseline-plain`` hides them from the baseline (an import shim first on its
``PYTHONPATH``), as a checkout whose pyproject asked for plain ``uvicorn`` runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import procs
from . import report

ROOT = procs.ROOT
PLAIN_HIDES = ("uvloop", "httptools")
"""What ``--baseline-plain`` hides from the baseline (so uvicorn's ``auto`` picks asyncio and h11, as
with the plain ``uvicorn`` of a pyproject before issue 14), whatever the shared venv holds."""


def checkout(ref: str) -> Path:
    """A detached worktree of ``ref`` in a new temporary folder."""
    where = Path(tempfile.mkdtemp(prefix="bench-load-baseline-")) / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), ref], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    modules = (ROOT / "bench" / "peers" / "node_modules").resolve()
    link = where / "bench" / "peers" / "node_modules"
    if modules.exists() and not link.exists():
        link.symlink_to(modules)
    return where


def remove(tree: Path) -> None:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        tree.parent.rmdir()
    except OSError:
        pass


def describe(tree: Path) -> str:
    out = subprocess.run(["git", "-C", str(tree), "log", "-1", "--format=%h %s"], capture_output=True, text=True)
    return out.stdout.strip()[:80]


def run(tree: Path, k: int, args, workdir: Path) -> report.LoadRow:
    """One size on the baseline tree's own ``bench.load``."""
    rows_json, keep = workdir / "baseline-rows.json", workdir / "baseline-raw"
    cmd = [sys.executable, "-m", "bench.load", "--phones", str(k), "--steady", str(args.steady),
           "--lead", str(args.lead), "--period-ms", str(args.period_ms), "--concurrency", str(args.concurrency),
           "--join-timeout", str(args.join_timeout), "--all", "--json", str(rows_json), "--keep", str(keep)]
    if args.py_spy:
        cmd.append("--py-spy")
    env = None
    if getattr(args, "baseline_plain", False):  # as its pyproject installed it: plain uvicorn
        shim = workdir / "no-uvicorn-standard"
        shim.mkdir(exist_ok=True)
        for name in PLAIN_HIDES:
            (shim / f"{name}.py").write_text(f"raise ImportError('{name} hidden: bench.load --baseline-plain')\n")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shim), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    p = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, timeout=args.join_timeout + args.steady + 300,
                       env=env)
    for line in p.stdout.splitlines():
        if not line.startswith(("|", "machine:", "command:", "- ")):  # its progress and its profile
            print(f"  [baseline] {line}", flush=True)
    if args.py_spy:
        _print_profile(p.stdout, k)
    if p.returncode != 0 or not rows_json.exists():
        raise RuntimeError(f"the baseline's bench.load failed ({p.returncode}): {p.stderr[-1500:]}")
    d = json.loads(rows_json.read_text())[0]
    raw = keep / f"load-{k}.json"
    if raw.exists():
        d = {**d, **{key: v for key, v in report.extras(json.loads(raw.read_text())).items() if v is not None}}
    return report.from_dict(d)


def _print_profile(stdout: str, k: int) -> None:
    """The baseline's py-spy table (the Markdown lines after its 'Where the conductor's CPU went')."""
    lines = stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Where the conductor's CPU went"):
            print(f"\n[baseline] {line}\n")
            for t in lines[i + 1:]:
                if t.startswith("|") or not t.strip():
                    if t.strip():
                        print(t)
                    continue
                break
            return
