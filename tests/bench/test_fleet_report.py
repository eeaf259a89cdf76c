"""bench/load/fleetreport.py: the fleet rows, the issue's targets and the projection (pure)."""

from __future__ import annotations

import pytest

from bench.load import fleetreport as fr


class FakeSampler:
    """cpu_share by name, as bench.load.procstat.Sampler answers it."""

    def __init__(self, shares):
        self.pids = {name: i for i, name in enumerate(shares)}
        self.shares = shares

    def cpu_share(self, name, t0, t1):
        return self.shares[name]


def _out(k=1000, nodes=1, last_us=200_000, starts=(5_000_000,)):
    per = [[last_us - 1000 * j for j in range(k // nodes)] for _ in range(nodes)]
    return {"phones": k, "joined": k, "connectFailures": 0, "errors": {}, "closes": {},
            "service": {"steady": [100, 200, 300]}, "rtt": {"steady": [1000, 2000]},
            "arm": {"sentUs": 0, "startAtUs": 5_000_000, "arrivalsUs": [a for p in per for a in p], "stillOpen": k,
                    "arrivalsByNode": per, "startsSeen": list(starts)}}


MARKS = {"join_start": 0.0, "joined": 5.0, "steady_start": 10.0, "steady_end": 20.0, "arm_sent": 20.0, "done": 26.0}


def _row(k, n, redis, cpu, redis_cpu=None, last_us=200_000, ops=None, starts=(5_000_000,)):
    shares = {f"conductor{i}": cpu / n for i in range(n)}
    shares["loadgen"] = 0.5
    if redis:
        shares["redis"] = redis_cpu
    return fr.row(_out(k, n, last_us, starts), processes=n, redis=redis, nginx=False, marks=MARKS,
                  ops=ops or ({"join_start": 100, "joined": 2101, "steady_start": 3000, "steady_end": 3101,
                               "arm_sent": 3101, "done": 3162} if redis else {}), sampler=FakeSampler(shares))


def test_row_sums_the_processes_and_reads_redis_counters():
    r = _row(2000, 2, True, cpu=0.5, redis_cpu=0.004)
    assert r.healthy and r.mode == "Redis x2" and r.held == 2000
    assert r.conductor_core == pytest.approx(0.5) and r.conductor_per_1000 == pytest.approx(0.25)
    assert r.redis_per_1000 == pytest.approx(0.002)
    assert r.redis_ops_steady == pytest.approx(10.0) and r.redis_ops_arm == pytest.approx(10.0)
    assert r.redis_ops_per_join == pytest.approx(1.0)
    assert r.cue_last_ms == pytest.approx(200) and r.cue_last_by_node_ms == (200, 200)
    two = _row(2000, 2, True, cpu=0.5, redis_cpu=0.004, starts=(5_000_000, 5_000_001))
    assert two.starts == 2 and not two.healthy  # two start times: not one show
    assert "| Redis x2" in fr.table([r])


def test_targets_say_met_or_missed_by_how_much():
    mem = _row(2000, 1, False, cpu=0.4, last_us=100_000)
    ok = _row(2000, 2, True, cpu=0.48, redis_cpu=0.01, last_us=500_000)
    bad = _row(2000, 4, True, cpu=0.6, redis_cpu=0.04, last_us=700_000)
    lines = fr.targets([mem, ok, bad])
    assert len(lines) == 2
    assert "1.20x in-memory (met" in lines[0] and "0.0050 core per 1k (met" in lines[0] and "+400 ms" in lines[0]
    assert "1.50x in-memory (MISSED by 0.25x" in lines[1] and "0.0200 core per 1k (MISSED by 2.0x" in lines[1]
    assert "+600 ms vs in-memory (MISSED by 100 ms" in lines[1]


def test_fit_is_per_node_plus_per_phone_and_never_negative():
    a, b = fr._fit([(1, 1000, 0.003), (2, 1000, 0.005), (2, 2000, 0.006)])
    assert a > 0 and b > 0
    a, b = fr._fit([(1, 100, 0.0), (2, 100, 0.0033)])  # the unconstrained fit has a negative term
    assert a >= 0 and b >= 0
    assert fr._fit([(1, 100, 1.0)]) is None


def test_projection_names_processes_machines_and_redis():
    rows = [_row(1000, 1, False, cpu=0.2), _row(1000, 1, True, cpu=0.21, redis_cpu=0.002),
            _row(1000, 2, True, cpu=0.22, redis_cpu=0.003), _row(2000, 2, True, cpu=0.44, redis_cpu=0.004)]
    text = "\n".join(fr.projection(rows, 20_000))
    # about 0.22 core per 1,000 phones: 4.3 cores; 7 processes keep each under 70 % of a core
    assert "-> 7 conductor processes" in text and "= 4.3 cores" in text and "1.08x the in-memory" in text
    assert "1 machine(s) of 8 cores" in text and "Redis: CPU fitted" in text and "stops scaling" in text
    assert "cue fan-out" in text
    many = "\n".join(fr.projection(rows, 100_000))
    assert "-> 31 conductor processes" in many and "5 machine(s)" in many
    assert fr.projection([rows[0]], 20_000) == ["no Redis run to project from"]
