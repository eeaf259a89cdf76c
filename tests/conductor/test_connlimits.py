"""ConnectionLimiter: caps, deadlines and the refusal summary, with injected time."""

from __future__ import annotations

import pytest

from flashmob.conductor.connlimits import ConnectionLimiter, Limits, Phase, Verdict, address_key, capacity_for_fds


def v(admission):
    return admission.verdict


def test_address_keys():
    assert address_key("203.0.113.7") == "203.0.113.7"
    assert address_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key(None) == "?"


def test_capacity_keeps_a_reserve_and_the_refusal_budget():
    assert capacity_for_fds(20_000) == 20_000 - 2_000 - 256 - 256
    assert capacity_for_fds(1024) == 1024 - 128 - 256 - 256


def test_limits_are_checked():
    with pytest.raises(ValueError):
        Limits(max_connections=0)
    with pytest.raises(ValueError):
        Limits(header_timeout_s=0)


def test_global_cap_refuses_then_resets_beyond_the_refusal_budget():
    lim = ConnectionLimiter(Limits(max_connections=3, max_refusing=2))
    verdicts = [v(lim.opened(i, f"10.0.0.{i}", 0.0)) for i in range(6)]
    assert verdicts == [Verdict.ADMIT] * 3 + [Verdict.REFUSE] * 2 + [Verdict.RESET]
    assert lim.admitted == 3 and lim.refusing == 2
    lim.closed(0, 1.0)
    lim.closed(3, 1.0)
    assert v(lim.opened(10, "10.0.0.9", 1.0)) is Verdict.ADMIT
    assert v(lim.opened(11, "10.0.0.9", 1.0)) is Verdict.REFUSE


def test_a_stalled_socket_is_evicted_by_a_newer_one_of_its_address():
    lim = ConnectionLimiter(Limits(max_pending_per_address=2, stale_after_s=2.0))
    assert lim.summary(0.0) is None
    assert v(lim.opened(1, "10.0.0.2", 0.0)) is Verdict.ADMIT
    assert v(lim.opened(2, "10.0.0.2", 0.5)) is Verdict.ADMIT
    assert lim.opened(3, "10.0.0.2", 1.0).evict == ()  # nobody has stalled yet: admitted beyond the cap
    adm = lim.opened(4, "10.0.0.2", 2.1)  # socket 1 has stalled for 2.1 s; 2 not yet
    assert adm.verdict is Verdict.ADMIT and adm.evict == (1,)
    assert lim.phase(1) is Phase.EVICTED and lim.expired(1, 2.1)
    assert lim.opened(5, "10.0.0.2", 2.6).evict == (2,)
    assert lim.opened(6, "10.0.0.1", 2.6).evict == ()  # another address is not affected
    lim.upgraded(3, 2.7)  # a socket that sent its head is no longer pending
    assert lim.phase(3) is Phase.WEBSOCKET
    assert lim.opened(7, "10.0.0.2", 5.0).evict == (4,)
    for cid in (1, 2):
        lim.closed(cid, 5.0)
    assert lim.by_address["10.0.0.2"] == 4 and list(lim.pending["10.0.0.2"]) == [5, 7]
    assert "evicted 3 stalled" in lim.summary(20.0)


def test_fresh_pending_sockets_are_capped_at_half_the_global_cap():
    lim = ConnectionLimiter(Limits(max_connections=10, max_pending_per_address=2))
    assert [v(lim.opened(i, "10.0.0.2", 0.0)) for i in range(6)] == [Verdict.ADMIT] * 5 + [Verdict.REFUSE]
    assert lim.refused["pending cap"] == 1
    assert v(lim.opened(9, "10.0.0.3", 0.0)) is Verdict.ADMIT


def test_address_cap_counts_established_sockets():
    lim = ConnectionLimiter(Limits(max_per_address=2))
    for i in (1, 2):
        assert v(lim.opened(i, "10.0.0.2", 0.0)) is Verdict.ADMIT
        lim.request_complete(i, 0.0)
    assert v(lim.opened(3, "10.0.0.2", 0.0)) is Verdict.REFUSE
    assert lim.refused["address cap"] == 1


