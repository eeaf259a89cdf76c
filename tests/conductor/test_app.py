"""flashmob.conductor.app over a real uvicorn on a loopback port: the websocket protocol end to end."""

import time

import httpx
import pytest

from flashmob.conductor import messages as m
from conductor_testkit import TOKEN


def test_join_and_group_stability_on_reconnect(live_server):
    srv = live_server()
    phone, welcome = srv.phone()
    m.parse(__import__("json").dumps(welcome), "server")  # the welcome is a valid wire message
    assert welcome["group"] in ("red", "blue")
    assert welcome["manifest_url"] == srv.conductor.manifest_url
    assert welcome["show"]["state"] == "lobby"
    assert abs(welcome["server_time_us"] - srv.conductor.now()) < 1_000_000
    pid, group = welcome["participant_id"], welcome["group"]
    phone.close()
    for _ in range(3):
        again, w2 = srv.phone(participant_id=pid)
        assert (w2["participant_id"], w2["group"]) == (pid, group)
        again.close()
    # balanced: the next newcomer goes to the other group
    other, w3 = srv.phone()
    assert w3["group"] != group and w3["participant_id"] != pid
    other.close()


def test_sync_reply_stamps(live_server):
    srv = live_server()
    with srv.ws() as c:
        t0 = 123
        c.send({"type": "sync", "id": 1, "t0": t0})
        reply = c.expect("sync_reply")
        assert reply["id"] == 1 and reply["t0"] == t0
        assert reply["t1"] <= reply["t2"] and abs(reply["t2"] - srv.conductor.now()) < 1_000_000


def test_sync_t1_is_the_time_of_the_socket_read(live_server):
    """Behind the gate, t1 is moved back to the read that completed the frame: never before
    the client sent it, never after the server handled it (conductor/endpoint.py)."""
    srv = live_server()
    with srv.ws() as c:
        c.send({"type": "sync", "id": 1, "t0": 0})
        c.expect("sync_reply")
        assert srv.gate.readers, "the gate knows the socket's reader"
        for i in range(2, 12):
            before = srv.conductor.now()
            c.send({"type": "sync", "id": i, "t0": 0})
            reply = c.expect("sync_reply")
            assert before <= reply["t1"] <= reply["t2"] <= srv.conductor.now()


def test_arm_running_ended(live_server):
    srv = live_server(duration_ms=1200, min_lead_s=0.3)
    phone, _ = srv.phone()
    console = srv.console()
    console.send({"type": "arm", "in_ms": 500, "ref": "a1"})
    ack = console.expect("ack", ref="a1")
    armed = phone.expect("show")
    assert armed["state"] == "armed" and armed["start_at_us"] == ack["show"]["start_at_us"]
    start = armed["start_at_us"]
    running = phone.expect("show", state="running")
    assert running["start_at_us"] == start and running["changed_at_us"] == start
    assert srv.conductor.now() >= start
    ended = phone.expect("show", timeout=5, state="ended")
    assert ended["changed_at_us"] == start + 1_200_000
    assert [r[1] for r in srv.conductor.store.transition_log(srv.conductor.bundle.show_id)] == \
        ["arm", "started", "finished"]


def test_arm_refusals_are_clear(live_server):
    srv = live_server()
    console = srv.console()
    console.send({"type": "arm", "in_ms": 1000, "ref": "soon"})
    err = console.expect("error", ref="soon")
    assert err["code"] == "illegal_transition" and "too soon" in err["message"]
    console.send({"type": "arm", "ref": "neither"})
    assert console.expect("error", ref="neither")["code"] == "invalid_command"
    console.send({"type": "cancel", "ref": "c"})
    err = console.expect("error", ref="c")
    assert "cannot cancel: the show is lobby" in err["message"]
    assert srv.conductor.record.state.value == "lobby"


