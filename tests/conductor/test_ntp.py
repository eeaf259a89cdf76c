"""flashmob.conductor.ntp against an NTP responder on a loopback UDP port (no internet)."""

import re

import pytest

from flashmob.conductor.clock import ServerClock, wall_us
from flashmob.conductor.ntp import NtpWorker, split_host


def test_split_host():
    assert split_host("pool.ntp.org") == ("pool.ntp.org", 123)
    assert split_host("127.0.0.1:1234") == ("127.0.0.1", 1234)
    assert split_host("[::1]:1234") == ("::1", 1234)
    assert split_host("[::1]") == ("::1", 123)


def test_first_round_steps_the_clock_in_the_lobby(ntp_server):
    clock = ServerClock()
    worker = NtpWorker([ntp_server.host], clock, timeout_s=1)
    best = worker.poll_once()
    assert best.stratum == 2 and abs(best.offset_us - 2_500_000) < 20_000 and best.delay_us < 50_000
    assert abs(clock.now_us() - wall_us() - 2_500_000) < 20_000
    status = worker.status()
    assert status["last_action"] == "step" and status["chosen"] == ntp_server.host
    assert abs(status["server_minus_wall_us"] - 2_500_000) < 20_000


def test_during_a_show_the_offset_only_slews(ntp_server):
    clock = ServerClock()
    clock.allow_steps(False)
    worker = NtpWorker([ntp_server.host], clock, timeout_s=1)
    before = clock.now_us()
    worker.poll_once()
    assert worker.status()["last_action"] == "slew" and worker.status()["slewing"]
    assert abs(clock.now_us() - wall_us()) < 20_000  # no jump
    assert clock.now_us() >= before


def test_best_host_wins_and_dead_hosts_are_reported(ntp_server):
    from conductor_testkit import FakeNtpServer

    bad = FakeNtpServer(offset_s=100, stratum=0).start()  # stratum 0: "kiss of death", unusable
    try:
        clock = ServerClock()
        worker = NtpWorker([bad.host, "127.0.0.1:9", ntp_server.host], clock, timeout_s=0.3)
        assert worker.poll_once().host == ntp_server.host
        hosts = {h["host"]: h for h in worker.status()["hosts"]}
        assert not hosts[bad.host]["ok"] and "stratum" in hosts[bad.host]["error"]
        assert not hosts["127.0.0.1:9"]["ok"]
    finally:
        bad.stop()


def test_worker_thread_polls_at_start_and_repeatedly(ntp_server):
    clock = ServerClock()
    worker = NtpWorker([ntp_server.host], clock, interval_s=0.2, timeout_s=1)
    worker.start()
    try:
        assert worker.wait_first(5)
        import time
        deadline = time.monotonic() + 5
        while worker.status()["rounds"] < 3:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        worker.stop()


def test_no_hosts_refused():
    with pytest.raises(ValueError):
        NtpWorker([], ServerClock())


def test_console_sees_ntp_status(live_server, ntp_server):
    srv = live_server(ntp_hosts=[ntp_server.host], ntp_interval_s=600)
    console = srv.console()
    feed = console.expect("feed")
    while feed["ntp"].get("rounds", 0) < 1:
        feed = console.expect("feed", timeout=10)
    assert feed["ntp"]["hosts"][0]["stratum"] == 2
    assert abs(feed["ntp"]["hosts"][0]["offset_us"] - 2_500_000) < 20_000
    assert abs(feed["server_time_us"] - wall_us() - 2_500_000) < 100_000


def test_two_conductors_agree_through_ntp(ntp_server):
    """Two clocks that start from different offsets (two machines whose system
    clocks differ by 0.8 s) end up on the NTP time, within the NTP error."""
    a = ServerClock(initial_offset_us=ServerClock().offset_us() + 800_000)
    b = ServerClock()
    for clock in (a, b):
        NtpWorker([ntp_server.host], clock, timeout_s=1).poll_once()
    assert abs(a.now_us() - b.now_us()) < 10_000
    assert abs(a.now_us() - (wall_us() + 2_500_000)) < 10_000


# --------------------------------------------------------------------------- bad answers

from flashmob.conductor.alarms import Alarms  # noqa: E402
from flashmob.conductor.ntp_packet import Limits  # noqa: E402
from conductor_testkit import FakeNtpServer  # noqa: E402


def misbehave(**attrs):
    def setup(server):
        for k, v in attrs.items():
            setattr(server, k, v)
    return setup