def test_exempt_addresses_are_not_counted_per_address():
    lim = ConnectionLimiter(Limits(max_pending_per_address=1, exempt=frozenset({"10.0.0.5"})))
    assert [v(lim.opened(i, "10.0.0.5", 0.0)) for i in range(3)] == [Verdict.ADMIT] * 3
    lim = ConnectionLimiter(Limits(max_pending_per_address=1, exempt=frozenset({"*"})))
    assert [v(lim.opened(i, "10.0.0.6", 0.0)) for i in range(3)] == [Verdict.ADMIT] * 3


def test_header_deadline_for_every_request_not_for_websockets():
    lim = ConnectionLimiter(Limits(header_timeout_s=10))
    lim.opened(1, "10.0.0.1", 100.0)
    assert lim.deadline(1) == 110.0
    assert not lim.expired(1, 109.9)
    lim.request_complete(1, 105.0)
    assert lim.deadline(1) is None  # between requests uvicorn's keep-alive timer applies
    lim.request_started(1, 200.0)
    assert lim.deadline(1) == 210.0 and lim.expired(1, 210.0)
    lim.opened(2, "10.0.0.1", 100.0)
    lim.upgraded(2, 101.0)
    assert lim.deadline(2) is None
    lim.request_started(2, 150.0)  # never sent for websockets; harmless if it were
    assert lim.deadline(2) is None


def test_refused_socket_gets_a_grace_then_lingers_after_its_answer():
    lim = ConnectionLimiter(Limits(max_connections=1, refusal_grace_s=1.0))
    lim.opened(1, "10.0.0.1", 0.0)
    assert v(lim.opened(2, "10.0.0.1", 0.0)) is Verdict.REFUSE
    assert lim.deadline(2) == 1.0
    lim.answered(2, 0.5)
    assert lim.deadline(2) == 1.5
    lim.closed(2, 0.6)
    assert lim.refusing == 0 and lim.admitted == 1


def test_summary_is_one_line_per_interval():
    lim = ConnectionLimiter(Limits(max_connections=1, log_interval_s=10, max_refusing=10))
    assert lim.summary(0.0) is None
    lim.opened(0, "10.0.0.1", 0.0)
    for i in range(1, 1000):
        lim.opened(i, "10.0.0.2", 1.0)
        lim.closed(i, 1.0)
    assert lim.summary(5.0) is None  # too soon
    line = lim.summary(10.0)
    assert "refused 999 (global cap 999)" in line and "open 1/1" in line
    assert lim.summary(20.0) is None  # nothing new


def test_one_address_reconnects_2000_phones_in_10_s_with_the_defaults():
    """A carrier-grade NAT address: 2,000 phones reconnect at 200/s, each taking
    up to 2 s (a congested mobile link) to send its upgrade head, while their
    old sockets are not yet noticed as dead."""
    lim = ConnectionLimiter(Limits())
    assert lim.limits.pending_per_address == 1000
    cid = 0
    for old in range(2000):
        lim.opened(old, "198.51.100.1", 0.0)
        lim.upgraded(old, 0.0)
    pending = []
    refused = 0
    for step in range(1000):  # 10 s in 10 ms steps, 2 connects per step
        now = 100.0 + step / 100
        for _ in range(2):
            cid += 1
            if v(lim.opened(10_000 + cid, "198.51.100.1", now)) is Verdict.ADMIT:
                pending.append((now + 2.0, 10_000 + cid))
            else:
                refused += 1
        while pending and pending[0][0] <= now:
            _, c = pending.pop(0)
            lim.upgraded(c, now)
    assert refused == 0 and cid == 2000


def test_a_reconnect_storm_of_2000_phones_from_one_address_is_admitted():
    """All at once (a conductor restart): none has stalled, so none is refused."""
    lim = ConnectionLimiter(Limits(max_connections=17_488))
    adms = [lim.opened(i, "198.51.100.1", 0.001 * i / 2000) for i in range(2000)]
    assert all(a.verdict is Verdict.ADMIT and a.evict == () for a in adms)


def test_a_burst_that_stalled_is_evicted_down_to_the_cap_at_the_next_socket():
    lim = ConnectionLimiter(Limits(max_pending_per_address=10, stale_after_s=2.0))
    for i in range(13):  # a burst: admitted beyond the cap, none stalled yet
        assert v(lim.opened(i, "10.0.0.2", 0.0)) is Verdict.ADMIT
    adm = lim.opened(100, "10.0.0.2", 3.0)
    assert adm.evict == (0, 1, 2, 3) and len(lim.pending["10.0.0.2"]) == 10
