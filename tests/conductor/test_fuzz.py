"""Fuzzing: thousands of random and malformed frames.

* in-process: 20,000 frames straight into the participant and console
  sessions (no network): nothing raises, no internal error, no state change;
* live: ~3,000 frames over real websockets against uvicorn; the server keeps
  serving, answers with error codes or closes with a code, and the show state,
  the participants and the announcements are unchanged.
"""

import json
import random
import string

from websockets.exceptions import ConnectionClosed

from flashmob.conductor import messages as m
from flashmob.conductor.session import ConsoleSession, ParticipantSession
from conductor_testkit import TOKEN, WsClient

FIELDS = ["type", "id", "t0", "text", "level", "group", "participant_id", "verified", "token", "in_ms",
          "start_at_us", "ref", "reason", "sync_error_us", "engine", "position_us", "group_token", "sha256",
          "scope"]
SAMPLE_VALUES = [None, True, False, 0, -1, 1, 2**53, 2**64, -2**63, 1.5, 1e308, "", "x", "ü" * 3, "\u0000",
                 "red", "urgent", [], [1, [2]], {}, {"a": {"b": None}}, "9" * 50, "a" * 64, "pending", "offline"]


def random_frame(rng: random.Random) -> str | bytes:
    kind = rng.randrange(10)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200)))
    if kind == 1:
        return "".join(rng.choice(string.printable + "éü€\u2028{}[]\":,") for _ in range(rng.randrange(0, 200)))
    if kind == 2:
        depth = rng.randrange(1, 5000)
        return "[" * depth + "]" * depth if rng.random() < 0.5 else '{"a":' * depth + "1" + "}" * depth
    if kind == 3:
        return json.dumps(rng.choice(SAMPLE_VALUES))
    if kind == 4:
        return rng.choice(["NaN", "Infinity", "-Infinity", "1e99999", "9" * 5000, '{"type":"sync","id":NaN,"t0":0}',
                           '{"type":"hello"', '{"type":"hello"}}', "\ufeff{}", '{"type":"hello","type":"arm"}'])
    obj = {"type": rng.choice(m.ALL_TYPES + ["", "HELLO", "ping", "x" * 100])}
    for _ in range(rng.randrange(0, 6)):
        obj[rng.choice(FIELDS)] = rng.choice(SAMPLE_VALUES)
    text = json.dumps(obj)
    if kind == 9 and text:  # mutate a byte
        i = rng.randrange(len(text))
        text = text[:i] + rng.choice(string.printable) + text[i + 1:]
    if kind == 8:
        text = text[: rng.randrange(len(text) + 1)]
    return text


def is_control(frame) -> bool:
    """Frames that are valid console commands (not sent to the authenticated console)."""
    try:
        msg = m.parse(frame, "console")
    except m.ProtocolError:
        return False
    return not isinstance(msg, (m.Sync, m.ConsoleHello))


def snapshot(conductor):
    return (conductor.record, dict(conductor.registry.known), conductor.recent_announcements())


def test_sessions_in_process(live_server):
    srv = live_server()
    conductor = srv.conductor
    rng = random.Random(1)
    before = snapshot(conductor)
    codes = set()
    t = 0
    for i in range(20_000):
        session = ParticipantSession(conductor.core) if i % 2 else ConsoleSession(conductor.core)
        if i % 4 == 0:
            session.handle(json.dumps({"type": "console_hello", "token": TOKEN}), t)
        frame = random_frame(rng)
        if isinstance(session, ConsoleSession) and session.authenticated and is_control(frame):
            continue
        if isinstance(session, ParticipantSession):  # hellos admit people: keep the registry out of it
            try:
                if isinstance(m.parse(frame, "participant"), m.Hello):
                    continue
            except m.ProtocolError:
                pass
        t += 1_000_000  # far apart: the rate limiter is not what is being tested here
        for out in session.handle(frame, t):
            if isinstance(out, str):
                msg = json.loads(out)
                if msg["type"] == "error":
                    codes.add(msg["code"])
    assert "internal" not in codes
    assert {"bad_json", "bad_message", "unknown_type"} <= codes
    assert snapshot(conductor) == before


def drain(client, codes):
    """Ask for a sync reply and collect errors until it comes (or the close)."""
    try:
        client.send({"type": "sync", "id": 1, "t0": 0})
        while True:
            msg = client.recv(timeout=5)
            if msg["type"] == "error":
                codes[msg["code"]] = codes.get(msg["code"], 0) + 1
            if msg["type"] == "sync_reply":
                return None
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None


def test_live_server_survives_thousands_of_bad_frames(live_server):
    srv = live_server()
    conductor = srv.conductor
    phone, welcome = srv.phone()
    console = srv.console()
    before = snapshot(conductor)
    rng = random.Random(2)
    codes: dict[str, int] = {}
    closes: dict[int, int] = {}
    sent = 0
    for round_ in range(70):
        path = "/ws/console" if round_ % 10 == 9 else "/ws"
        client = WsClient(f"ws://127.0.0.1:{srv.port}{path}")
        if path == "/ws/console" and round_ % 20 == 19:
            client.send({"type": "console_hello", "token": TOKEN})
            client.expect("console_welcome")
        for _ in range(45):  # below the per-connection burst: every frame reaches the parser
            frame = random_frame(rng)
            if path == "/ws/console" and is_control(frame):
                continue
            if path == "/ws" and frame and rng.random() < 0.01:
                frame = "x" * 70_000  # over the websocket size limit: close 1009
            try:
                client.send(frame)
                sent += 1
            except ConnectionClosed:
                break
        code = drain(client, codes)
        if code is not None:
            closes[code] = closes.get(code, 0) + 1
        client.close()
    print("fuzz:", sent, "frames;", codes, closes)
    assert sent >= 2500
    assert "internal" not in codes
    assert codes.get("bad_json", 0) > 100 and codes.get("bad_message", 0) > 100
    assert set(closes) <= {1009, m.CLOSE_UNAUTHORIZED, m.CLOSE_POLICY, m.CLOSE_FULL}
    # a flood on one socket: errors, then a policy close
    flood = srv.ws()
    for i in range(400):
        try:
            flood.send({"type": "status"})
        except ConnectionClosed:
            break
    assert flood.closed_code() == m.CLOSE_POLICY
    # still serving, state unchanged (hellos were allowed: admitted people only grew)
    record, known, announcements = snapshot(conductor)
    assert record == before[0] and announcements == before[2]
    assert all(known[pid] == gid for pid, gid in before[1].items())
    phone.send({"type": "sync", "id": 5, "t0": 0})
    assert phone.expect("sync_reply")["id"] == 5
    console.send({"type": "announce", "text": "still here", "ref": "ok"})
    console.expect("ack", ref="ok")
    assert phone.expect("announcement")["text"] == "still here"
    _, w = srv.phone(participant_id=welcome["participant_id"])
    assert w["group"] == welcome["group"]