def replay(server):
    """Answer once properly, then replay that old answer (its originate is stale)."""
    import ntplib

    ntplib.NTPClient().request("127.0.0.1", port=server.port, timeout=1)
    server.origin = "stale"


BAD = {
    "originate_other": (misbehave(origin="other"), "originate"),
    "originate_zero": (misbehave(origin="zero"), "originate"),
    "originate_stale_replay": (replay, "originate"),
    "stratum_0": (misbehave(stratum=0), "stratum 0"),
    "stratum_16": (misbehave(stratum=16), "stratum 16"),
    "leap_alarm": (misbehave(leap=3), "leap indicator 3"),
    "root_delay": (misbehave(root_delay_s=2.0), "root delay"),
    "root_dispersion": (misbehave(root_dispersion_s=3.0), "root dispersion"),
    "round_trip": (misbehave(hold_s=0.25), "round trip"),
    "random_timestamps": (misbehave(random=True), ""),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_answer_is_discarded_and_the_clock_untouched(name):
    setup, reason = BAD[name]
    server = FakeNtpServer(offset_s=2.5).start()
    try:
        setup(server)
        clock = ServerClock()
        alarms = Alarms(clock.now_us)
        timeout = 3.0 if name == "round_trip" else 0.5  # a late answer must arrive, not time out
        worker = NtpWorker([server.host], clock, timeout_s=timeout, limits=Limits(max_delay_us=100_000),
                           alarms=alarms)
        before = clock.offset_us()
        assert worker.poll_once() is None
        assert clock.offset_us() == before and not clock.status().slewing and clock.status().steps == 0
        host = worker.status()["hosts"][0]
        assert not host["ok"] and reason in host["error"], host
        assert worker.status()["last_action"] is None
        alarm = alarms.active("ntp.unusable")
        assert alarm is not None and alarm.level == "warning" and server.host in alarm.message
    finally:
        server.stop()


def test_random_timestamps_never_move_the_clock_over_many_rounds():
    """The reported -27.8 years: whatever random answers say, nothing is applied."""
    server = FakeNtpServer().start()
    server.random = True
    try:
        clock = ServerClock()
        worker = NtpWorker([server.host], clock, timeout_s=0.3)
        before = clock.offset_us()
        for _ in range(20):
            worker.poll_once()
        assert clock.offset_us() == before and clock.status().steps == 0
        assert server.requests >= 20
    finally:
        server.stop()


def test_a_forged_answer_sent_first_does_not_hide_the_real_one(ntp_server):
    ntp_server.spoof_first = True
    clock = ServerClock()
    worker = NtpWorker([ntp_server.host], clock, timeout_s=1)
    best = worker.poll_once()
    assert best is not None and abs(best.offset_us - 2_500_000) < 20_000


def test_offset_beyond_the_maximum_is_refused_and_alarmed():
    server = FakeNtpServer(offset_s=-3 * 3600).start()
    try:
        clock = ServerClock(max_offset_us=10_000_000)
        alarms = Alarms(clock.now_us)
        worker = NtpWorker([server.host], clock, timeout_s=1, alarms=alarms)
        before = clock.offset_us()
        best = worker.poll_once()
        assert best is not None and abs(best.offset_us + 3 * 3600e6) < 50_000  # a valid answer ...
        assert worker.status()["last_action"] == "refuse"  # ... but too far to apply
        assert clock.offset_us() == before and clock.status().steps == 0
        alarm = alarms.active("ntp.offset")
        assert alarm.level == "critical" and "not applied" in alarm.message
        assert re.search(r"off by -10(799|800)\.\d{3} s", alarm.message), alarm.message
        assert alarm.detail["max_offset_us"] == 10_000_000
        worker.poll_once()
        assert alarms.active("ntp.offset").count == 2  # one episode, counted
        server.offset_s = 0.5  # the server is fixed: next round applies and clears
        worker.poll_once()
        assert worker.status()["last_action"] == "step" and alarms.active("ntp.offset") is None
    finally:
        server.stop()


@pytest.mark.parametrize("ending", ["aborted", "ended"])
def test_after_the_show_server_time_never_steps_back(live_server, ending):
    """The reported "after a show ended or was aborted, server time went back
    about 3 hours in one step": steps were allowed again in the lobby after the
    show, and nothing bounded the correction.  Now: a backward correction
    within the maximum is slewed once anyone synced; beyond it, refused with a
    console alarm."""
    server = FakeNtpServer(offset_s=0.0).start()
    try:
        srv = live_server(duration_ms=1500, min_lead_s=0.2, ntp_hosts=[server.host], ntp_interval_s=600)
        ntp, clock = srv.app.state.ntp, srv.app.state.clock
        assert ntp.wait_first(15)
        phone, _ = srv.phone()
        phone.send({"type": "sync", "id": 1, "t0": 5})
        phone.expect("sync_reply")
        console = srv.console()
        console.send({"type": "arm", "in_ms": 300, "ref": "a"})
        console.expect("ack", ref="a")
        if ending == "aborted":
            console.send({"type": "abort", "ref": "b"})
        phone.expect("show", state=ending, timeout=15)
        server.offset_s = -5.0  # within the maximum: slewed, not stepped
        before = clock.now_us()
        ntp.poll_once()
        assert ntp.status()["last_action"] == "slew"
        assert clock.now_us() >= before and abs(clock.now_us() - wall_us()) < 50_000
        server.offset_s = -3 * 3600.0  # hours back: refused, alarmed
        ntp.poll_once()
        assert ntp.status()["last_action"] == "refuse"
        assert abs(clock.now_us() - wall_us()) < 50_000
        feed = console.expect("feed", timeout=3)
        while not any(a["key"] == "ntp.offset" for a in feed["alarms"]):
            feed = console.expect("feed", timeout=6)
        alarm = next(a for a in feed["alarms"] if a["key"] == "ntp.offset")
        assert alarm["level"] == "critical" and alarm["resolved_at_us"] is None
    finally:
        server.stop()


def test_ntplib_alone_would_believe_a_forged_originate():
    """Why conductor.ntp_packet checks the originate itself: ntplib 0.4's
    NTPClient.request only checks the answer's source address and computes the
    offset from whatever originate the answer carries."""
    import ntplib

    server = FakeNtpServer(offset_s=0.0).start()
    server.origin = "zero"  # originate = 0, i.e. year 1900
    try:
        stats = ntplib.NTPClient().request("127.0.0.1", port=server.port, timeout=1)
        assert abs(stats.offset) > 1e9  # decades "off": believed
    finally:
        server.stop()


def test_a_host_hours_off_is_never_chosen_over_one_within_the_maximum(ntp_server):
    far = FakeNtpServer(offset_s=3 * 3600).start()
    far.root_dispersion_s = 0.0  # it even claims to be the better one
    ntp_server.root_dispersion_s = 0.05
    try:
        clock = ServerClock()
        alarms = Alarms(clock.now_us)
        worker = NtpWorker([far.host, ntp_server.host], clock, timeout_s=1, alarms=alarms)
        assert worker.poll_once().host == ntp_server.host
        assert worker.status()["last_action"] == "step"
        assert abs(clock.now_us() - wall_us() - 2_500_000) < 20_000
        alarm = alarms.active("ntp.offset")
        assert alarm.level == "warning" and far.host in alarm.message and alarm.detail["followed"] == ntp_server.host
    finally:
        far.stop()


def test_each_host_gets_a_burst_and_the_least_delayed_answer_counts():
    from flashmob.conductor.clock import FakeMonotonic
    from flashmob.conductor.ntp_packet import Answer, BadAnswer

    mono = FakeMonotonic(1_000_000)
    clock = ServerClock(mono, initial_offset_us=0, wall=lambda: 1_000_000)
    script = {"a": [(5_000, 40_000), (1_000, 300), (3_000, 9_000), (2_000, 20_000)],  # (offset, delay)
              "b": [(7_000, 100), BadAnswer("stratum", "stratum 16")]}
    calls = []

    def query(host, port, timeout_s, local, limits):
        calls.append(host)
        step = script[host][sum(h == host for h in calls) - 1]
        if isinstance(step, Exception):
            raise step
        return Answer(offset_us=step[0], delay_us=step[1], stratum=2, leap=0, root_delay_us=0,
                      root_dispersion_us=50_000 if host == "b" else 0)

    worker = NtpWorker(["a:1", "b:1"], clock, query=query, wall=lambda: 1_000_000)
    worker.poll_once()
    assert calls.count("a") == 4 and calls.count("b") == 2  # b's burst ends at its failure
    hosts = {h["host"]: h for h in worker.status()["hosts"]}
    assert hosts["a:1"]["delay_us"] == 300 and hosts["a:1"]["offset_us"] == 1_000
    assert hosts["b:1"]["ok"] and hosts["b:1"]["delay_us"] == 100  # one good answer is enough
    assert worker.status()["chosen"] == "a:1"  # smaller root distance (b claims 50 ms dispersion)
    with pytest.raises(ValueError):
        NtpWorker(["a:1"], clock, burst=0)
