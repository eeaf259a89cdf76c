"""Pure parts of the reports: statistics, tables, the sync summary and verdict."""

from __future__ import annotations

import pytest

from bench.stats import converged_at, jumps, percentile
from bench.sync import report
from bench.sync.phones import phone_clocks
from bench.table import markdown


def test_percentile_interpolates():
    assert percentile([], 50) is None
    assert percentile([3.0], 99) == 3.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(101)), 95) == 95


def test_converged_at_needs_the_error_to_stay_below():
    t = [0, 1, 2, 3, 4]
    assert converged_at(t, [None, 5, 0.5, 0.2, 0.1], 1) == 2
    assert converged_at(t, [0.1, 0.2, 3, 0.2, 0.1], 1) == 3
    assert converged_at(t, [0.1, 0.2, 0.3, 0.2, 3], 1) is None


def test_jumps_skip_missing():
    assert jumps([None, 1.0, 3.0, None, 2.0, 1.5]) == [2.0, -0.5]


def test_markdown_aligns_numbers_right():
    out = markdown(["name", "x"], [["a", 1.5], ["bb", None]])
    assert out.splitlines()[1] == "|------|-----:|"
    assert "| a    | 1.50 |" in out and "|    - |" in out


def test_phone_clocks_are_seeded_and_bounded():
    a, b = phone_clocks(50, 1), phone_clocks(50, 1)
    assert a == b and a != phone_clocks(50, 2)
    assert all(abs(c.offset_us) <= 2_000_000 and abs(c.drift_ppm) <= 200 for c in a)


def _samples():
    ticks = [i / 10 for i in range(100)]  # 10 s
    good = [None] + [200.0 if i % 2 else -200.0 for i in range(1, 100)]
    bad = [None] * 10 + [3000.0] * 50 + [-1000.0] + [800.0] * 39
    return {"ticks": ticks, "phones": [
        {"index": 0, "startS": 0.0, "errors": {"flashmob": good, "timesync": bad}},
        {"index": 1, "startS": 0.0, "errors": {"flashmob": good, "timesync": bad}},
    ]}


def test_summary_definitions():
    r = report.summarize(_samples(), "flashmob", settle_s=5)
    assert r.p50_ms == pytest.approx(0.2) and r.bias_ms == pytest.approx(0)
    assert r.conv1_s == pytest.approx(0.1) and r.conv1_n == 2
    assert r.backward == 2 * 49 and r.jump_ms == pytest.approx(0.4) and r.jump_settled_ms == pytest.approx(0.4)
    t = report.summarize(_samples(), "timesync", settle_s=5)
    assert t.conv5_s == pytest.approx(1.0) and t.conv1_s == pytest.approx(6.0)
    assert t.jump_ms == pytest.approx(4.0) and t.backward == 2 and t.missing_pct == 0


def test_floor_and_verdict():
    stats = [{"route": "flashmob-0", "index": 0, "up": {"min_ms": 8.0}, "down": {"min_ms": 2.0}},
             {"route": "flashmob-1", "index": 0, "up": {"min_ms": 2.0}, "down": {"min_ms": 2.0}},
             {"route": "timesync-0", "index": 0, "up": {"min_ms": 50.0}, "down": {"min_ms": 2.0}}]
    fl = report.floor(stats)
    assert fl.p50_ms == pytest.approx(1.5) and fl.p95_ms == pytest.approx(2.85)
    rs = [report.summarize(_samples(), "flashmob"), report.summarize(_samples(), "timesync")]
    lines = report.verdict("wifi", rs, fl)
    assert "MET" in lines[0] and "MET (2x)" in lines[1]
    assert "flashmob" in report.table(rs, fl) and "floor" in report.table(rs, fl)
