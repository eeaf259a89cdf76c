"""The NTP discipline against a real server: Debian's ``chronyd``, started here
as a local-stratum server on a loopback port (private config, ``-x``: it never
touches the system clock), stopped by PID.  Installed by
scripts/ensure-test-services.sh; under CI=true a missing chronyd fails."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from flashmob.conductor.alarms import Alarms
from flashmob.conductor.clock import ServerClock, monotonic_us, wall_us
from flashmob.conductor.ntp import NtpWorker, udp_query

CHRONYD = shutil.which("chronyd") or ("/usr/sbin/chronyd" if os.path.exists("/usr/sbin/chronyd") else None)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chronyd(tmp_path_factory):
    if CHRONYD is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chronyd is missing (scripts/ensure-test-services.sh installs Debian's chrony)")
        pytest.skip("chronyd is not installed (scripts/ensure-test-services.sh installs it as root)")
    tmp = tmp_path_factory.mktemp("chrony")
    port = free_udp_port()
    conf = tmp / "chrony.conf"
    conf.write_text(f"local stratum 8\nallow 127.0.0.1\nport {port}\nbindaddress 127.0.0.1\ncmdport 0\n"
                    f"pidfile {tmp}/chronyd.pid\ndriftfile {tmp}/chrony.drift\n")
    log = open(tmp / "chronyd.log", "w")
    proc = subprocess.Popen([CHRONYD, "-x", "-d", "-f", str(conf), "-u", getpass.getuser()],
                            stdout=log, stderr=subprocess.STDOUT)
    host = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:  # wait until it answers
            try:
                udp_query("127.0.0.1", port, 0.3, monotonic_us)
                break
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError("chronyd did not start:\n" + (tmp / "chronyd.log").read_text())
        yield host
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)
        log.close()


def test_ntplib_and_our_exchange_agree_on_a_real_server(chronyd):
    import ntplib

    host, port = chronyd.split(":")
    stats = ntplib.NTPClient().request(host, version=4, port=int(port), timeout=1)
    assert stats.stratum == 8 and stats.leap == 0 and stats.mode == 4
    answer = udp_query(host, int(port), 1.0, wall_us)  # against the system clock, like ntplib
    assert answer.stratum == 8 and answer.leap == 0
    # chronyd -x serves this machine's own clock: both see ~0 offset, within half of
    # their round trip (the error bound of one exchange; a loaded machine delays some)
    assert abs(answer.offset_us) <= answer.delay_us / 2 + 1_000
    assert abs(stats.offset) <= stats.delay / 2 + 0.001
    assert abs(answer.offset_us - stats.offset * 1e6) <= (answer.delay_us + stats.delay * 1e6) / 2 + 1_000
    assert 0 <= answer.delay_us < 1_000_000


def test_discipline_steps_a_wrong_clock_to_the_real_servers_time(chronyd):
    clock = ServerClock(initial_offset_us=ServerClock().offset_us() + 3_000_000)  # 3 s ahead of the server
    alarms = Alarms(clock.now_us)
    worker = NtpWorker([chronyd], clock, timeout_s=1, alarms=alarms)
    best = worker.poll_once()
    assert best is not None and best.stratum == 8
    assert worker.status()["last_action"] == "step"
    assert abs(clock.now_us() - wall_us()) <= best.delay_us / 2 + 2_000
    assert alarms.snapshot() == ()


def test_discipline_slews_back_once_time_was_handed_out(chronyd):
    clock = ServerClock(initial_offset_us=ServerClock().offset_us() + 3_000_000)
    clock.forbid_backward_steps()  # a phone synced: never step backwards
    worker = NtpWorker([chronyd], clock, timeout_s=1)
    before = clock.now_us()
    worker.poll_once()
    assert worker.status()["last_action"] == "slew" and worker.status()["slewing"]
    assert clock.now_us() >= before
    assert 2_900_000 < clock.now_us() - wall_us() < 3_100_000  # slewing at 500 ppm, no jump


def test_real_server_beyond_the_maximum_is_refused(chronyd):
    clock = ServerClock(initial_offset_us=ServerClock().offset_us() + 60_000_000, max_offset_us=10_000_000)
    alarms = Alarms(clock.now_us)
    worker = NtpWorker([chronyd], clock, timeout_s=1, alarms=alarms)
    worker.poll_once()
    assert worker.status()["last_action"] == "refuse"
    assert 59_000_000 < clock.now_us() - wall_us() < 61_000_000
    assert alarms.active("ntp.offset") is not None
