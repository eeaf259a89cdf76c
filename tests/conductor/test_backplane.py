"""Several conductor processes on one real Redis (``flashmob serve --redis``): one show.

Every node is a real ``flashmob serve`` subprocess (uvicorn on loopback) and
Redis a private ``redis-server`` (tests/conductor/redis_kit.py); phones are
python websocket clients spread over the nodes."""

from __future__ import annotations

import threading
import time

import pytest

from backplane_kit import start_nodes, wait_feed
from conductor_testkit import write_bundle

S = 1_000_000


@pytest.fixture
def cluster(tmp_path, redis_url):
    """Factory: ``cluster(n, groups=..., args=...)`` -> n nodes on the session's (flushed) Redis."""
    started = []

    def make(n=3, *, groups=None, args=(), per_node=None):
        bundle = write_bundle(tmp_path / "bundle", **({"groups": groups} if groups else {}))
        nodes = start_nodes(n, bundle, redis_url, tmp_path / "logs", args=args, per_node=per_node)
        started.extend(nodes)
        return nodes

    yield make
    for node in started:
        node.stop()


def arm(console, lead_s=2.0, ref="a1"):
    console.send({"type": "arm", "ref": ref, "in_ms": int(lead_s * 1000)})


def test_arm_on_one_node_reaches_every_phone_on_every_node_and_the_console_sees_the_whole_show(cluster):
    nodes = cluster(3)
    phones = [(node, *node.confirmed_phone()) for node in nodes for _ in range(2)]
    waiting, _ = nodes[2].phone()  # joined, not yet confirmed: a pending seat on n3
    console = nodes[1].console()
    feed = wait_feed(console, lambda f: f["participants_total"] == 6 and f["connected_total"] == 7
                     and len(f["nodes"]) == 3 and f["seats"]["pending"] == 1)
    assert [n["pending"] for n in feed["nodes"]] == [0, 0, 1]
    assert [n["node"] for n in feed["nodes"]] == ["n2", "n1", "n3"]  # this node first
    assert [n["here"] for n in feed["nodes"]] == [True, False, False]
    assert [(n["connected"], n["ready"]) for n in feed["nodes"]] == [(2, 2), (2, 2), (3, 2)]
    assert sum(g["participants"] for g in feed["groups"]) == 6
    assert sum(g["ready"] for g in feed["groups"]) == 6 and sum(g["connected"] for g in feed["groups"]) == 7
    assert feed["seats"]["confirmed"] == 6
    waiting.close()
    other = nodes[0].console()
    arm(other)
    ack = other.expect("ack", ref="a1")
    start = ack["show"]["start_at_us"]
    for node, client, _ in phones:
        msg = client.expect("show", timeout=5, state="armed")
        assert msg["start_at_us"] == start and msg["revision"] == 1, node.node_id
    for node, client, _ in phones:
        msg = client.expect("show", timeout=6, state="running")
        assert msg["start_at_us"] == start and msg["changed_at_us"] == start, node.node_id
    feed = wait_feed(console, lambda f: f["show"]["state"] == "running")
    assert feed["show"]["start_at_us"] == start
    nodes[2].console().send({"type": "announce", "ref": "n1", "level": "info", "text": "Smile"})
    for node, client, _ in phones:  # an announcement on one node reaches every phone, once
        got = client.expect("announcement", timeout=5)
        assert got["text"] == "Smile", node.node_id
        with pytest.raises(TimeoutError):
            client.expect("announcement", timeout=0.3)


