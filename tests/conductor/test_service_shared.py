"""The core with a shared store (Options.shared, a RedisStore on a real redis-server): two nodes, one show.

Two InlineConductors ("nodes") share one Redis and one fake clock; the follower's
part (reading the record, the announcements) is played by the test."""

from __future__ import annotations

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.bundle import load_bundle
from flashmob.conductor.clock import FakeMonotonic, ServerClock
from flashmob.conductor.redisstore import RedisStore
from flashmob.conductor.service import CommandError, Options
from flashmob.conductor.show import IllegalTransition, State
from inline import InlineConductor
from test_service import RecordingHub

S = 1_000_000


@pytest.fixture
def nodes(bundle_dir, redis_url):
    bundle = load_bundle(bundle_dir)
    mono = FakeMonotonic(10 * S)
    clock = ServerClock(mono, initial_offset_us=0)
    made = []

    def node():
        store = RedisStore(redis_url, bundle.show_id)
        hub = RecordingHub(store, bundle.show_id)
        c = InlineConductor(bundle, store, clock.now_us, Options(console_token="t", shared=True), hub=hub,
                            shared=store)
        made.append(c)
        return c, hub

    yield node, mono
    for c in made:
        c.close()


def shows(hub):
    return [(p[1].state, p[1].revision) for p in hub.published if p[0] == "participants" and p[1].TYPE == "show"]


def test_a_command_that_loses_the_compare_and_set_is_refused_and_the_node_adopts_the_winner(nodes):
    (a, hub_a), (b, hub_b) = nodes[0](), nodes[0]()
    won = a.command(m.Arm(in_ms=8000))
    assert b.record.state is State.LOBBY  # b has not read the record yet
    with pytest.raises(IllegalTransition, match="another conductor changed the show first"):
        b.command(m.Arm(in_ms=9000))
    assert b.record == a.record == won.show
    assert shows(hub_b) == [("armed", 1)]  # b's phones got the winner's record, never b's own
    assert a.store.transition_log(a.bundle.show_id) == [(1, "arm", "armed")]


def test_a_record_read_from_redis_converges_the_node_and_an_older_one_is_ignored(nodes):
    (a, _), (b, hub_b) = nodes[0](), nodes[0]()
    a.command(m.Arm(in_ms=8000))
    b.execute(b.core.converge(b.store.load_show(b.bundle.show_id), b.now()))
    assert b.record == a.record and shows(hub_b) == [("armed", 1)]
    b.execute(b.core.converge(b.store.load_show(b.bundle.show_id), b.now()))  # the same again: nothing
    assert shows(hub_b) == [("armed", 1)]
    mono = nodes[1]
    mono.advance(9 * S)
    a.tick()
    b.tick()  # both derive "started" at the armed instant: one write, no conflict
    assert a.record == b.record and a.record.state is State.RUNNING
    assert [e for _, e, _ in a.store.transition_log(a.bundle.show_id)] == ["arm", "started"]


def test_abort_is_durable_with_a_shared_store_and_every_command_then_works_from_either_node(nodes):
    (a, _), (b, hub_b) = nodes[0](), nodes[0]()
    a.command(m.Arm(in_ms=8000))
    b.execute(b.core.converge(b.store.load_show(b.bundle.show_id), b.now()))
    ack = b.command(m.Abort(reason="rain"))
    assert ack.show.state is State.ABORTED and a.store.load_show(a.bundle.show_id) == ack.show
    a.execute(a.core.converge(a.store.load_show(a.bundle.show_id), a.now()))
    assert a.command(m.Reset()).show.revision == 3


def test_announcements_get_ids_unique_across_nodes_and_reach_the_other_nodes_once(nodes):
    (a, hub_a), (b, hub_b) = nodes[0](), nodes[0]()
    one = a.announce(m.Announce(level="info", text="hello"))
    two = b.announce(m.Announce(level="info", text="again"))
    assert (one.id, two.id) == (1, 2)
    for _ in range(2):  # a nudge and then a poll: the phones of b get it once
        b.execute(b.core.announced(one))
    texts = [p[1].text for p in hub_b.published if p[1].TYPE == "announcement"]
    assert texts == ["again", "hello"]


def test_a_redis_that_is_gone_refuses_commands_and_announcements_on_every_node(bundle_dir, redis_server, redis_url):
    bundle = load_bundle(bundle_dir)
    clock = ServerClock(FakeMonotonic(10 * S), initial_offset_us=0)
    store = RedisStore(redis_url, bundle.show_id)
    c = InlineConductor(bundle, store, clock.now_us, Options(console_token="t", shared=True),
                        hub=RecordingHub(store, bundle.show_id), shared=store)
    redis_server.stop()
    try:
        with pytest.raises(CommandError, match=r"not applied: .*Redis at redis://127\.0\.0\.1:\d+/0 cannot write"):
            c.command(m.Arm(in_ms=8000))
        assert c.record.state is State.LOBBY
        with pytest.raises(CommandError, match="not sent: .*nothing was announced"):
            c.command(m.Announce(level="info", text="hi"))
    finally:
        redis_server.start()


def test_release_offline_is_refused_with_a_shared_store_a_node_sees_only_its_own_sockets(nodes):
    (a, _), _ = nodes[0](), None
    a.store.add_participant(a.bundle.show_id, "elsewhere", "red", 1)  # a phone connected to another node
    with pytest.raises(CommandError, match="release offline is not available with several conductors"):
        a.command(m.Release(scope="offline"))
    assert a.store.participants(a.bundle.show_id) == {"elsewhere": "red"}


def test_a_retried_transition_that_lost_to_another_nodes_record_converges_to_it(nodes, redis_server):
    (a, hub_a), (b, _) = nodes[0](), nodes[0]()
    mono = nodes[1]
    a.command(m.Arm(in_ms=8000))
    b.execute(b.core.converge(b.store.load_show(b.bundle.show_id), b.now()))
    aborted = b.command(m.Abort(reason="rain")).show  # a missed the nudge
    redis_server.stop()
    mono.advance(9 * S)
    a.tick()  # a starts the show from its armed record; the write fails (kept, retried)
    assert a.record.state is State.RUNNING and a.core.writeback.transitions_unwritten
    redis_server.start()  # (empty: b's record is put back as a durable Redis would have kept it)
    b.store.save_record(b.bundle.show_id, aborted)
    mono.advance(2 * S)
    a.tick()  # the retry loses the compare-and-set at the same revision: a adopts the stored record
    assert a.record == aborted
    assert shows(hub_a)[-1] == ("aborted", 2)
    assert not a.core.writeback.transitions_unwritten
