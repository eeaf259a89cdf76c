"""The link profiles are pure seeded functions with the advertised shapes."""

from __future__ import annotations

import statistics

import pytest

from bench.netlink.link import Direction
from bench.netlink.profiles import BENCH_PROFILES, DOWN, PROFILES, UP, DelayModel, expected_floor_s, models

MS = 1e-3


def draws(profile, seed="7", direction=UP, n=4000, t=1.0):
    m = DelayModel(profile, seed, direction)
    return [m.delay_s(i, t) for i in range(n)]


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_same_seed_same_sequence_whatever_the_call_order(profile):
    a = DelayModel(profile, "3", UP)
    b = DelayModel(profile, "3", UP)
    forward = [a.delay_s(i, 2.0) for i in range(50)]
    backward = [b.delay_s(i, 2.0) for i in reversed(range(50))][::-1]
    assert forward == backward
    assert a.stalls == b.stalls


def test_directions_and_seeds_are_independent():
    assert draws("wifi", "1", UP, 50) != draws("wifi", "1", DOWN, 50)
    assert draws("wifi", "1", UP, 50) != draws("wifi", "2", UP, 50)


def test_lan_is_one_ms_plus_minus_point_three():
    d = draws("lan")
    assert 0.7 * MS <= min(d) and max(d) <= 1.3 * MS
    assert statistics.mean(d) == pytest.approx(1 * MS, abs=0.02 * MS)


def test_wifi_has_exponential_jitter_and_ten_percent_spikes():
    d = draws("wifi", n=20000)
    spikes = [x for x in d if x >= 30 * MS]
    assert 0.085 <= len(spikes) / len(d) <= 0.115
    assert max(d) <= 2 * MS + 150 * MS + 60 * MS
    calm = [x - 2 * MS for x in d if x < 30 * MS]
    assert min(calm) >= 0
    assert statistics.median(calm) == pytest.approx(3 * MS * 0.693, rel=0.1)  # median of an exponential


def test_4g_range_and_stalls_hold_chunks_until_they_end():
    d = draws("4g")
    assert 20 * MS <= min(d) and max(d) <= 60 * MS
    m = DelayModel("4g", "5", DOWN, horizon_s=600)
    gaps = [b[0] - a[0] for a, b in zip(m.stalls, m.stalls[1:])]
    assert 40 <= len(m.stalls) <= 80 and statistics.mean(gaps) == pytest.approx(10.3, rel=0.3)
    start, end = m.stalls[0]
    assert all(e - s == pytest.approx(0.3) for s, e in m.stalls)
    assert m.release_s(start + 0.1) == end
    assert m.release_s(end + 0.001) == end + 0.001
    assert m.release_s(start - 0.001) == start - 0.001


def test_asym_uplink_is_slower_by_a_constant_of_the_connection():
    for seed in range(20):
        up, down = models("asym", seed)[UP], models("asym", seed)[DOWN]
        a = up.asymmetry_s
        assert 6 * MS <= a <= 20 * MS
        assert up.base_s(0) - down.base_s(0) == pytest.approx(a)
        assert expected_floor_s("asym", seed) == pytest.approx(a / 2)
    assert expected_floor_s("wifi", 1) == 0


def test_route_change_jumps_at_change_at():
    m = models("route-change", 1, change_at_s=10.0)
    assert m[UP].base_s(9.99) == pytest.approx(8 * MS) and m[UP].base_s(10.0) == pytest.approx(33 * MS)
    assert m[DOWN].base_s(10.0) == pytest.approx(13 * MS)
    assert min(m[UP].delay_s(i, 12.0) for i in range(100)) >= 33 * MS


def test_unknown_profile_refused():
    with pytest.raises(ValueError):
        DelayModel("satellite", "1", UP)
    assert set(BENCH_PROFILES) <= set(PROFILES)


def test_direction_delivers_in_order_behind_a_spike():
    m = DelayModel("wifi", "11", UP)
    d = Direction(m)
    out = [d.schedule(i * 0.001) for i in range(2000)]
    assert out == sorted(out)
    spike = next(i for i in range(2000) if m.delay_s(i, 0) > 30 * MS)
    assert out[spike + 1] >= out[spike]  # the next chunk waits behind the spike (head-of-line)
    assert all(x >= 0 for x in d.delays)
