"""flashmob.conductor.messages: parsing is strict, serialization round-trips."""

import json

import pytest
from hypothesis import given, settings, strategies as st

from flashmob.conductor import messages as m


def test_round_trip_every_server_message():
    show = m.ShowInfo(state="armed", start_at_us=10_000_000, duration_us=180_000_000, revision=3)
    ann = m.AnnouncementInfo(id=1, level="urgent", text="disperse", group=None, sent_at_us=5)
    samples = [
        m.Welcome(participant_id="p1", group="red", manifest_url="/bundle/x/manifest.json", show=show,
                  server_time_us=1, announcements=(ann,)),
        m.SyncReply(id=1, t0=2, t1=3, t2=4),
        m.ShowMsg(**m.to_dict(show)),
        m.Announcement(**m.to_dict(ann)),
        m.error(m.BAD_JSON, "nope", ref="r1", fatal=True, detail={"a": 1}),
        m.Ack(ref="r", command="arm", show=show),
        m.ConsoleWelcome(show_id="s", title="t", show=show, server_time_us=1, assign="balanced",
                         capacity=None, min_lead_us=5_000_000, join_url="http://x/"),
        m.Feed(show=show, server_time_us=1,
               groups=(m.GroupCount(id="red", name="Reds", colour="#f00", share=1, participants=2,
                                    connected=1, ready=1),),
               participants_total=2, connected_total=1, capacity=10,
               sync_error=m.Histogram(bounds_us=(1000,), counts=(1, 0), unknown=0),
               engines={"webaudio": 1}, drift={}, output_latency={}, ntp={},
               seats=m.SeatCounts(capacity=10, confirmed=2, pending=5, max_pending=100, released=1, expired=3,
                                  failed=1, refused=0), announcements=(ann,)),
            m.ChallengeMsg(id="c1", path="red/seg-0000.mp3", offset=10, length=4096),
            m.SeatMsg(state="confirmed", participant_id="p1"),
            m.Reveal(group=m.RevealedGroup(name="Reds", colour="#d32f2f", symbol="star")),
    ]
    assert {type(s).TYPE for s in samples} == set(m.SERVER_OUT)
    for msg in samples:
        assert m.parse(m.to_wire(msg), "server") == msg


def test_client_messages_parse():
    assert m.parse('{"type":"hello"}', "participant") == m.Hello()
    assert m.parse('{"type":"sync","id":4,"t0":-5,"extra":1}', "participant") == m.Sync(id=4, t0=-5)
    assert m.parse('{"type":"arm","in_ms":6000}', "console") == m.Arm(in_ms=6000)
    assert m.parse('{"type":"announce","text":"hi"}', "console").level == "info"
    assert m.parse('{"type":"release","scope":"offline"}', "console") == m.Release(scope="offline")
    assert m.parse('{"type":"answer","id":"c","sha256":"%s"}' % ("a" * 64), "participant").sha256 == "a" * 64


@pytest.mark.parametrize("frame, code", [
    ("not json", m.BAD_JSON),
    ("[1,2]", m.BAD_MESSAGE),
    ('{"no":"type"}', m.BAD_MESSAGE),
    ('{"type":"launch"}', m.UNKNOWN_TYPE),
    ('{"type":"arm","in_ms":1}', m.NOT_ALLOWED),  # a console command on the participant socket
    ('{"type":"sync","id":"1","t0":0}', m.BAD_MESSAGE),
    ('{"type":"sync","id":true,"t0":0}', m.BAD_MESSAGE),
    ('{"type":"sync","id":1.5,"t0":0}', m.BAD_MESSAGE),
    ('{"type":"sync","id":-1,"t0":0}', m.BAD_MESSAGE),
    ('{"type":"sync","id":1,"t0":1e400}', m.BAD_MESSAGE),
    ('{"type":"sync","id":1,"t0":9007199254740993}', m.BAD_MESSAGE),
    ('{"type":"status","verified":"yes"}', m.BAD_MESSAGE),
    ('{"type":"hello","participant_id":"' + "x" * 65 + '"}', m.BAD_MESSAGE),
    ('{"type":"answer","id":"c","sha256":"abc"}', m.BAD_MESSAGE),  # not 64 characters
    ('{"type":"answer","sha256":"' + "a" * 64 + '"}', m.BAD_MESSAGE),
    ("[" * 50_000 + "]" * 50_000, m.TOO_LARGE),
    ("[" * 8000 + "]" * 8000, m.BAD_JSON),  # RecursionError is caught
    ('{"type":"hello","client":' + "[" * 5000 + "]" * 5000 + "}", m.BAD_JSON),
])
def test_refusals_have_codes(frame, code):
    with pytest.raises(m.ProtocolError) as info:
        m.parse(frame, "participant")
    assert info.value.code == code
    assert info.value.message


