"""conductor/redisfollow.py in process, on a real redis-server: the heartbeat, the poll that
converges a node that missed its nudge, the alarm and the reconnection when Redis goes away."""

from __future__ import annotations

import asyncio

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.bundle import load_bundle
from flashmob.conductor.clock import ServerClock
from flashmob.conductor.redisfollow import ALARM, Follower
from flashmob.conductor.redisstore import RedisStore
from flashmob.conductor.nodes import Heartbeat
from flashmob.conductor.service import Options
from flashmob.conductor.show import State
from inline import InlineConductor
from test_service import RecordingHub


@pytest.fixture
def node(bundle_dir, redis_url):
    bundle = load_bundle(bundle_dir)
    clock = ServerClock()
    made = []

    def make(name):
        store = RedisStore(redis_url, bundle.show_id)
        holder = []
        c = InlineConductor(bundle, store, clock.now_us, Options(console_token="t", shared=True),
                            hub=RecordingHub(store, bundle.show_id), shared=store,
                            cluster=lambda: holder[0].cluster if holder else None)
        f = Follower(c, redis_url, name, interval_s=0.2)
        holder.append(f)
        made.append(c)
        return c, f

    yield make
    for c in made:
        c.close()


async def _poll(follower, url):
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    try:
        await follower.poll(client)
    finally:
        await client.aclose()


def test_a_poll_publishes_the_heartbeat_and_converges_a_node_that_missed_the_nudge(node, redis_url):
    (a, fa), (b, fb) = node("n1"), node("n2")
    a.command(m.Arm(in_ms=60_000))  # b was not listening: no nudge reached it
    asyncio.run(_poll(fb, redis_url))
    assert b.record == a.record and b.record.state is State.ARMED
    asyncio.run(_poll(fa, redis_url))
    asyncio.run(_poll(fb, redis_url))
    beats = {k.decode(): Heartbeat.from_json(v) for k, v in b.store.r.hgetall(b.store.keys.nodes).items()}
    assert set(beats) == {"n1", "n2"} and beats["n1"].revision == 1 and beats["n1"].rtt_us is not None
    feed = b.core.feed(b.now())
    assert [n.node for n in feed.nodes] == ["n2", "n1"] and feed.nodes[0].here


def test_redis_gone_raises_the_alarm_then_the_follower_reconnects_and_clears_it(node, redis_server, redis_url):
    (a, fa), _ = node("n1"), None

    async def scenario():
        task = asyncio.create_task(fa.run())
        for _ in range(100):
            await asyncio.sleep(0.05)
            if fa.connected:
                break
        assert fa.connected
        redis_server.stop()
        for _ in range(100):
            await asyncio.sleep(0.05)
            if a.alarms.active(ALARM):
                break
        alarm = a.alarms.active(ALARM)
        assert alarm is not None and "is unreachable" in alarm.message and "show commands are refused" in alarm.message
        assert a.store.reachable is False  # the event loop's calls now fail at once
        redis_server.start()
        for _ in range(200):
            await asyncio.sleep(0.05)
            if fa.connected:
                break
        assert fa.connected and a.alarms.active(ALARM) is None and a.store.reachable
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert fa.reconnects >= 1
