"""bench.wire_codec runs with tiny sizes, also against another tree, and prints its table."""

from __future__ import annotations

import subprocess

from .conftest import ROOT, run_bench


def test_wire_codec_bench_prints_its_table(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    p = run_bench("bench.wire_codec", "--number", "50", "--rounds", "1", "--tree", str(old), timeout=120)
    assert p.returncode == 0, p.stderr
    assert "| operation (µs per call)" in p.stdout and str(old) in p.stdout
    for op in ("parse hello", "parse status", "to_wire welcome", "to_wire show"):
        assert op in p.stdout