def test_two_nodes_racing_the_same_command_apply_exactly_one_transition(cluster, redis_url):
    from flashmob.conductor.redisstore import RedisStore

    nodes = cluster(2)
    consoles = [node.console() for node in nodes]
    barrier = threading.Barrier(2)
    replies = [None, None]

    def go(i):
        barrier.wait()
        consoles[i].send({"type": "arm", "ref": f"r{i}", "in_ms": 20_000 + 1000 * i})
        while True:
            msg = consoles[i].recv()
            if msg.get("ref") == f"r{i}" and msg["type"] in ("ack", "error"):
                replies[i] = msg
                return

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    kinds = sorted(r["type"] for r in replies)
    assert kinds == ["ack", "error"], replies
    won = next(r for r in replies if r["type"] == "ack")
    lost = next(r for r in replies if r["type"] == "error")
    assert lost["code"] == "illegal_transition"
    assert "cannot arm: the show is armed" in lost["message"] or "another conductor changed the show first" in \
        lost["message"], lost
    store = RedisStore(redis_url, "3f9a0c1b2d4e5f60")
    assert store.transition_log("3f9a0c1b2d4e5f60") == [(1, "arm", "armed")]
    assert store.load_show("3f9a0c1b2d4e5f60") == type(store.load_show("3f9a0c1b2d4e5f60"))(**won["show"])
    for console in consoles:  # both nodes hold the winner's record
        feed = wait_feed(console, lambda f: f["show"]["revision"] == 1)
        assert feed["show"] == won["show"]
    # a record written without its nudge (a missed message): every node reads it within a poll
    from flashmob.conductor import show as showmod
    from flashmob.conductor.redisstore import record_json

    cancelled = showmod.apply(store.load_show("3f9a0c1b2d4e5f60"), showmod.Cancel(), 0)[-1].after
    store.r.hset(store.keys.show, mapping={"rev": cancelled.revision, "json": record_json(cancelled)})
    for console in consoles:
        feed = wait_feed(console, lambda f: f["show"]["revision"] == 2, timeout=5)
        assert feed["show"]["state"] == "lobby"
    nodes[0].stop()  # SIGTERM: its heartbeat leaves with it, the other console's totals drop it at once
    t0 = time.monotonic()
    wait_feed(consoles[1], lambda f: [n["node"] for n in f["nodes"]] == ["n2"], timeout=5)
    assert time.monotonic() - t0 < 4  # (a heartbeat goes stale only after 5 s)


def test_balanced_shares_hold_within_one_phone_for_1000_joins_spread_over_three_nodes(cluster, redis_url):
    import asyncio
    import json

    from websockets.asyncio.client import connect

    groups = (("a", "A", "#d32f2f", 1), ("b", "B", "#1976d2", 2), ("c", "C", "#388e3c", 1))
    nodes = cluster(3, groups=groups)
    counts = {"a": 0, "b": 0, "c": 0}

    async def join(i, gate):
        async with gate:
            async with connect(f"ws://127.0.0.1:{nodes[i % 3].port}/ws", open_timeout=20) as ws:
                await ws.send(json.dumps({"type": "hello"}))
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 20))
                    if msg["type"] == "welcome":
                        counts[msg["group"]] += 1
                        return

    async def main():
        gate = asyncio.Semaphore(60)
        await asyncio.gather(*(join(i, gate) for i in range(1000)))

    t0 = time.monotonic()
    asyncio.run(main())
    took = time.monotonic() - t0
    assert sum(counts.values()) == 1000
    for gid, share in (("a", 1), ("b", 2), ("c", 1)):
        assert abs(counts[gid] - 1000 * share / 4) <= 1, (counts, took)


