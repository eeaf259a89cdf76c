"""A conductor node whose clock is off by a few milliseconds (libfaketime, ``faketimekit.py``).

First the launch helper itself: a real ``flashmob serve`` started under
libfaketime with +5 ms serves server time 5 ms ahead of this machine's, as the
clock-sync exchange of a phone measures it."""

from __future__ import annotations

import signal
import subprocess
import time

from conductor_testkit import WsClient, write_bundle
from faketimekit import faketime_env
from test_restart import spawn, wait_http

OFFSET_S = 0.005


def measured_offset_us(port: int, rounds: int = 20) -> tuple[float, int]:
    """(server - this machine, in µs; round trip of the best exchange) by the four-timestamp exchange."""
    phone = WsClient(f"ws://127.0.0.1:{port}/ws")
    try:
        best = None
        for i in range(rounds):
            t0 = time.time_ns() // 1000
            phone.send({"type": "sync", "id": i + 1, "t0": t0})
            r = phone.expect("sync_reply", id=i + 1)
            t3 = time.time_ns() // 1000
            sample = ((t3 - t0) - (r["t2"] - r["t1"]), ((r["t1"] - t0) + (r["t2"] - t3)) / 2)
            best = min(best, sample) if best else sample
        return best[1], best[0]
    finally:
        phone.close()


def test_a_node_under_libfaketime_runs_5_ms_ahead(tmp_path):
    bundle = write_bundle(tmp_path / "bundle")
    proc, port = spawn(bundle, tmp_path / "state.sqlite", env=faketime_env(OFFSET_S))
    try:
        wait_http(port)
        offset, rtt = measured_offset_us(port)
        assert abs(offset - OFFSET_S * 1e6) <= rtt / 2 + 500, (offset, rtt)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