def test_error_message_says_what_was_expected():
    with pytest.raises(m.ProtocolError, match=r"level: expected one of info, urgent"):
        m.parse('{"type":"announce","text":"x","level":"panic"}', "console")
    with pytest.raises(m.ProtocolError, match=r"text: missing"):
        m.parse('{"type":"announce"}', "console")


def test_binary_frames_refused():
    with pytest.raises(m.ProtocolError):
        m.parse(b'{"type":"hello"}', "participant")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(m.ALL_TYPES), st.dictionaries(
    st.sampled_from(["id", "t0", "text", "level", "group", "participant_id", "verified", "token",
                     "in_ms", "start_at_us", "ref", "show", "engine", "position_us"]), json_values, max_size=6))
def test_parse_never_raises_anything_but_protocol_error(kind, fields):
    frame = json.dumps({"type": kind, **fields})
    for direction in m.DIRECTIONS:
        try:
            m.parse(frame, direction)
        except m.ProtocolError:
            pass


def test_the_show_record_is_its_own_wire_form():
    """One definition: the stored record (conductor/show.py) is the ``show`` payload, and
    the ``show`` message is the same fields at the top level; the JSON is unchanged."""
    from flashmob.conductor.show import ShowRecord, State

    rec = ShowRecord(state=State.ARMED, duration_us=9, start_at_us=5, revision=2, changed_at_us=4)
    assert m.ShowInfo is ShowRecord
    assert m.to_dict(rec) == {"state": "armed", "start_at_us": 5, "duration_us": 9, "revision": 2,
                              "reason": None, "changed_at_us": 4}
    msg = m.show_message(rec)
    assert m.to_dict(msg) == {"type": "show", **m.to_dict(rec)}
    assert m.parse(m.to_wire(msg), "server") == msg
    back = m.parse(m.to_wire(m.Ack(command="arm", show=rec)), "server").show
    assert back == rec and back.state is State.ARMED and back.end_at_us == 14
    assert ShowRecord(state="lobby", duration_us=1).state is State.LOBBY  # a string is kept as its State
    with pytest.raises(m.ProtocolError, match="show.revision: missing"):  # required on the wire, as before
        m.parse('{"type":"ack","show":{"state":"lobby","duration_us":1}}', "server")
    with pytest.raises(m.ProtocolError, match="state: expected one of lobby, armed, running, ended, aborted"):
        m.parse('{"type":"show","state":"paused","duration_us":1,"revision":0}', "server")


def test_api_info_record():
    info = m.ApiInfo(show_id="s", title="t", revision="r", manifest_url="/m", assign="fixed",
                     groups=("red",), server_time_us=1)
    assert m.to_dict(info) == {"show_id": "s", "title": "t", "revision": "r", "manifest_url": "/m",
                               "participant_ws": m.PARTICIPANT_WS, "console_ws": m.CONSOLE_WS, "assign": "fixed",
                               "groups": ["red"], "server_time_us": 1}