def test_redis_killed_while_armed_the_show_starts_everywhere_commands_are_refused_and_the_nodes_converge(
        cluster, redis_server, redis_url):
    from flashmob.conductor.redisstore import RedisStore

    nodes = cluster(3)
    phones = [(node, *node.confirmed_phone()) for node in nodes]
    consoles = [node.console() for node in nodes]
    arm(consoles[0], lead_s=3.0)
    start = consoles[0].expect("ack", ref="a1")["show"]["start_at_us"]
    for node, client, _ in phones:
        assert client.expect("show", state="armed")["start_at_us"] == start
    redis_server.stop()  # SIGKILL: no persistence, its data is gone
    consoles[1].send({"type": "cancel", "ref": "c1"})
    refused = consoles[1].expect("error", ref="c1")
    assert refused["code"] == "unavailable"
    assert "not applied" in refused["message"] and "Redis at redis://127.0.0.1" in refused["message"], refused
    feed = wait_feed(consoles[2], lambda f: any(a["key"] == "backplane.redis" and a["resolved_at_us"] is None
                                                 for a in f["alarms"]))
    assert feed["show"]["state"] == "armed"  # nothing changed on any node
    for node, client, _ in phones:  # every node starts it at the armed instant, Redis or not
        msg = client.expect("show", timeout=6, state="running")
        assert (msg["start_at_us"], msg["changed_at_us"], msg["revision"]) == (start, start, 2), node.node_id
    redis_server.start()  # the same port, empty
    for console in consoles:
        feed = wait_feed(console, lambda f: len(f["nodes"]) == 3 and all(n["revision"] == 2 for n in f["nodes"])
                         and not any(a["key"] == "backplane.redis" and a["resolved_at_us"] is None
                                     for a in f["alarms"]), timeout=15)
        assert feed["show"]["state"] == "running" and feed["show"]["start_at_us"] == start
    record = RedisStore(redis_url, "3f9a0c1b2d4e5f60").load_show("3f9a0c1b2d4e5f60")
    assert (record.state.value, record.revision, record.start_at_us) == ("running", 2, start)
    consoles[2].send({"type": "abort", "ref": "x1", "reason": "test"})  # and the show is controlled again
    assert consoles[2].expect("ack", ref="x1")["show"]["state"] == "aborted"
    for node, client, _ in phones:
        assert client.expect("show", state="aborted")["revision"] == 3, node.node_id


def test_a_node_killed_loses_only_its_sockets_its_phones_rejoin_another_with_group_seat_and_start(cluster):
    nodes = cluster(2)
    phones = [nodes[0].confirmed_phone() for _ in range(3)]
    console = nodes[1].console()
    arm(console, lead_s=6.0)
    start = console.expect("ack", ref="a1")["show"]["start_at_us"]
    for client, _ in phones:
        assert client.expect("show", state="armed")["start_at_us"] == start
    nodes[0].kill()  # SIGKILL
    for client, welcome in phones:
        client.closed_code(timeout=5)
        again, rejoined = nodes[1].phone(participant_id=welcome["participant_id"])
        assert rejoined["participant_id"] == welcome["participant_id"]
        assert rejoined["group"] == welcome["group"]
        assert rejoined["seat"] == "confirmed"  # confirmed on the dead node, kept in Redis: no new challenge
        assert rejoined["show"]["start_at_us"] == start and rejoined["show"]["state"] in ("armed", "running")
    feed = wait_feed(console, lambda f: f["connected_total"] == 3 and f["participants_total"] == 3)
    assert feed["nodes"][0]["node"] == "n2" and feed["nodes"][0]["ready"] == 3


def test_capacity_holds_across_nodes(cluster):
    from conductor_testkit import confirm_seat

    nodes = cluster(2, args=["--capacity", "2"])
    nodes[0].confirmed_phone()
    pending = [node.phone() for node in nodes]  # two pending seats, one seat left in the whole show
    assert all(w["seat"] == "pending" for _, w in pending)
    for node, (c, w) in zip(nodes, pending):
        confirm_seat(c, node.url, w)
    outcomes = []
    for c, _ in pending:
        while True:
            msg = c.recv()
            if msg["type"] == "seat" or msg["type"] == "error":
                outcomes.append(msg.get("state") or msg["code"])
                break
    assert sorted(outcomes) == ["capacity_reached", "confirmed"]  # counted in Redis, not per node
    console = nodes[1].console()
    wait_feed(console, lambda f: f["participants_total"] == 2 and f["seats"]["confirmed"] == 2)
    c = nodes[1].ws("/ws")  # the whole show is full: refused at hello
    c.send({"type": "hello"})
    refused = c.recv()
    assert (refused["type"], refused["code"]) == ("error", "capacity_reached"), refused
    assert c.closed_code() == 4429


