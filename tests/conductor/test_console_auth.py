"""Console authentication: a 10 s deadline whatever is sent, throttled failures per address, token length."""

from __future__ import annotations

import logging
import time

import pytest

from flashmob.conductor import app as appmod
from flashmob.conductor import session as sessionmod
from flashmob.conductor import messages as m
from conductor_testkit import TOKEN

MAX_FAILURES = 5  # docs/protocol.md: 5 failed console logins per address per minute


def test_unauthenticated_console_is_closed_at_the_deadline_whatever_it_sends(live_server, monkeypatch):
    monkeypatch.setattr(sessionmod, "CONSOLE_AUTH_TIMEOUT_S", 1.5)
    srv = live_server()
    c = srv.ws("/ws/console")
    t0 = time.monotonic()
    code = None
    from websockets.exceptions import ConnectionClosed

    try:
        while time.monotonic() - t0 < 4:
            c.send("not json")  # each gets an error, none authenticates
            time.sleep(0.2)
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd else None
    if code is None:
        code = c.closed_code(timeout=1)
    assert code == m.CLOSE_UNAUTHORIZED
    assert time.monotonic() - t0 < 2.5


def test_the_default_deadline_is_ten_seconds():
    assert appmod.CONSOLE_AUTH_TIMEOUT_S == 10.0


def test_failed_logins_are_throttled_per_address_and_logged(live_server, caplog):
    caplog.set_level(logging.INFO, logger="flashmob.conductor")
    srv = live_server()
    for i in range(MAX_FAILURES):
        c = srv.ws("/ws/console")
        c.send({"type": "console_hello", "token": f"wrong-token-{i:04d}-xxxxxxxxxx"})
        assert c.expect("error")["code"] == m.UNAUTHORIZED
        assert c.closed_code() == m.CLOSE_UNAUTHORIZED
    # now even the right token is refused from this address, for a while
    c = srv.ws("/ws/console")
    c.send({"type": "console_hello", "token": TOKEN})
    err = c.expect("error")
    assert err["code"] == m.UNAUTHORIZED and "too many" in err["message"]
    assert c.closed_code() == m.CLOSE_UNAUTHORIZED
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "127.0.0.1" in text and "refused" in text


def test_throttle_core_with_injected_time():
    from flashmob.conductor.loginthrottle import LoginThrottle

    assert LoginThrottle.MAX_FAILURES == MAX_FAILURES
    t = LoginThrottle()
    for _ in range(LoginThrottle.MAX_FAILURES):
        assert t.allowed("a", 0)
        t.failed("a", 0)
    assert not t.allowed("a", 1_000_000)
    assert t.allowed("b", 1_000_000)  # other addresses are not affected
    assert t.retry_after_s("a", 1_000_000) > 0
    later = LoginThrottle.LOCKOUT_US + LoginThrottle.WINDOW_US + 1
    assert t.allowed("a", later)


def test_throttle_memory_is_bounded():
    from flashmob.conductor.loginthrottle import LoginThrottle

    t = LoginThrottle(max_addresses=100)
    for i in range(1000):
        t.failed(f"10.0.{i // 256}.{i % 256}", i)
    assert len(t) <= 100


@pytest.mark.parametrize("token", ["short", "x" * 15])
def test_short_console_tokens_are_refused(bundle_dir, tmp_path, monkeypatch, token):
    from flashmob.conductor.app import ServerConfig, build_conductor

    with pytest.raises(ValueError, match="16 characters"):
        build_conductor(ServerConfig(bundle_dir=bundle_dir, db_path=tmp_path / "a.sqlite", token=token))
    monkeypatch.setenv("FLASHMOB_TOKEN", token)
    with pytest.raises(ValueError, match="FLASHMOB_TOKEN.*16 characters"):
        build_conductor(ServerConfig(bundle_dir=bundle_dir, db_path=tmp_path / "b.sqlite"))