def test_cancel_and_abort(live_server):
    srv = live_server(min_lead_s=0.2)
    phone, _ = srv.phone()
    console = srv.console()
    start = srv.conductor.now() + 60_000_000
    console.send({"type": "arm", "start_at_us": start})
    assert phone.expect("show")["start_at_us"] == start
    console.send({"type": "cancel"})
    assert phone.expect("show")["state"] == "lobby"
    console.send({"type": "arm", "in_ms": 300})
    phone.expect("show", state="armed")
    phone.expect("show", state="running")
    console.send({"type": "abort", "reason": "storm", "ref": "x"})
    console.expect("ack", ref="x")
    aborted = phone.expect("show", state="aborted")
    assert aborted["reason"] == "storm"
    console.send({"type": "reset"})
    assert phone.expect("show")["state"] == "lobby"


def test_announcements_to_all_and_to_one_group(live_server):
    srv = live_server()
    phones = [srv.phone() for _ in range(4)]
    by_group = {}
    for client, w in phones:
        by_group.setdefault(w["group"], []).append(client)
    console = srv.console()
    console.send({"type": "announce", "text": "medic to the fountain", "level": "urgent", "ref": "a"})
    console.expect("ack", ref="a")
    for client, _ in phones:
        msg = client.expect("announcement")
        assert (msg["level"], msg["text"], msg["group"]) == ("urgent", "medic to the fountain", None)
    console.send({"type": "announce", "text": "reds: wave", "group": "red"})
    for client in by_group["red"]:
        assert client.expect("announcement")["text"] == "reds: wave"
    for client in by_group["blue"]:  # the blues get nothing: their next message is a sync reply
        client.send({"type": "sync", "id": 9, "t0": 0})
        assert client.recv()["type"] == "sync_reply"
    console.send({"type": "announce", "text": "x", "group": "green", "ref": "g"})
    assert console.expect("error", ref="g")["code"] == "invalid_command"
    # a phone joining later sees the recent announcements for its group
    late, w = srv.phone()
    texts = [a["text"] for a in w["announcements"]]
    assert "medic to the fountain" in texts and ("reds: wave" in texts) == (w["group"] == "red")


def test_capacity(live_server):
    srv = live_server(capacity=2)
    a, wa = srv.confirmed_phone()
    srv.confirmed_phone()
    full = srv.ws()
    full.send({"type": "hello"})
    err = full.expect("error")
    assert err["code"] == "capacity_reached" and err["fatal"] and "at most 2" in err["message"]
    assert full.closed_code() == m.CLOSE_FULL
    a.close()
    back, wb = srv.phone(participant_id=wa["participant_id"])  # confirmed people always get back in
    assert wb["group"] == wa["group"] and wb["seat"] == "confirmed"


def test_console_auth_refused(live_server):
    srv = live_server()
    for first in ({"type": "console_hello", "token": TOKEN[:-1] + "X"}, {"type": "arm", "in_ms": 9000},
                  {"type": "sync", "id": 1, "t0": 0}):
        c = srv.ws("/ws/console")
        c.send(first)
        assert c.expect("error")["code"] == "unauthorized"
        assert c.closed_code() == m.CLOSE_UNAUTHORIZED
    assert srv.conductor.record.state.value == "lobby"


def test_participant_socket_cannot_control(live_server):
    srv = live_server()
    phone, _ = srv.phone()
    for frame in ({"type": "arm", "in_ms": 60_000}, {"type": "console_hello", "token": TOKEN},
                  {"type": "abort"}, {"type": "announce", "text": "fake"}):
        phone.send(frame)
        assert phone.expect("error")["code"] == "not_allowed"
    assert srv.conductor.record.state.value == "lobby" and srv.conductor.recent_announcements() == ()


def test_status_feeds_the_console(live_server):
    srv = live_server()
    console = srv.console()
    phones = [srv.confirmed_phone()] + [srv.phone() for _ in range(2)]
    phones[0][0].send({"type": "status", "verified": True, "sync_error_us": 1500, "engine": "webaudio"})
    phones[1][0].send({"type": "status", "verified": False, "sync_error_us": 70_000})
    deadline = time.monotonic() + 5
    while True:
        feed = console.expect("feed")
        if sum(g["ready"] for g in feed["groups"]) == 1 and feed["connected_total"] == 3:
            break
        assert time.monotonic() < deadline
    m.parse(__import__("json").dumps(feed), "server")
    assert feed["sync_error"]["counts"][1] == 1 and feed["sync_error"]["unknown"] == 1
    assert feed["engines"]["webaudio"] == 1
    assert feed["trouble"] == {}


