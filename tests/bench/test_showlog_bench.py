"""bench.showlog runs with tiny sizes and prints its table."""

from __future__ import annotations

from .conftest import run_bench


def test_showlog_bench_prints_its_table():
    p = run_bench("bench.showlog", "--phones", "50", "--minutes", "2", "--lobby", "1", timeout=120)
    assert p.returncode == 0, p.stderr
    assert "| phones" in p.stdout and "bytes/phone" in p.stdout and "report s" in p.stdout
