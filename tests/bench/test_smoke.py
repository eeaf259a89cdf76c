"""Each benchmark runs for a few seconds with tiny sizes and prints its table."""

from __future__ import annotations

from .conftest import run_bench


def test_sync_bench_prints_the_side_by_side_table(node_peers):
    p = run_bench("bench.sync", "--profile", "wifi", "--phones", "2", "--seconds", "4", "--settle", "1",
                  timeout=120)
    assert p.returncode == 0
    out = p.stdout
    assert "| library" in out and "bias ms" in out and "p95 ms" in out
    for lib in ("flashmob", "timesync", "ircam", "floor"):
        assert f"| {lib}" in out, lib
    assert "truth check" in out and "target wifi p95" in out


def test_load_bench_prints_its_table_and_projection(node_peers):
    p = run_bench("bench.load", "--phones", "20", "--steady", "2", "--lead", "1.5", timeout=120)
    assert p.returncode == 0
    out = p.stdout
    assert "| phones" in out and "service p99 ms" in out and "cue to last phone ms" in out
    assert "|     20 | 20/20" in out
    assert "for 20,000" in out


def test_browser_bench_prints_the_spread_table(browser_tools):
    p = run_bench("bench.browsers", "--browsers", "1", "--rounds", "1", "--sync", "2", "--lead", "2", "--pages",
                  timeout=240)
    assert p.returncode == 0, "no page played"
    out = p.stdout
    assert "| pages" in out and "spread p95 ms" in out and "| all" in out and "1/1" in out


def test_attack_bench_prints_the_side_by_side_table(node_peers):
    p = run_bench("bench.attack", "--phones", "10", "--steady", "2", "--lead", "1.5", "--idle", "40",
                  "--half-open", "20", "--flood-rate", "40", "--flood-sockets", "2", "--hellos", "5", "--ramp", "1",
                  timeout=150)
    assert p.returncode == 0
    out = p.stdout
    assert "| honest phones" in out and "| no attack" in out and "| attack" in out
    assert "| joins that succeeded" in out and "| console feeds /s" in out and "| cue margin at arm s" in out
    assert "idle sockets: opened" in out and "flood:" in out and "hellos:" in out


def test_ntp_burst_bench_prints_its_table():
    import os
    import shutil

    if not (shutil.which("chronyd") or os.path.exists("/usr/sbin/chronyd")):
        import pytest

        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chronyd is missing (scripts/ensure-test-services.sh)")
        pytest.skip("chronyd is not installed")
    p = run_bench("bench.ntp_burst", "--rounds", "5", timeout=60)
    assert p.returncode == 0
    assert "| one exchange" in p.stdout and "| least delayed of 4" in p.stdout and "5 rounds" in p.stdout


def test_signups_bench_prints_its_table():
    p = run_bench("bench.signups", "--people", "20", "--clients", "2", "--flood-s", "1", timeout=120)
    assert p.returncode == 0
    assert "| 20 sign-ups, 2 clients" in p.stdout and "flood: one address for 1 s" in p.stdout
    assert "p99 ms" in p.stdout