def test_two_nodes_whose_clocks_differ_raise_the_clock_alarm_on_every_console(cluster, ntp_server):
    # n2 follows an NTP server 2.5 s ahead (it steps its server time: nothing is armed); n1 keeps the system clock
    nodes = cluster(2, per_node={1: {"args": ["--ntp", ntp_server.host, "--ntp-interval", "1"]}})
    for node in nodes:
        feed = wait_feed(node.console(), lambda f: any(a["key"] == "nodes.clock" and a["resolved_at_us"] is None
                                                        for a in f["alarms"]), timeout=15)
        alarm = next(a for a in feed["alarms"] if a["key"] == "nodes.clock")
        assert "the clocks of conductors n2 and n1 differ by" in alarm["message"]
        assert 2_400_000 < alarm["detail"]["apart_us"] < 2_600_000
        skews = {n["node"]: n for n in feed["nodes"]}
        assert abs(skews["n2"]["skew_us"] - skews["n1"]["skew_us"] - 2_500_000) < 100_000
        assert skews["n1"]["ntp_offset_us"] is None and abs(skews["n2"]["ntp_offset_us"] - 2_500_000) < 100_000


def test_serve_refuses_a_redis_it_cannot_reach_and_flags_that_do_not_go_together(tmp_path):
    import os
    import subprocess
    import sys

    from backplane_kit import REPO
    from redis_kit import free_port

    bundle = write_bundle(tmp_path / "bundle")

    def serve(*args):
        return subprocess.run([sys.executable, "-m", "flashmob", "serve", str(bundle), "--port", "0", "--host",
                               "127.0.0.1", "--no-qr", *args], cwd=REPO, capture_output=True, text=True, timeout=60)

    gone = serve("--redis", f"redis://127.0.0.1:{free_port()}/0")
    assert gone.returncode == 2
    assert "cannot be reached" in gone.stderr and "start Redis first" in gone.stderr, gone.stderr
    env = subprocess.run([sys.executable, "-m", "flashmob", "serve", str(bundle), "--port", "0", "--no-qr"], cwd=REPO,
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "FLASHMOB_REDIS": f"redis://:pw@127.0.0.1:{free_port()}/0"})
    assert env.returncode == 2 and "redis://:***@127.0.0.1" in env.stderr and "pw@" not in env.stderr, env.stderr
    both = serve("--redis", "redis://127.0.0.1:1/0", "--db", str(tmp_path / "x.sqlite"))
    assert both.returncode == 2 and "no --db state file with it" in both.stderr
    alone = serve("--node-id", "n1")
    assert alone.returncode == 2 and "give --redis too" in alone.stderr
    bad = serve("--redis", "http://127.0.0.1:6379")
    assert bad.returncode == 2 and "--redis wants a URL such as redis://" in bad.stderr


def test_node_ids_and_urls_are_checked_before_anything_starts():
    from flashmob.conductor.backplane import BackplaneConfigError, check_node_id, check_url, default_node_id

    assert check_node_id("conductor-1.eu_west") == "conductor-1.eu_west"
    assert check_node_id(default_node_id())
    for bad in ("", "a b", "x" * 65, "n1;DEL"):
        with pytest.raises(BackplaneConfigError, match="--node-id must be 1 to 64"):
            check_node_id(bad)
    assert check_url("redis://10.0.0.5:6379/2") and check_url("unix:///run/redis.sock")
    with pytest.raises(BackplaneConfigError, match="--redis wants a URL"):
        check_url("10.0.0.5:6379")


def test_a_node_of_several_takes_no_signups_and_says_where_they_are_taken(tmp_path, redis_url):
    import json

    import httpx

    from flashmob.contract.signups import FORMAT, SIGNUP_FILE
    bundle = write_bundle(tmp_path / "bundle")
    (bundle / SIGNUP_FILE).write_text(json.dumps({"format": FORMAT, "version": 1, "privacy": "We keep names 30 days."}))
    nodes = start_nodes(1, bundle, redis_url, tmp_path / "logs")
    try:
        r = httpx.post(f"{nodes[0].url}/api/signup", json={"name": "Ana", "consent": True}, timeout=10)
        assert r.status_code == 404 and "without --redis" in r.json()["error"], r.text
    finally:
        for node in nodes:
            node.stop()
