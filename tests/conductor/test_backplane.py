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

    def make(n=3, *, groups=None, args=()):
        bundle = write_bundle(tmp_path / "bundle", **({"groups": groups} if groups else {}))
        nodes = start_nodes(n, bundle, redis_url, tmp_path / "logs", args=args)
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
    console = nodes[1].console()
    feed = wait_feed(console, lambda f: f["participants_total"] == 6 and f["connected_total"] == 6
                     and len(f["nodes"]) == 3)
    assert [n["node"] for n in feed["nodes"]] == ["n2", "n1", "n3"]  # this node first
    assert [n["here"] for n in feed["nodes"]] == [True, False, False]
    assert all(n["connected"] == 2 and n["ready"] == 2 for n in feed["nodes"])
    assert sum(g["participants"] for g in feed["groups"]) == 6
    assert sum(g["ready"] for g in feed["groups"]) == 6
    assert feed["seats"]["confirmed"] == 6
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
