"""flashmob.conductor.telemetry: what connected phones report, aggregated for the feed (typed: conductor/feed.py)."""

from flashmob.conductor import messages as m
from flashmob.conductor.feed import Drift, OutputLatency, Tally
from flashmob.conductor.telemetry import Telemetry

from test_registry import GROUPS, confirm, ids, make


def test_aggregation():
    reg = make("balanced", new_id=ids())
    tel = Telemetry(GROUPS)
    adms = [reg.admit(m.Hello(), 0) for _ in range(6)]
    pids = [a.participant_id for a in adms]
    for i in (0, 1, 5):
        confirm(reg, adms[i])
    for pid in pids[:4]:
        tel.connected(pid)
    tel.connected(pids[0])  # a second tab of the same phone counts once
    tel.report(pids[0], m.Status(verified=True, sync_error_us=800, engine="webaudio", position_us=1_010_000,
                                 output_latency_us=200_000),
               expected_position_us=1_000_000)
    tel.report(pids[1], m.Status(verified=True, sync_error_us=30_000, engine="media", position_us=990_000),
               expected_position_us=1_000_000)
    tel.report(pids[2], m.Status(verified=False, sync_error_us=500_000), expected_position_us=None)
    tel.report(pids[5], m.Status(verified=True), expected_position_us=None)  # not connected: ignored
    tel.report(pids[3], m.Status(verified=True), expected_position_us=None)  # claims it, never confirmed
    counts = {g.id: (g.participants, g.connected, g.ready) for g in tel.group_counts(reg.seats)}
    assert sum(c[1] for c in counts.values()) == 4
    assert sum(c[2] for c in counts.values()) == 2  # connected with a confirmed seat: 0 and 1, not 3
    assert sum(c[0] for c in counts.values()) == 3  # confirmed seats
    hist = tel.sync_histogram()
    assert hist.counts[0] == 1 and hist.counts[5] == 1 and hist.counts[-1] == 1 and hist.unknown == 1
    assert tel.engines() == Tally.of({"media": 1, "unknown": 2, "webaudio": 1})
    assert tel.drift() == Drift(playing=2, median_us=0, max_abs_us=10_000)
    assert tel.output_latency().to_json() == {"reported": 1, "median_us": 200_000, "max_us": 200_000, "over_150ms": 1}
    tel.disconnected(pids[0])
    assert sum(g.connected for g in tel.group_counts(reg.seats)) == 4
    tel.disconnected(pids[0])
    assert sum(g.connected for g in tel.group_counts(reg.seats)) == 3


def test_trouble_counts_connected_phones_per_reason():
    reg = make("balanced", new_id=ids())
    tel = Telemetry(GROUPS)
    pids = [reg.admit(m.Hello(), 0).participant_id for _ in range(5)]
    for pid in pids[:4]:
        tel.connected(pid)
    assert tel.trouble().to_json() == {}
    tel.report(pids[0], m.Status(verified=True, trouble="decode"), expected_position_us=None)
    tel.report(pids[1], m.Status(verified=True, trouble="decode"), expected_position_us=None)
    tel.report(pids[2], m.Status(verified=True, trouble="start"), expected_position_us=None)
    tel.report(pids[3], m.Status(verified=True), expected_position_us=None)
    tel.report(pids[4], m.Status(verified=True, trouble="media"), expected_position_us=None)  # not connected
    assert tel.trouble().to_json() == {"decode": 2, "start": 1}
    tel.report(pids[1], m.Status(verified=True, trouble=None), expected_position_us=None)  # solved
    tel.disconnected(pids[2])
    assert tel.trouble().to_json() == {"decode": 1}


def test_empty_aggregates_keep_their_wire_shape():
    tel = Telemetry(GROUPS)
    assert tel.drift().to_json() == {"playing": 0} and tel.output_latency().to_json() == {"reported": 0}
    assert tel.engines().to_json() == {} and OutputLatency() == tel.output_latency()
