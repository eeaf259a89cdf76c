"""conductor/collector.py: full garbage collections only from the ticker, never during a show."""

from __future__ import annotations

import gc

from flashmob.conductor.collector import NO_AUTOMATIC_FULL, YOUNG_THRESHOLD, Collector, CollectorPolicy
from flashmob.conductor.show import State

MIN = 60_000_000


def test_a_full_collection_waits_for_a_quiet_state_and_its_interval():
    p = CollectorPolicy(every_us=10 * MIN)
    assert not p.due(0, State.LOBBY, young_collections=5)  # the first tick starts the clock
    assert not p.due(9 * MIN, State.LOBBY, young_collections=5)
    assert not p.due(11 * MIN, State.ARMED, young_collections=5)
    assert not p.due(12 * MIN, State.RUNNING, young_collections=5)
    assert not p.due(13 * MIN, State.LOBBY, young_collections=0)  # nothing was held back
    assert p.due(13 * MIN, State.ENDED, young_collections=5)
    assert not p.due(14 * MIN, State.LOBBY, young_collections=5)
    assert p.due(24 * MIN, State.ABORTED, young_collections=1)


def test_the_set_up_is_shared_and_undone_by_the_last_close():
    before = gc.get_threshold()
    a, b = Collector(), Collector()
    a.install()
    b.install()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], NO_AUTOMATIC_FULL)
    a.close()
    assert gc.get_threshold()[2] == NO_AUTOMATIC_FULL  # b still runs
    b.close()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_tick_runs_the_collection_the_policy_asks_for():
    c = Collector(CollectorPolicy(every_us=1))
    c.install()
    try:
        c.tick(0, State.LOBBY)
        gc.collect(1)  # a young collection: one held back
        c.tick(10, State.LOBBY)
        assert c.full_runs == 1 and c.last_pause_s is not None
        gc.collect(1)
        c.tick(20, State.RUNNING)
        assert c.full_runs == 1
    finally:
        c.close()
