"""flashmob.conductor.alarms: one episode per key, logged once, resolved alarms kept a while."""

import logging
import threading

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.alarms import MAX_ALARMS, RESOLVED_KEPT_US, Alarms


class Clock:
    def __init__(self):
        self.t = 1_000_000

    def __call__(self):
        return self.t


def test_one_episode_counts_repeats_and_logs_once(caplog):
    now = Clock()
    alarms = Alarms(now)
    caplog.set_level(logging.WARNING, logger="flashmob.conductor.alarms")
    assert alarms.raise_("store.write", "critical", "disk full") is True
    v = alarms.version
    for _ in range(50):
        now.t += 1_000_000
        assert alarms.raise_("store.write", "critical", "disk full") is False
    assert alarms.version == v  # same message: no feed resend per repeat
    a = alarms.active("store.write")
    assert a.count == 51 and a.since_us == 1_000_000 and a.last_us == now.t and a.resolved_at_us is None
    assert [r.getMessage() for r in caplog.records] == ["ALARM store.write: disk full"]
    assert caplog.records[0].levelno == logging.ERROR


def test_clear_resolves_keeps_it_visible_then_forgets():
    now = Clock()
    alarms = Alarms(now)
    alarms.raise_("ntp.offset", "critical", "off by 3 h")
    assert alarms.clear("ntp.offset") and not alarms.clear("ntp.offset")
    (a,) = alarms.snapshot()
    assert a.resolved_at_us == now.t and alarms.active("ntp.offset") is None
    alarms.raise_("ntp.offset", "critical", "again")  # a new episode
    assert alarms.active("ntp.offset").count == 1
    alarms.clear("ntp.offset")
    now.t += RESOLVED_KEPT_US + 1
    assert alarms.snapshot() == ()


def test_snapshot_order_and_wire_shape():
    now = Clock()
    alarms = Alarms(now)
    alarms.raise_("a.warn", "warning", "w")
    now.t += 1
    alarms.raise_("b.crit", "critical", "c", detail={"x": 1})
    alarms.raise_("c.gone", "warning", "g")
    alarms.clear("c.gone")
    assert [a.key for a in alarms.snapshot()] == ["b.crit", "a.warn", "c.gone"]
    feed_part = [m.to_dict(a) for a in alarms.snapshot()]
    assert m.to_dict(m.AlarmInfo(**{k: v for k, v in feed_part[0].items()})) == feed_part[0]


def test_bounded_and_validated():
    alarms = Alarms(Clock())
    for i in range(MAX_ALARMS + 10):
        alarms.raise_(f"k{i}", "warning", "x")
    assert len(alarms.snapshot()) == MAX_ALARMS
    with pytest.raises(ValueError):
        alarms.raise_("k", "fatal", "x")


def test_thread_safe_smoke():
    alarms = Alarms(Clock())
    def spam():
        for i in range(2000):
            alarms.raise_(f"k{i % 5}", "warning", "x")
            alarms.clear(f"k{(i + 2) % 5}")
    threads = [threading.Thread(target=spam) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(500):
        alarms.snapshot()
    for t in threads:
        t.join()
    assert len(alarms.snapshot()) == 5
