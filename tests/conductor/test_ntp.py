"""conductor.ntp against an NTP responder on a loopback UDP port (no internet)."""

import pytest

from conductor.clock import ServerClock, wall_us
from conductor.ntp import NtpWorker, split_host


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
