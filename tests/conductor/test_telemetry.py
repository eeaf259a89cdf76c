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


def test_offsets_count_how_many_phones_play_with_one_and_how_big():
    reg = make("balanced", new_id=ids())
    tel = Telemetry(GROUPS)
    pids = [reg.admit(m.Hello(), 0).participant_id for _ in range(6)]
    for pid in pids:
        tel.connected(pid)
    assert tel.aggregate().offsets.to_json() == {"reported": 0}
    reports = [m.Status(verified=True, offset_ms=0, output="speaker"),
               m.Status(verified=True, offset_ms=250, offset_how="preset", output="bluetooth"),
               m.Status(verified=True, offset_ms=-12, offset_how="measured", output="unknown"),
               m.Status(verified=True, offset_ms=480, offset_how="ear", output="bluetooth"),
               m.Status(verified=True, offset_ms=30)]  # an offset set before offsets had a "how"
    for pid, st in zip(pids, reports):
        tel.report(pid, st, expected_position_us=None)
    tel.report(pids[5], m.Status(verified=True), expected_position_us=None)  # an older page: says nothing
    assert tel.aggregate().offsets.to_json() == {
        "reported": 5, "applied": 4, "median_ms": 140, "max_abs_ms": 480, "bounds_ms": [20, 50, 100, 200, 400],
        "counts": [1, 1, 0, 0, 1, 1], "how": {"ear": 1, "manual": 1, "measured": 1, "preset": 1},
        "outputs": {"bluetooth": 2, "speaker": 1, "unknown": 1}}


def test_a_status_offset_out_of_range_is_refused():
    import pytest

    with pytest.raises(m.ProtocolError):
        m.parse('{"type": "status", "offset_ms": 5000}', "participant")
    with pytest.raises(m.ProtocolError):
        m.parse('{"type": "status", "output": "hdmi"}', "participant")
