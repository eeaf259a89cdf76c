"""Fixtures of the benchmark smoke tests.

The smoke tests run each benchmark for a few seconds with tiny sizes and check
that it prints its table. A missing prerequisite skips them locally and fails
them under CI=true (nothing is skipped silently there). Two prerequisites are
installed on the spot, loudly: the pinned npm peers (`npm ci` in bench/peers)
and, as root, Debian's faketime (scripts/ensure-bench-tools.sh).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what}")
    pytest.skip(what)


@pytest.fixture(scope="session")
def node_peers():
    if not shutil.which("node") or not shutil.which("npm"):
        missing("node and npm are needed for the benchmarks")
    from bench import procs

    procs.ensure_peers(install=True)  # prints when it runs npm ci


@pytest.fixture(scope="session")
def browser_tools():
    if not Path("/usr/bin/chromium").exists():
        missing("/usr/bin/chromium is missing (scripts/ensure-chromium.sh)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("the playwright package is missing")
    from bench.browsers.__main__ import faketime_lib
    from bench.procs import PrerequisiteMissing

    try:
        faketime_lib()
    except PrerequisiteMissing:
        print("tests/bench: installing faketime with scripts/ensure-bench-tools.sh", file=sys.stderr)
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure-bench-tools.sh")], check=False, timeout=300)
        try:
            faketime_lib()
        except PrerequisiteMissing as exc:
            missing(str(exc))


def run_bench(*args: str, timeout: float) -> subprocess.CompletedProcess:
    """Run ``python -m bench.X ...`` from the repository root; stdout must hold the table."""
    proc = subprocess.run([sys.executable, "-W", "ignore::DeprecationWarning", "-m", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    print(proc.stdout)
    print(proc.stderr[-3000:], file=sys.stderr)
    return proc
