"""Issue 10, defect 1: one phone must never silence the consoles.

A phone sends every odd-but-legal JSON string form in every string field of
every participant message; strings that cannot be encoded as UTF-8 (lone
surrogates from ``\\ud800``-style escapes) are refused at parse time, the
others are handled as text.  The console keeps getting its feed, once a second,
and its commands are acknowledged; another phone keeps its sync service.
Real uvicorn on a loopback port.
"""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest

from flashmob.conductor import messages as m

COMBINING_16K = "a" + "\u0301" * (16 * 1024 // 2)  # 16 KiB of UTF-8 combining acute accents
# Raw JSON string literals (as a hostile client types them: escapes are decoded by the parser).
ODD_JSON_STRINGS = {
    "lone_high_surrogate": r'"\ud800"',
    "lone_low_surrogate": r'"\udfff"',
    "reversed_pair": r'"\udc00\ud800"',
    "surrogate_in_text": r'"webaudio\udbff"',
    "noncharacters": r'"\ufffe\uffff\ufdd0\udbff\udfff"',  # the last is U+10FFFF, a valid pair
    "nul": r'"a\u0000b"',
    "controls": r'"\u0001\u001b[31m\u007f\u0085"',
    "rtl_overrides": json.dumps("\u202egnp.exe\u202c \u2066x\u2069 \u200f\u061c", ensure_ascii=False),
    "bom_zwj": r'"\ufeff\u200d\u2028\u2029"',
    "combining_16k": json.dumps(COMBINING_16K, ensure_ascii=False),
    "empty": '""',
}
UNENCODABLE = {"lone_high_surrogate", "lone_low_surrogate", "reversed_pair", "surrogate_in_text"}
STRING_FIELDS = {  # every string field of every participant message (sync has none but "type")
    "hello": ("participant_id", "group", "group_token", "client"),
    "status": ("engine",),
}


def hostile_frames():
    """(name, raw text) of every frame the hostile phone sends, after its valid hello."""
    base = {"hello": '{"type":"hello",%s}', "status": '{"type":"status","verified":true,%s}'}
    for kind, fields in STRING_FIELDS.items():
        for fld in fields:
            for form, literal in ODD_JSON_STRINGS.items():
                yield f"{kind}.{fld}={form}", form, base[kind] % f'"{fld}":{literal}'
    for form, literal in ODD_JSON_STRINGS.items():
        yield f"type={form}", form, '{"type":%s}' % literal
        yield f"unknown-key={form}", form, '{"type":"status",%s:1}' % literal
        yield f"sync-extra={form}", form, '{"type":"sync","id":1,"t0":1,"x":%s}' % literal


class FeedCounter(threading.Thread):
    """Reads a console socket in the background: counts feeds, keeps acks."""

    def __init__(self, client):
        super().__init__(daemon=True)
        self.client = client
        self.feeds: list[float] = []
        self.acks: list[dict] = []
        self.closed: Exception | None = None
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                msg = self.client.recv(timeout=0.5)
            except TimeoutError:
                continue
            except Exception as exc:  # the socket closed
                self.closed = exc
                return
            if msg["type"] == "feed":
                self.feeds.append(time.monotonic())
            elif msg["type"] == "ack":
                self.acks.append(msg)


def expect_refusal(phone, timeout=1.0):
    """The next error that refuses an unencodable string (other replies are skipped), or None."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            msg = phone.recv(timeout=left)
        except Exception:  # noqa: BLE001 - timeout or closed: no refusal came
            return None
        if msg["type"] == "error" and "surrogate" in msg["message"]:
            return msg


def feeds_between(counter, t0, t1):
    return sum(1 for t in counter.feeds if t0 <= t <= t1)


def test_odd_strings_never_stop_the_console_feed(live_server):
    srv = live_server()
    console = srv.console()
    counter = FeedCounter(console)
    counter.start()
    bystander, _ = srv.phone()
    phone, welcome = srv.phone(client="hostile")
    frames = list(hostile_frames())
    assert len(frames) > 80
    t_start = time.monotonic()
    refused, dropped, console_send_failed = [], [], []
    try:
        for i, (name, form, raw) in enumerate(frames):
            try:
                phone.send(raw)
            except Exception:  # noqa: BLE001 - the server dropped the hostile phone: it comes back
                dropped.append(name)
                phone, _ = srv.phone(client="hostile")
                phone.send(raw)
            if form in UNENCODABLE:
                reply = expect_refusal(phone)
                if reply is not None and reply["code"] == m.BAD_MESSAGE and reply["fatal"] is False:
                    refused.append(name)
            time.sleep(1 / 15)  # under the per-connection frame rate (20/s): no rate_limited noise
            if i % 10 == 0:  # another phone keeps its sync service, and reports (so the feed has news)
                bystander.send({"type": "sync", "id": i, "t0": i})
                assert bystander.expect("sync_reply", timeout=2)["id"] == i
                bystander.send({"type": "status", "verified": i % 20 == 0, "engine": "webaudio"})
            if i % 25 == 0:  # console commands are still answered
                try:
                    console.send({"type": "announce", "text": f"still here {i}", "ref": f"r{i}"})
                except Exception as exc:  # noqa: BLE001 - reported by the assertions below
                    console_send_failed.append(repr(exc))
        t_end = time.monotonic()
        for k in range(6):  # feeds keep coming after the last odd frame, too (something changes)
            bystander.send({"type": "status", "verified": k % 2 == 0, "engine": "webaudio"})
            time.sleep(0.5)
        t_after = time.monotonic()
    finally:
        counter.stop.set()
        counter.join(3)
    assert counter.closed is None and not console_send_failed, \
        f"the console socket closed: {counter.closed!r} {console_send_failed[:1]}"
    sending = t_end - t_start
    # the feed is published about once a second while something changes (at least every 5 s)
    assert feeds_between(counter, t_start, t_end) >= 0.6 * sending, (sending, len(counter.feeds))
    assert feeds_between(counter, t_end, t_after) >= 2
    assert {a["ref"] for a in counter.acks} >= {f"r{i}" for i in range(0, len(frames), 25)}
    assert dropped == []
    assert refused == [name for name, form, _ in frames if form in UNENCODABLE]
    # no state was touched by a refused frame: no engine name with a surrogate, the feed encodes
    feed = srv.conductor.feed()
    feed.to_wire().encode("utf-8")
    assert all(k.encode("utf-8") for k in feed.engines.to_json())
    # a console that connects now is served as usual
    fresh = srv.console()
    assert fresh.expect("feed", timeout=7)["type"] == "feed"
    fresh.close()
    phone.close()
    bystander.close()
    console.close()


class _Boom:
    def render(self, now):
        raise RuntimeError("render exploded")


def test_a_failing_writer_logs_once_and_closes_its_socket(live_server, caplog):
    srv = live_server()
    console = srv.console()
    other = srv.console()
    caplog.set_level(logging.WARNING, logger="flashmob.conductor.hub")
    outboxes = list(srv.conductor.hub._topics["consoles"].values())  # noqa: SLF001 - white-box injection
    assert len(outboxes) == 2
    victim = outboxes[0]
    victim.push(_Boom())
    victim.push("never sent")
    codes = []
    for c in (console, other):
        try:
            codes.append(c.closed_code(timeout=1.5))
        except TimeoutError:
            codes.append(None)
    assert codes.count(m.CLOSE_INTERNAL) == 1 and codes.count(None) == 1, codes
    lines = [r for r in caplog.records if "writer" in r.getMessage()]
    assert len(lines) == 1 and "render exploded" in lines[0].getMessage()
    # the other console still gets frames; a reconnecting one is served
    survivor = other if codes[1] is None else console
    survivor.send({"type": "announce", "text": "x", "ref": "after"})
    assert survivor.expect("ack", ref="after")
    again = srv.console()
    again.close()
    survivor.close()


@pytest.mark.parametrize("literal", [r'"\ud800"', r'"ok\udfffok"', r'{"\ud800":1}'])
def test_parse_refuses_unencodable_strings(literal):
    with pytest.raises(m.ProtocolError) as exc:
        m.parse('{"type":"hello","client":%s}' % literal, "participant")
    assert exc.value.code == m.BAD_MESSAGE
    assert "surrogate" in exc.value.message
    m.to_wire(m.error(exc.value.code, exc.value.message)).encode("utf-8")


def test_to_wire_never_emits_unencodable_text():
    text = m.to_wire(m.error(m.BAD_MESSAGE, "bad \ud800 text"))
    text.encode("utf-8")
    assert json.loads(text)["message"] == "bad \ud800 text"
