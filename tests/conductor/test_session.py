"""flashmob.conductor.session: frames in, frames out, never an exception, never a state change on refusal."""

import hashlib
import json

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.bundle import load_bundle
from flashmob.conductor.clock import FakeMonotonic, ServerClock
from flashmob.conductor.effects import Close
from flashmob.conductor.service import Options
from flashmob.conductor.session import ConsoleSession, ParticipantSession, Subscribe
from flashmob.conductor.store import SqliteStore
from flashmob.conductor.sync import PendingReply
from inline import InlineConductor


@pytest.fixture
def conductor(bundle_dir, tmp_path):
    clock = ServerClock(FakeMonotonic(), initial_offset_us=0)
    return InlineConductor(load_bundle(bundle_dir), SqliteStore(tmp_path / "db"), clock.now_us,
                           Options(console_token="secret", capacity=3))


def texts(out):
    return [json.loads(o) for o in out if isinstance(o, str)]


def test_participant_flow(conductor):
    s = ParticipantSession(conductor.core)
    [err] = texts(conductor.drive(s, '{"type":"status","verified":true}', 0))
    assert err["code"] == "hello_required"
    out = conductor.drive(s, '{"type":"hello"}', 1)
    assert isinstance(out[0], Subscribe) and out[0].topics == {"participants", f"group:{s.group}"}
    assert texts(out)[0]["type"] == "welcome"
    assert conductor.drive(s, '{"type":"status","verified":true,"sync_error_us":900}', 2) == []
    assert conductor.telemetry.live[s.participant_id].status.verified
    [err] = texts(conductor.drive(s, '{"type":"hello"}', 3))
    assert err["code"] == "already_joined"
    [reply] = conductor.drive(s, '{"type":"sync","id":1,"t0":5}', 4)
    assert isinstance(reply, PendingReply) and reply.t1 == 4
    conductor.execute(s.disconnected())
    assert s.participant_id is None and not conductor.telemetry.live


def right_answer(conductor, challenge):
    data = (conductor.bundle.root / challenge["path"]).read_bytes()
    piece = data[challenge["offset"]:challenge["offset"] + challenge["length"]]
    digest = hashlib.sha256(challenge["id"].encode() + piece).hexdigest()
    return json.dumps({"type": "answer", "id": challenge["id"], "sha256": digest})


def join_and_confirm(conductor):
    s = ParticipantSession(conductor.core)
    welcome, challenge = texts(conductor.drive(s, '{"type":"hello"}', 0))
    assert (welcome["seat"], challenge["type"]) == ("pending", "challenge")
    [seat] = texts(conductor.drive(s, right_answer(conductor, challenge), 1))
    assert seat == {"type": "seat", "state": "confirmed", "participant_id": welcome["participant_id"]}
    return s


def test_capacity_refusal_closes(conductor):
    for _ in range(10):  # unconfirmed: they hold no seat
        conductor.drive(ParticipantSession(conductor.core), '{"type":"hello"}', 0)
    for _ in range(3):
        join_and_confirm(conductor)
    s = ParticipantSession(conductor.core)
    out = conductor.drive(s, '{"type":"hello"}', 0)
    assert texts(out)[0]["code"] == "capacity_reached" and out[-1] == Close(m.CLOSE_FULL, "capacity_reached")
    assert s.closed and conductor.drive(s, '{"type":"hello"}', 1) == []


def test_flood_is_refused_then_closed(conductor):
    s = ParticipantSession(conductor.core)
    codes = []
    for i in range(300):
        out = conductor.drive(s, '{"type":"sync","id":1,"t0":0}', 1000)
        codes += [t["code"] for t in texts(out) if t["type"] == "error"]
        if s.closed:
            break
    assert s.closed and out[-1] == Close(m.CLOSE_POLICY, "rate_limited")
    assert codes.count("rate_limited") >= 50


def test_console_auth(conductor):
    s = ConsoleSession(conductor.core)
    out = conductor.drive(s, '{"type":"console_hello","token":"wrong"}', 0)
    assert texts(out)[0]["code"] == "unauthorized" and out[-1].code == m.CLOSE_UNAUTHORIZED
    s = ConsoleSession(conductor.core)
    out = conductor.drive(s, '{"type":"console_hello","token":"secret"}', 0)
    assert [t["type"] for t in texts(out)] == ["console_welcome", "feed"] and s.authenticated
    [err] = texts(conductor.drive(s, '{"type":"cancel","ref":"r"}', 1))
    assert err["code"] == "illegal_transition" and err["ref"] == "r"
    assert conductor.record.state.value == "lobby"
    [ack] = texts(conductor.drive(s, '{"type":"arm","in_ms":10000,"ref":"go"}', 2))
    assert ack["type"] == "ack" and ack["show"]["state"] == "armed"


def test_internal_errors_are_contained(conductor, monkeypatch):
    s = ParticipantSession(conductor.core)

    def boom(hello, now):
        raise RuntimeError("bug")

    monkeypatch.setattr(conductor.core, "admit", boom)
    [err] = texts(conductor.drive(s, '{"type":"hello"}', 0))
    assert err["code"] == "internal" and not s.closed


def test_wrong_answers_get_new_challenges_then_a_close(conductor):
    s = ParticipantSession(conductor.core)
    welcome, challenge = texts(conductor.drive(s, '{"type":"hello"}', 0))
    manifest_sha = conductor.bundle.files[challenge["path"]]  # the whole file's sha256 is public: not an answer
    for i, forged in enumerate([manifest_sha, "0" * 64, "f" * 64]):
        out = conductor.drive(s, json.dumps({"type": "answer", "id": challenge["id"], "sha256": forged}), 1 + i)
        err = texts(out)[0]
        assert err["code"] == "challenge_failed"
        if i < 2:
            challenge = texts(out)[1]
            assert challenge["type"] == "challenge"
    assert s.closed and out[-1] == Close(m.CLOSE_POLICY, "challenge_failed")
    assert conductor.registry.seats.confirmed == {} and conductor.store.participants(conductor.bundle.show_id) == {}
    # a stale challenge id gets the open challenge again, which can be answered
    s2 = ParticipantSession(conductor.core)
    welcome, challenge = texts(conductor.drive(s2, '{"type":"hello"}', 10))
    err, fresh = texts(conductor.drive(s2, json.dumps({"type": "answer", "id": "old", "sha256": "0" * 64}), 11))
    assert err["code"] == "challenge_stale" and fresh == challenge
    [seat] = texts(conductor.drive(s2, right_answer(conductor, fresh), 12))
    assert seat["state"] == "confirmed"
    assert conductor.store.participants(conductor.bundle.show_id) == {welcome["participant_id"]: welcome["group"]}
