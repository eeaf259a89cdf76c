"""flashmob.conductor.ratelimit: token bucket + leaky strikes: a sustained flood is detected, a burst is forgiven.

Pure tests with injected time, then one live test: 50 frames/s on a real socket
is closed with 1008 within 10 s (docs/protocol.md, "Limits")."""

from __future__ import annotations

import time

from flashmob.conductor import messages as m


def _frame_limiter():
    from flashmob.conductor.session import _frame_limiter

    return _frame_limiter()


def TokenBucket(*a, **kw):  # noqa: N802 - imported late so the live test runs on any version
    from flashmob.conductor.ratelimit import TokenBucket

    return TokenBucket(*a, **kw)


def run(bucket, per_s, seconds, start_us=0):
    """Feed ``per_s`` evenly spaced requests for ``seconds``; the time (µs) it became a flood, or None."""
    step = 1_000_000 // per_s
    for k in range(per_s * seconds):
        t = start_us + k * step
        bucket.allow(t)
        if bucket.flooding:
            return t
    return None


def test_fifty_frames_a_second_is_a_flood_within_ten_seconds():
    at = run(_frame_limiter(), 50, 10)
    assert at is not None and at < 10_000_000


def test_just_under_the_rate_is_never_a_flood():
    assert run(_frame_limiter(), 19, 120) is None


def test_a_burst_then_quiet_is_forgiven():
    bucket = _frame_limiter()
    for _ in range(3):  # three bursts of 150 frames, a minute apart
        t0 = _ * 60_000_000
        for i in range(150):
            bucket.allow(t0 + i)
        assert not bucket.flooding
    assert bucket.allow(200_000_000)


def test_accepted_frames_do_not_wipe_the_strikes():
    """The old rule (strikes reset on every accepted frame) never closed a steady 2.5x flood."""
    bucket = TokenBucket(capacity=10, rate_per_s=10, max_strikes=50)
    assert run(bucket, 25, 10) is not None


def test_live_flood_is_closed_with_1008(live_server):
    srv = live_server()
    phone = srv.ws("/ws", max_queue=None)  # reads (and keeps) every reply, as a browser does
    phone.send({"type": "hello"})
    phone.expect("welcome")
    t0 = time.monotonic()
    code = None
    from websockets.exceptions import ConnectionClosed

    try:
        k = 0
        while time.monotonic() - t0 < 10.5:
            phone.send({"type": "status", "verified": False, "engine": f"e{k % 3}"})
            k += 1
            time.sleep(max(0.0, t0 + k / 50 - time.monotonic()))
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd else None
    if code is None:
        code = phone.closed_code(timeout=1.0)
    assert code == m.CLOSE_POLICY
    assert time.monotonic() - t0 < 10.0
    # the conductor serves others as usual
    other, _ = srv.phone()
    other.close()
