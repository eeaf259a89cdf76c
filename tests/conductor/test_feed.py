"""flashmob.conductor.feed: the typed console feed serializes to the frame messages.Feed validates."""

import json

from flashmob.conductor import messages as m
from flashmob.conductor.feed import ConsoleFeed, Drift, OutputLatency, Tally


def sample(**kw):
    fields = dict(
        show=m.ShowInfo(state="lobby", start_at_us=None, duration_us=10, revision=0, reason=None, changed_at_us=0),
        server_time_us=5, groups=(m.GroupCount(id="red", name="Reds", colour="#f00", share=1, participants=1,
                                               connected=1, ready=1),),
        participants_total=1, connected_total=1, capacity=None,
        sync_error=m.Histogram(bounds_us=(1000,), counts=(1, 0), unknown=0), engines=Tally.of({"webaudio": 1}),
        drift=Drift(), output_latency=OutputLatency(), ntp={},
        seats=m.SeatCounts(capacity=None, confirmed=1, pending=0, max_pending=5, released=0, expired=0, failed=0,
                           refused=0))
    fields.update(kw)
    return ConsoleFeed(**fields)


def test_the_wire_shape_is_the_one_the_console_reads():
    feed = sample(trouble=Tally.of({"start": 1, "decode": 2}),
                  drift=Drift(playing=2, median_us=0, max_abs_us=9), ntp={"chosen": None})
    obj = json.loads(feed.to_wire())
    assert list(obj)[0] == "type" and obj["type"] == "feed"
    assert obj["drift"] == {"playing": 2, "median_us": 0, "max_abs_us": 9}
    assert obj["output_latency"] == {"reported": 0}
    assert obj["trouble"] == {"decode": 2, "start": 1} and list(obj["trouble"]) == ["decode", "start"]
    parsed = m.parse(feed.to_wire(), "server")  # the wire definition accepts it
    assert isinstance(parsed, m.Feed) and parsed.engines == {"webaudio": 1} and parsed.seats.confirmed == 1


def test_a_lone_surrogate_still_makes_a_utf8_frame():
    feed = sample(engines=Tally.of({"bad\ud800": 1}))
    feed.to_wire().encode("utf-8")
    assert json.loads(feed.to_wire())["engines"] == {"bad\ud800": 1}
