"""How far one NTP exchange is from the truth on this machine, and the best of a burst.

    python bench/ntp_burst.py [--rounds 200] [--burst 4]

Starts a private ``chronyd -x`` (local stratum 8, loopback port, never touches
the clock; stopped by PID) serving this machine's own clock, so the true
offset is 0; runs ``--rounds`` rounds of ``--burst`` exchanges through
:func:`conductor.ntp.udp_query` and prints the absolute offset of the first exchange of
each round and of the least delayed one (what :class:`conductor.ntp.NtpWorker`
uses), with the load average (other users make some exchanges late).
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

from bench.machine import loadavg  # noqa: E402
from bench.table import markdown  # noqa: E402
from flashmob.conductor.clock import wall_us  # noqa: E402
from flashmob.conductor.ntp import udp_query  # noqa: E402


def start_chronyd(tmp: Path) -> tuple[subprocess.Popen, int]:
    exe = shutil.which("chronyd") or "/usr/sbin/chronyd"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp / "chrony.conf").write_text(f"local stratum 8\nallow 127.0.0.1\nport {port}\nbindaddress 127.0.0.1\n"
                                     f"cmdport 0\npidfile {tmp}/chronyd.pid\ndriftfile {tmp}/drift\n")
    proc = subprocess.Popen([exe, "-x", "-d", "-f", str(tmp / "chrony.conf"), "-u", getpass.getuser()],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            udp_query("127.0.0.1", port, 0.3, wall_us)
            return proc, port
        except Exception:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("chronyd did not start (scripts/ensure-test-services.sh installs it)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--burst", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="flashmob-ntp-bench-") as d:
        proc, port = start_chronyd(Path(d))
        load0 = loadavg()[0]
        first, best = [], []
        try:
            for _ in range(args.rounds):
                answers = [udp_query("127.0.0.1", port, 1.0, wall_us) for _ in range(args.burst)]
                first.append(abs(answers[0].offset_us))
                best.append(abs(min(answers, key=lambda a: a.delay_us).offset_us))
                time.sleep(0.01)
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(5)
        load1 = loadavg()[0]

    def q(v, p):
        return sorted(v)[int(p * (len(v) - 1))]

    rows = [[name, round(statistics.median(v)), q(v, 0.99), max(v)]
            for name, v in (("one exchange", first), (f"least delayed of {args.burst}", best))]
    print(markdown(["absolute offset error vs chronyd (µs)", "median", "p99", "max"], rows))
    print(f"\n{args.rounds} rounds; load average {load0:.1f} at start, {load1:.1f} at end")


if __name__ == "__main__":
    main()