def test_phones_in_trouble_reach_the_console(live_server):
    srv = live_server()
    console = srv.console()
    phone, _ = srv.phone()
    phone.send({"type": "status", "verified": True, "engine": "webaudio", "trouble": "no-such-reason"})
    assert phone.expect("error")["code"] == "bad_message"
    phone.send({"type": "status", "verified": True, "engine": "webaudio", "trouble": "decode"})
    deadline = time.monotonic() + 5
    while (feed := console.expect("feed"))["trouble"] != {"decode": 1}:
        assert time.monotonic() < deadline, feed["trouble"]
    m.parse(__import__("json").dumps(feed), "server")


def test_fixed_groups_via_signed_join_url(live_server):
    srv = live_server(assign="fixed")
    token = srv.conductor.signer.sign("blue")
    assert srv.conductor.join_url("blue").endswith(f"?g=blue&k={token}")
    _, w = srv.phone(group="blue", group_token=token)
    assert w["group"] == "blue"
    forged = srv.ws()
    forged.send({"type": "hello", "group": "red", "group_token": token})
    assert forged.expect("error")["code"] == "group_token_invalid"


def test_http_routes(live_server):
    srv = live_server()
    with httpx.Client(base_url=srv.url) as http:
        info = http.get("/api/info").json()
        assert info["manifest_url"] == srv.conductor.manifest_url
        assert "client is not installed" in http.get("/").text
        assert http.get("/console").status_code == 200
        mf = http.get(info["manifest_url"])
        assert mf.json()["show_id"] == info["show_id"] and "immutable" in mf.headers["cache-control"]
        assert http.get("/bundle/manifest.json").headers["cache-control"] == "no-cache"
        old = http.get("/bundle/0000000000000000/manifest.json")
        assert old.status_code == 404 and old.json()["manifest_url"] == info["manifest_url"]


@pytest.mark.parametrize("path", ["/ws", "/ws/console"])
def test_oversized_frame_closes_1009(live_server, path):
    srv = live_server()
    c = srv.ws(path)
    c.send("x" * 100_000)
    assert c.closed_code() == 1009


def test_console_must_authenticate_in_time(live_server, monkeypatch):
    from flashmob.conductor import session as sessionmod

    monkeypatch.setattr(sessionmod, "CONSOLE_AUTH_TIMEOUT_S", 0.3)
    srv = live_server()
    c = srv.ws("/ws/console")
    err = c.expect("error")
    assert err["code"] == "unauthorized" and err["fatal"]
    assert c.closed_code() == m.CLOSE_UNAUTHORIZED


def test_api_info_is_the_api_info_record(live_server):
    """/api/info is exactly the wire record messages.ApiInfo (docs/protocol.md, "Endpoints"), and the
    socket paths it names are the ones served."""
    import dataclasses

    from flashmob.contract.records import EXPECTED, parse

    srv = live_server()
    with httpx.Client(base_url=srv.url) as http:
        raw = http.get(m.API_INFO_PATH).json()
    info = parse(m.ApiInfo, raw, wording=EXPECTED)
    assert set(raw) == {f.name for f in dataclasses.fields(m.ApiInfo)}
    assert info.show_id == srv.conductor.bundle.show_id and info.manifest_url == srv.conductor.manifest_url
    assert abs(info.server_time_us - srv.conductor.now()) < 1_000_000
    with srv.ws(info.participant_ws) as c:
        c.send({"type": "hello"})
        assert c.expect("welcome")["manifest_url"] == info.manifest_url
    with srv.ws(info.console_ws) as c:
        c.send({"type": "console_hello", "token": TOKEN})
        assert c.expect("console_welcome")["show_id"] == info.show_id
