"""Pure parts of the load and browser reports."""

from __future__ import annotations

import pytest

from bench.browsers import report as br
from bench.browsers.pageclock import Calibration, ClockMap
from bench.load import report as lr


def test_clock_map_inverts_offset_and_drift():
    # page clock = t + 1.5 s + 100 ppm * (t - 1e6)
    def page(t):
        return t + 1_500_000 + 100e-6 * (t - 1_000_000)

    cm = ClockMap(Calibration(1_000_000, page(1_000_000) - 1_000_000, 200),
                  Calibration(31_000_000, page(31_000_000) - 31_000_000, 300))
    for t in (5_000_000, 20_000_000, 40_000_000):
        assert cm.true_at(page(t)) == pytest.approx(t, abs=0.01)
    assert cm.bound_us == 300


def test_browser_spread_is_pairwise_within_a_round():
    rs = [br.PageResult(0, 0, "wifi", 1.0, 1000, 900, 100), br.PageResult(0, 1, "wifi", -1.0, 3000, 3100, 100),
          br.PageResult(1, 0, "wifi", 1.0, -500, -500, 100), br.PageResult(1, 1, "4g", -1.0, None, None, 100)]
    assert br.pairwise(rs) == [2000]
    assert br.ranges(rs) == [2000]
    row = br.summary_row("all", rs)
    assert row[1] == "3/4" and row[2] == 2.0 and row[6] == pytest.approx(3500 / 3 / 1000)
    assert "| wifi" in br.table(rs) and "| 4g" in br.table(rs)


def _out(k=100, arrivals=None):
    return {"phones": k, "joined": k, "connectFailures": 0, "joinSeconds": 0.5, "joinLatencyUs": [1000] * k,
            "service": {"join": [], "steady": [100, 200, 300], "arm": [5000]},
            "rtt": {"join": [], "steady": [1000, 2000], "arm": []}, "syncsSent": {"steady": 3},
            "errors": {}, "closes": {},
            "arm": {"sentUs": 0, "ackUs": 10, "startAtUs": 5_000_000,
                    "arrivalsUs": arrivals if arrivals is not None else [1000 * i for i in range(k)], "stillOpen": k}}


def test_load_row_health_and_projection():
    r = lr.row(_out(), rss_idle=50 * 2**20, rss_joined=50 * 2**20 + 100 * 40 * 1024, cpu_core=0.05,
               loadgen_core=0.02, steady_s=1.0)
    assert r.healthy and r.join_rate == 200 and r.mem_kib == pytest.approx(40)
    assert r.cue_last_ms == pytest.approx(99) and r.margin_s == pytest.approx(4.901)
    assert r.cpu_per_1000 == pytest.approx(0.5)
    lines = lr.projection([r])
    assert "10.00 cores for 20,000" in lines[0] and "15 conductor processes" in lines[0]
    late = lr.row(_out(arrivals=[4_500_000] * 100), rss_idle=None, rss_joined=None, cpu_core=None,
                  loadgen_core=None, steady_s=1.0)
    assert not late.healthy and late.margin_s == pytest.approx(0.5)
    assert "| phones" in lr.table([r, late])


def test_py_spy_summary_counts_inclusive_and_self():
    from bench.load import spy

    raw = ("main (a/serve.py:1);parse (conductor/messages.py:9);_build (conductor/messages.py:20) 3\n"
           "main (a/serve.py:1);to_wire (conductor/messages.py:30) 1\n")
    total, incl, own = spy.summarize(raw)
    assert total == 4 and incl["main (serve.py)"] == 4 and incl["parse (messages.py)"] == 3
    assert own["_build (messages.py)"] == 3 and own["to_wire (messages.py)"] == 1
    assert "parse (messages.py)" in spy.table(raw)


def test_load_extras_and_older_rows():
    out = _out()
    out["joinTimesUs"] = [0, 100_000, 200_000, 300_000, 400_000, 500_000]  # 2 of the 2nd half in 0.2 s
    out["console"] = {"probeRttUs": [1000, 2000, 3000], "probesUnanswered": 0}
    ex = lr.extras(out)
    assert ex["join_rate_half"] == pytest.approx(10.0) and ex["arm_ack_ms"] == pytest.approx(0.01)
    assert ex["console_p50_ms"] == pytest.approx(2.0)
    old = lr.from_dict({"phones": 5, "joined": 5, "service_p99_ms": 1.0, "no_such_column": 3})
    assert old.console_p99_ms is None and old.phones == 5
    assert "| baseline" in lr.table([old], ["baseline"])
