"""RedisStore against a real redis-server: the revision compare-and-set, seats, balanced counters."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest

from flashmob.conductor import show as showmod
from flashmob.conductor.redisstore import BackplaneError, RedisStore, RevisionConflict, SharedSeatsFull
from flashmob.conductor.show import Arm, Cancel, ShowRecord, State

SHOW = "3f9a0c1b2d4e5f60"
S = 1_000_000


@pytest.fixture
def store(redis_url):
    s = RedisStore(redis_url, SHOW)
    yield s
    s.close()


def lobby(store):
    rec = showmod.new_record(60 * S)
    store.save_record(SHOW, rec)
    return rec


def test_the_first_arm_wins_and_the_second_is_refused_with_the_stored_record(store, redis_url):
    rec = lobby(store)
    a = showmod.apply(rec, Arm(100 * S), 1 * S, min_lead_us=0)
    b = showmod.apply(rec, Arm(200 * S), 2 * S, min_lead_us=0)  # the same revision from another node
    store.save_transitions(SHOW, a)
    with pytest.raises(RevisionConflict) as err:
        RedisStore(redis_url, SHOW).save_transitions(SHOW, b)
    assert err.value.record == a[-1].after
    assert "another conductor changed the show first" in str(err.value)
    assert store.load_show(SHOW) == a[-1].after
    assert store.transition_log(SHOW) == [(1, "arm", "armed")]


def test_racing_writers_apply_revision_n_plus_1_exactly_once(store, redis_url):
    rec = lobby(store)
    stores = [RedisStore(redis_url, SHOW) for _ in range(8)]
    batches = [showmod.apply(rec, Arm((100 + i) * S), 1 * S + i, min_lead_us=0) for i in range(8)]
    won, lost = [], []
    barrier = threading.Barrier(8)

    def go(i):
        barrier.wait()
        try:
            stores[i].save_transitions(SHOW, batches[i])
            won.append(i)
        except RevisionConflict:
            lost.append(i)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 7
    assert store.load_show(SHOW) == batches[won[0]][-1].after
    assert store.transition_log(SHOW) == [(1, "arm", "armed")]


def test_a_clock_transition_another_node_wrote_first_is_accepted_not_doubled(store, redis_url):
    rec = lobby(store)
    armed = showmod.apply(rec, Arm(10 * S), 1 * S, min_lead_us=0)
    store.save_transitions(SHOW, armed)
    started = showmod.advance(armed[-1].after, 11 * S)  # every node derives the very same record
    store.save_transitions(SHOW, started)
    RedisStore(redis_url, SHOW).save_transitions(SHOW, showmod.advance(armed[-1].after, 11 * S))
    # a node that missed both writes its started + finished chain: the stored prefix is skipped
    chain = showmod.advance(armed[-1].after, 80 * S)
    assert [t.name for t in chain] == ["started", "finished"]
    RedisStore(redis_url, SHOW).save_transitions(SHOW, chain)
    assert store.load_show(SHOW).state is State.ENDED
    assert [e for _, e, _ in store.transition_log(SHOW)] == ["arm", "started", "finished"]


def test_a_different_record_at_the_same_revision_is_a_conflict(store):
    rec = lobby(store)
    armed = showmod.apply(rec, Arm(10 * S), 1 * S, min_lead_us=0)
    store.save_transitions(SHOW, armed)
    cancel = showmod.apply(armed[-1].after, Cancel(), 2 * S)
    abort = showmod.apply(armed[-1].after, showmod.Abort("rain"), 2 * S)
    store.save_transitions(SHOW, abort)
    with pytest.raises(RevisionConflict):
        store.save_transitions(SHOW, cancel)
    assert store.load_show(SHOW).state is State.ABORTED


def test_save_record_never_replaces_a_newer_record(store):
    rec = lobby(store)
    armed = showmod.apply(rec, Arm(10 * S), 1 * S, min_lead_us=0)
    store.save_transitions(SHOW, armed)
    store.save_record(SHOW, showmod.new_record(30 * S))
    assert store.load_show(SHOW) == armed[-1].after
    assert isinstance(store.load_show(SHOW), ShowRecord)


def test_capacity_holds_across_stores_and_a_stored_seat_is_not_counted_twice(redis_url):
    a, b = RedisStore(redis_url, SHOW, capacity=2), RedisStore(redis_url, SHOW, capacity=2)
    a.add_participant(SHOW, "p1", "red", 1)
    b.add_participant(SHOW, "p1", "red", 2)  # the same phone confirmed again on another node
    b.add_participant(SHOW, "p2", "blue", 3)
    with pytest.raises(SharedSeatsFull):
        a.add_participant(SHOW, "p3", "red", 4)
    assert a.participants(SHOW) == {"p1": "red", "p2": "blue"}
    assert b.confirmed_counts() == {"red": 1, "blue": 1}
    assert b.seat_group("p2") == "blue" and b.seat_group("nobody") is None
    a.remove_participants(SHOW, ("p1", "unknown"))
    assert b.confirmed_counts() == {"red": 0, "blue": 1}
    b.add_participant(SHOW, "p3", "red", 5)


def test_balanced_assignment_is_the_local_rule_counted_atomically(redis_url):
    groups = [("a", 1), ("b", 2), ("c", 1)]
    stores = [RedisStore(redis_url, SHOW) for _ in range(3)]
    picks = [stores[i % 3].assign_balanced(groups) for i in range(40)]
    counts = {g: 0 for g, _ in groups}
    expected = []
    for _ in range(40):  # the in-process rule (conductor/registry.py)
        g = min(groups, key=lambda gs: Fraction(counts[gs[0]] + 1, gs[1]))[0]
        counts[g] += 1
        expected.append(g)
    assert picks == expected


def test_announcement_ids_are_unique_across_nodes(redis_url):
    a, b = RedisStore(redis_url, SHOW), RedisStore(redis_url, SHOW)
    ids = [a.add_announcement(SHOW, "info", "one", None, 1), b.add_announcement(SHOW, "info", "two", "red", 2)]
    assert ids == [1, 2] and a.last_announcement_id() == 2
    assert b.announcements(SHOW, 5) == [(1, "info", "one", None, 1), (2, "info", "two", "red", 2)]


def test_an_unreachable_redis_is_a_clear_backplane_error():
    from redis_kit import free_port

    s = RedisStore(f"redis://127.0.0.1:{free_port()}/0", SHOW)
    with pytest.raises(BackplaneError, match=r"Redis at redis://127\.0\.0\.1:\d+/0 cannot read the show record"):
        s.load_show(SHOW)
    assert isinstance(BackplaneError("x"), OSError)  # the store writer reports it as a failed write


def test_a_password_in_the_url_is_never_shown():
    from flashmob.conductor.redisstore import shown

    assert shown("redis://:s3cret@10.0.0.5:6379/0") == "redis://:***@10.0.0.5:6379/0"
    assert shown("rediss://user:s3cret@[::1]:6380/2") == "rediss://user:***@[::1]:6380/2"
    assert shown("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    from redis_kit import free_port

    s = RedisStore(f"redis://:s3cret@127.0.0.1:{free_port()}/0", SHOW)
    with pytest.raises(BackplaneError) as err:
        s.load_show(SHOW)
    assert "s3cret" not in str(err.value) and ":***@127.0.0.1" in str(err.value)
