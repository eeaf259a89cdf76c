"""flashmob.conductor.sync: server core and rate limiter; the client maths (sync_client.py) over a fake link."""

import json
import random

from flashmob.conductor import messages as m
from flashmob.conductor.clock import FakeMonotonic, ServerClock
from flashmob.conductor.sync import PendingReply, SyncResponder, TokenBucket
from sync_client import OffsetEstimator, measure


def test_measure_symmetric_link():
    # client is 1 s behind the server; 10 ms each way; 2 ms server processing
    t0 = 0
    t1 = t0 + 10_000 + 1_000_000
    t2 = t1 + 2_000
    t3 = t2 - 1_000_000 + 10_000
    s = measure(t0, t1, t2, t3)
    assert s.offset_us == 1_000_000
    assert s.rtt_us == 20_000
    assert s.error_bound_us == 10_000


def test_pending_reply_stamps_t2_when_rendered():
    reply = PendingReply(id=7, t0=1, t1=100)
    obj = json.loads(reply.render(lambda: 150))
    assert obj == {"type": "sync_reply", "id": 7, "t0": 1, "t1": 100, "t2": 150}


def test_token_bucket_burst_then_refill():
    bucket = TokenBucket(capacity=5, rate_per_s=2, max_strikes=3)
    assert all(bucket.allow(0) for _ in range(5))
    assert not bucket.allow(0)
    assert bucket.allow(500_000)  # one token after 0.5 s
    assert not bucket.allow(500_000)
    assert not bucket.allow(500_001)
    assert not bucket.allow(500_002)
    assert bucket.flooding


def test_responder_refuses_floods_and_then_closes():
    responder = SyncResponder(TokenBucket(capacity=20, rate_per_s=4, max_strikes=10))
    req = m.Sync(id=1, t0=0)
    results = [responder.handle(req, t1=1_000) for _ in range(40)]
    assert all(isinstance(r, PendingReply) for r in results[:20])
    refusals = results[20:]
    assert all(isinstance(r, m.Error) and r.code == m.RATE_LIMITED for r in refusals)
    assert not refusals[0].fatal and refusals[-1].fatal


def test_phone_burst_at_start_is_fine():
    responder = SyncResponder()
    t = 0
    for i in range(30):  # 30 samples 50 ms apart, then one every 2 s
        assert isinstance(responder.handle(m.Sync(id=i, t0=0), t1=t), PendingReply)
        t += 50_000
    for i in range(50):
        t += 2_000_000
        assert isinstance(responder.handle(m.Sync(id=i, t0=0), t1=t), PendingReply)


class FakeLink:
    """A client and a server core joined by a simulated network with
    asymmetric random delays; all clocks are fakes driven by one true time."""

    def __init__(self, client_offset_us, seed=1):
        self.true = FakeMonotonic(10_000_000)
        self.server_clock = ServerClock(self.true, initial_offset_us=0)
        self.client_offset = client_offset_us  # client clock = true - offset
        self.responder = SyncResponder(TokenBucket(capacity=1000, rate_per_s=1000))
        self.rng = random.Random(seed)

    def client_now(self):
        return self.true() - self.client_offset

    def exchange(self, i):
        t0 = self.client_now()
        frame = m.to_wire(m.Sync(id=i, t0=t0))
        self.true.advance(self.rng.randint(2_000, 80_000))  # uplink
        t1 = self.server_clock.now_us()  # stamped on arrival, before parsing
        pending = self.responder.handle(m.parse(frame, "participant"), t1)
        self.true.advance(self.rng.randint(100, 3_000))  # server queueing
        text = pending.render(self.server_clock.now_us)
        self.true.advance(self.rng.randint(2_000, 80_000))  # downlink
        reply = m.parse(text, "server")
        return measure(reply.t0, reply.t1, reply.t2, self.client_now())


def test_fake_link_estimate_within_error_bound():
    for seed in range(20):
        link = FakeLink(client_offset_us=123_456_789, seed=seed)
        est = OffsetEstimator()
        for i in range(12):
            est.add(link.exchange(i))
            link.true.advance(50_000)
        best = est.best
        assert abs(best.offset_us - 123_456_789) <= best.error_bound_us
        # the estimate predicts server time to within the bound
        assert abs(est.server_time(link.client_now()) - link.server_clock.now_us()) <= best.error_bound_us
