"""flashmob.conductor.hub: bounded outboxes; a stalled client never delays the others."""

import asyncio
import time

from flashmob.conductor.hub import LocalHub, Outbox
from flashmob.conductor.sync import PendingReply


class FakeSocket:
    def __init__(self, stalled=False):
        self.frames = []
        self.closed = None
        self.gate = asyncio.Event()
        if not stalled:
            self.gate.set()

    async def send(self, text):
        await self.gate.wait()
        self.frames.append(text)

    async def close(self, code, reason):
        self.closed = (code, reason)


def run(coro):
    return asyncio.run(coro)


def test_publish_reaches_everyone_despite_a_stalled_client():
    async def main():
        hub = LocalHub()
        sockets = [FakeSocket(stalled=(i == 0)) for i in range(50)]
        boxes = [Outbox(s.send, s.close, lambda: 0, maxsize=8) for s in sockets]
        tasks = [asyncio.create_task(b.run()) for b in boxes]
        for i, b in enumerate(boxes):
            hub.attach(i, b, {"participants"})
        for k in range(20):
            hub.publish("participants", f"m{k}")
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)
        assert all(s.frames == [f"m{k}" for k in range(20)] for s in sockets[1:])
        assert boxes[0].overflowed and hub.count("participants") == 49 and hub.dropped == 1
        for b in boxes[1:]:
            b.close()
        await asyncio.wait_for(asyncio.gather(*tasks[1:]), 1)
        assert all(s.closed == (1000, "") for s in sockets[1:])
        tasks[0].cancel()
    run(main())


def test_renderable_items_are_stamped_at_send_time():
    async def main():
        sock = FakeSocket(stalled=True)
        now = [100]
        box = Outbox(sock.send, sock.close, lambda: now[0])
        task = asyncio.create_task(box.run())
        box.push("first")  # the writer blocks on this one
        box.push(PendingReply(id=1, t0=0, t1=50))
        await asyncio.sleep(0.01)
        now[0] = 999  # the socket becomes writable later: t2 must be that late
        sock.gate.set()
        box.close()
        await asyncio.wait_for(task, 1)
        assert sock.frames[1] == '{"type":"sync_reply","id":1,"t0":0,"t1":50,"t2":999}'
    run(main())


def test_topics_and_detach():
    hub = LocalHub()
    a = Outbox(None, None, lambda: 0)
    b = Outbox(None, None, lambda: 0)
    hub.attach(1, a, {"participants", "group:red"})
    hub.attach(2, b, {"participants", "group:blue"})
    assert hub.publish("group:red", "x") == 1 and len(a) == 1 and len(b) == 0
    assert hub.publish("participants", "y") == 2
    hub.detach(1)
    assert hub.publish("group:red", "z") == 0 and hub.count("group:red") == 0


def test_push_after_close_is_refused():
    box = Outbox(None, None, lambda: 0)
    box.close(4401, "no")
    assert not box.push("late")


def test_writer_survives_send_failure():
    async def main():
        async def broken(text):
            raise ConnectionError("gone")
        box = Outbox(broken, None, lambda: 0)
        task = asyncio.create_task(box.run())
        box.push("x")
        await asyncio.wait_for(task, 1)
        assert box.closing
    run(main())


def test_broadcast_cost_to_5000_clients():
    hub = LocalHub()
    for i in range(5000):
        hub.attach(i, Outbox(None, None, lambda: 0, maxsize=4), {"participants"})
    t = time.perf_counter()
    assert hub.publish("participants", '{"type":"show"}') == 5000
    elapsed = time.perf_counter() - t
    assert elapsed < 0.5, elapsed  # measured ~2-4 ms on the 2-core sandbox


def test_a_writer_that_fails_logs_once_closes_1011_and_leaves_the_others(caplog):
    import logging

    class Exploding(FakeSocket):
        async def send(self, text):
            if text == "poison":
                raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
            await super().send(text)

    async def main():
        hub = LocalHub()
        bad, good = Exploding(), FakeSocket()
        boxes = [Outbox(s.send, s.close, lambda: 0) for s in (bad, good)]
        tasks = [asyncio.create_task(b.run()) for b in boxes]
        for i, b in enumerate(boxes):
            hub.attach(i, b, {"consoles"})
        boxes[0].push("poison")
        for k in range(5):
            hub.publish("consoles", f"m{k}")
            await asyncio.sleep(0.01)
        boxes[1].close()
        await asyncio.wait_for(asyncio.gather(*tasks), 2)
        return bad, good, boxes

    caplog.set_level(logging.DEBUG, logger="flashmob.conductor.hub")
    bad, good, boxes = run(main())
    assert bad.closed[0] == 1011 and bad.frames == [] and boxes[0].failed
    assert good.frames == [f"m{k}" for k in range(5)]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "surrogates" in warnings[0].getMessage()


