"""conductor/nodes.py: heartbeats, whole-show totals, the clock disagreement alarm (pure)."""

from __future__ import annotations

from flashmob.conductor import effects as fx
from flashmob.conductor import messages as m
from flashmob.conductor.nodes import (CLOCK_ALARM, Cluster, Heartbeat, SkewFilter, clock_check, node_infos,
                                      whole_groups)

S = 1_000_000


def beat(node, at=100 * S, skew=0, connected=1, ready=1, groups=None):
    return Heartbeat(node=node, at_us=at, revision=1, connected=connected, ready=ready, playing=0, pending=0,
                     groups=groups or {"red": (connected, ready)}, skew_us=skew, rtt_us=200)


def test_a_heartbeat_round_trips_and_garbage_is_none():
    b = beat("n1", groups={"red": (3, 2), "blue": (1, 1)})
    assert Heartbeat.from_json(b.to_json()) == b
    for bad in (b"", b"{}", b"[1]", b'{"node": "x"}', b"\xff"):
        assert Heartbeat.from_json(bad) is None


def test_the_skew_is_the_sample_with_the_shortest_round_trip():
    f = SkewFilter(window=3)
    assert f.best() is None
    f.add(1000, 900, 1400)  # rtt 400, skew 300
    f.add(2000, 2050, 2100)  # rtt 100, skew 0
    f.add(3000, 2000, 3900)  # rtt 900
    assert f.best() == (0, 100)
    f.add(4000, 4000, 4800)
    f.add(5000, 5000, 5800)  # the good sample left the window
    assert f.best()[1] == 800


def test_whole_show_totals_sum_fresh_nodes_and_take_confirmed_seats_from_redis():
    local = (m.GroupCount(id="red", name="R", colour="#f00", share=1, participants=1, connected=2, ready=1),
             m.GroupCount(id="blue", name="B", colour="#00f", share=1, participants=0, connected=0, ready=0))
    peers = (beat("n1", at=99 * S), beat("n2", at=99 * S, connected=3, ready=2, groups={"blue": (3, 2)}),
             beat("gone", at=90 * S, connected=50, ready=50))
    cluster = Cluster(node="n1", read_at_us=100 * S, peers=peers, confirmed={"red": 5, "blue": 7},
                      here=beat("n1", at=100 * S, connected=2))
    groups = whole_groups(cluster, local, 100 * S)
    assert [(g.id, g.participants, g.connected, g.ready) for g in groups] == [("red", 5, 2, 1), ("blue", 7, 3, 2)]
    assert cluster.confirmed_total == 12
    infos = node_infos(cluster, 100 * S)
    assert [(i.node, i.here, i.age_ms) for i in infos] == [("n1", True, 0), ("n2", False, 1000)]


def test_two_nodes_more_than_2_ms_apart_raise_the_clock_alarm_naming_them():
    ok = clock_check([beat("n1", skew=-900), beat("n2", skew=1000), beat("n3", skew=0)], 100 * S)
    assert ok == fx.ClearAlarm(CLOCK_ALARM)
    bad = clock_check([beat("n1", skew=-900), beat("n2", skew=1400), beat("n3", skew=0)], 100 * S)
    assert isinstance(bad, fx.RaiseAlarm) and bad.key == CLOCK_ALARM and bad.level == "critical"
    assert "n2 and n1 differ by 2.3 ms (at least 2.1 ms given the measurements" in bad.message
    assert bad.detail == {"nodes": {"n1": -900, "n3": 0, "n2": 1400}, "apart_us": 2300, "at_least_us": 2100}
    slow = [beat("n1", skew=0), Heartbeat(node="n2", at_us=100 * S, revision=1, connected=0, ready=0, playing=0,
                                          pending=0, skew_us=2700, rtt_us=5000)]
    assert clock_check(slow, 100 * S) == fx.ClearAlarm(CLOCK_ALARM)  # 2.7 ms apart, measured ±2.6 ms: not sure
    stale = clock_check([beat("n1", skew=0), beat("n2", skew=50_000, at=90 * S)], 100 * S)
    assert stale == fx.ClearAlarm(CLOCK_ALARM)  # a gone node is not compared


def test_a_fresh_heartbeat_of_another_process_under_the_same_node_id_is_a_duplicate():
    from flashmob.conductor.nodes import DUPLICATE_ALARM, duplicate_check

    mine = Heartbeat(node="n1", at_us=100 * S, revision=0, connected=0, ready=0, playing=0, pending=0, instance="b")
    other = Heartbeat(node="n1", at_us=99 * S, revision=0, connected=0, ready=0, playing=0, pending=0, instance="a")
    alarm = duplicate_check(other, mine, 100 * S)
    assert alarm.key == DUPLICATE_ALARM and "two conductor processes use the node id n1" in alarm.message
    assert duplicate_check(None, mine, 100 * S) is None
    assert duplicate_check(mine, mine, 100 * S) == fx.ClearAlarm(DUPLICATE_ALARM)  # its own previous one
    assert duplicate_check(other, mine, 200 * S) is None  # a node that died and came back


def test_freshness_is_judged_on_redis_time_whatever_the_readers_clock():
    peers = (beat("n2", at=100 * S),)
    ahead = Cluster(node="n1", read_at_us=0, peers=peers, confirmed={}, skew_us=6 * S)  # its clock 6 s ahead
    assert [h.node for h in ahead.fresh(106 * S)] == ["n2"]
    assert node_infos(ahead, 106 * S)[0].age_ms == 0
    assert ahead.fresh(112 * S) == []  # 6 s old on Redis's clock


def test_sync_errors_engines_and_trouble_are_summed_over_fresh_nodes():
    from flashmob.conductor.nodes import whole_tallies

    other = Heartbeat(node="n2", at_us=100 * S, revision=1, connected=3, ready=3, playing=0, pending=0,
                      sync_counts=(1, 2, 0), sync_unknown=1, engines={"media": 2, "webaudio": 1},
                      trouble={"decode": 1})
    odd = Heartbeat(node="n3", at_us=100 * S, revision=1, connected=1, ready=1, playing=0, pending=0,
                    sync_counts=(9,), engines={"media": 1})  # other bounds: not in the histogram
    cluster = Cluster(node="n1", read_at_us=0, peers=(other, odd), confirmed={})
    hist, engines, trouble = whole_tallies(cluster, m.Histogram(bounds_us=(1000, 2000), counts=(4, 0, 1), unknown=0),
                                           {"webaudio": 5}, {}, 100 * S)
    assert hist.counts == (5, 2, 1) and hist.unknown == 1 and hist.bounds_us == (1000, 2000)
    assert engines == {"webaudio": 6, "media": 3} and trouble == {"decode": 1}
    assert Heartbeat.from_json(other.to_json()) == other


def test_a_heartbeat_carries_at_most_16_engine_names():
    from flashmob.conductor.nodes import capped

    many = {f"e{i:03d}": i for i in range(1000)}
    out = capped(many)
    assert len(out) == 16 and out["other"] == sum(range(985))  # the 15 largest kept
    assert sum(out.values()) == sum(many.values())
    assert capped({"webaudio": 3}) == {"webaudio": 3}
