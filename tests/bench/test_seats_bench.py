"""bench.seats runs with tiny sizes and prints its table."""

from __future__ import annotations

from .conftest import run_bench


def test_seats_bench_prints_its_table():
    p = run_bench("bench.seats", "--hellos", "200", "--answers", "50", "--rounds", "1", "--segments", "2",
                  timeout=120)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "| operation" in out and "hello (pending seat + challenge)" in out
    assert "answer, right" in out and "answer, wrong" in out and "crypto.subtle" in out