class ResetSocket(FakeSocket):
    """A peer that went away: every send fails as a reset connection does."""

    async def send(self, text):
        raise ConnectionResetError("peer reset")


def test_a_peer_that_went_away_is_not_a_warning(caplog):
    import logging

    async def main():
        s = ResetSocket()
        box = Outbox(s.send, s.close, lambda: 0)
        task = asyncio.create_task(box.run())
        box.push("x")
        await asyncio.wait_for(task, 2)
        return s, box

    caplog.set_level(logging.DEBUG, logger="flashmob.conductor.hub")
    s, box = run(main())
    assert box.closing and s.closed[0] == 1011
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_large_broadcast_wakes_its_writers_a_batch_per_loop_iteration_in_order():
    async def main():
        hub = LocalHub(chunk=10)
        sockets = [FakeSocket() for _ in range(35)]
        boxes = [Outbox(s.send, s.close, lambda: 0) for s in sockets]
        tasks = [asyncio.create_task(b.run()) for b in boxes]
        for i, b in enumerate(boxes):
            hub.attach(i, b, {"participants"})
        await asyncio.sleep(0)
        assert hub.publish("participants", "show-1") == 35  # queued everywhere at once
        boxes[30].push("direct")  # sent meanwhile: behind the broadcast, which it wakes early
        hub.publish("participants", "show-2")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        sent = sum(bool(s.frames) for s in sockets)
        assert 0 < sent < 35  # not every writer in the first iterations
        await asyncio.sleep(0.05)
        assert all(s.frames[0] == "show-1" and s.frames[-1] == "show-2" for s in sockets)
        assert sockets[30].frames == ["show-1", "direct", "show-2"]
        for t in tasks:
            t.cancel()
    run(main())


def test_send_now_sends_from_the_caller_when_idle_and_queues_behind_otherwise():
    async def main():
        sock = FakeSocket()
        box = Outbox(sock.send, sock.close, lambda: 7)
        task = asyncio.create_task(box.run())
        await asyncio.sleep(0)
        await box.send_now(PendingReply(id=1, t0=0, t1=5))  # idle: sent before send_now returns
        assert sock.frames == ['{"type":"sync_reply","id":1,"t0":0,"t1":5,"t2":7}']
        box.push("broadcast", wake=False)  # queued, writer not woken yet
        await box.send_now("reply")  # not idle: behind the broadcast
        await asyncio.sleep(0.01)
        assert sock.frames[1:] == ["broadcast", "reply"]
        box.close()
        await asyncio.wait_for(task, 1)
    run(main())


def test_a_failed_send_now_closes_1011_and_ends_the_writer():
    async def main():
        s = ResetSocket()
        box = Outbox(s.send, s.close, lambda: 0)
        task = asyncio.create_task(box.run())
        await asyncio.sleep(0)
        await box.send_now("x")
        await asyncio.wait_for(task, 1)
        return s, box

    s, box = run(main())
    assert box.failed and box.closing and s.closed[0] == 1011


def test_flush_now_sends_the_queue_in_order_from_the_caller_up_to_a_close():
    async def main():
        sock = FakeSocket()
        box = Outbox(sock.send, sock.close, lambda: 0)
        for text in ("a", "b", "c"):
            box.push(text, wake=False)
        await box.flush_now()  # no writer task at all: the caller sent them
        assert sock.frames == ["a", "b", "c"] and len(box) == 0
        box.push("d", wake=False)
        box.close(4401, "bye")
        await box.flush_now()
        assert sock.frames[-1] == "d" and sock.closed is None  # the close is the writer's
        await asyncio.wait_for(box.run(), 1)
        assert sock.closed == (4401, "bye")
    run(main())
