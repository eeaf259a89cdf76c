"""A conductor node whose clock is off by a few milliseconds (libfaketime, ``faketimekit.py``).

First the launch helper itself: a real ``flashmob serve`` started under
libfaketime with +5 ms serves server time 5 ms ahead of this machine's, as the
clock-sync exchange of a phone measures it.  Then two ``--redis`` nodes on one
private redis-server, one of them 5 ms ahead: the console (connected to the other)
lists both nodes with their offsets against Redis, 5 ms apart, and raises the
``nodes.clock`` alarm naming them (``conductor/nodes.py``: more than 2 ms)."""

from __future__ import annotations

import signal
import subprocess
import time

from conductor_testkit import TOKEN, WsClient, write_bundle
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


def stop(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def test_a_node_under_libfaketime_runs_5_ms_ahead(tmp_path):
    bundle = write_bundle(tmp_path / "bundle")
    proc, port = spawn(bundle, tmp_path / "state.sqlite", env=faketime_env(OFFSET_S))
    try:
        wait_http(port)
        offset, rtt = measured_offset_us(port)
        assert abs(offset - OFFSET_S * 1e6) <= rtt / 2 + 500, (offset, rtt)
    finally:
        stop(proc)


def test_the_console_shows_each_nodes_offset_and_alarms_when_two_disagree(tmp_path, redis_url):
    bundle = write_bundle(tmp_path / "bundle")
    started = []
    try:
        started.append(spawn(bundle, None, ("--redis", redis_url, "--node-id", "even"))[0])
        proc_b, port_b = spawn(bundle, None, ("--redis", redis_url, "--node-id", "ahead"),
                               env=faketime_env(OFFSET_S))
        started.append(proc_b)
        port_a = int(started[0].seen[-1].rsplit(":", 1)[1])
        wait_http(port_a)
        console = WsClient(f"ws://127.0.0.1:{port_a}/ws/console")
        console.send({"type": "console_hello", "token": TOKEN})
        console.expect("console_welcome")
        deadline = time.monotonic() + 20
        feed, ok = None, False
        while not ok and time.monotonic() < deadline:
            try:
                feed = console.expect("feed", timeout=3)
            except TimeoutError:  # the feed comes on changes (and heartbeats change them)
                continue
            nodes = {n["node"]: n for n in feed.get("nodes", ())}
            alarm = next((a for a in feed.get("alarms", ()) if a["key"] == "nodes.clock"
                          and a.get("resolved_at_us") is None), None)
            # the first samples of a starting process have round trips of ~2 ms: wait for better ones
            ok = ({"even", "ahead"} <= set(nodes) and alarm is not None
                  and all(nodes[k]["rtt_us"] is not None and nodes[k]["rtt_us"] < 1_000 for k in ("even", "ahead")))
        console.close()
        assert ok, f"no feed with both nodes' offsets (round trips under 1 ms) and the clock alarm: {feed}"
        assert nodes["even"]["here"] and not nodes["ahead"].get("here")
        apart = nodes["ahead"]["skew_us"] - nodes["even"]["skew_us"]
        # each offset is measured against Redis TIME, within half its round trip
        bound = (nodes["ahead"]["rtt_us"] + nodes["even"]["rtt_us"]) / 2 + 200
        assert abs(apart - OFFSET_S * 1e6) <= bound, (apart, bound, nodes)
        assert alarm["level"] == "critical" and "ahead" in alarm["message"] and "even" in alarm["message"]
        assert set(alarm["detail"]["nodes"]) == {"even", "ahead"} and abs(alarm["detail"]["apart_us"] - apart) < 1_000
    finally:
        for proc in started:
            stop(proc)
