"""flashmob.conductor.runtime over a real uvicorn: store writes run off the event loop, and
what depends on a write (the console's ack, the broadcast) waits for it, in order."""

import threading
import time

import pytest

from flashmob.conductor import messages as m


@pytest.fixture
def stalled_writes(live_server):
    """A live server whose show transitions block in the writer thread until released."""
    srv = live_server()
    store = srv.conductor.store
    real = store.save_transitions
    gate = threading.Event()
    entered = threading.Event()
    threads = []

    def slow(show_id, transitions):
        threads.append(threading.current_thread().name)
        entered.set()
        assert gate.wait(10), "the test never released the write"
        return real(show_id, transitions)

    store.save_transitions = slow
    yield srv, gate, entered, threads
    gate.set()


def test_a_slow_write_blocks_neither_the_loop_nor_the_order(stalled_writes):
    srv, gate, entered, threads = stalled_writes
    phone, _ = srv.phone()
    console = srv.console()
    console.send({"type": "arm", "in_ms": 60_000, "ref": "go"})
    assert entered.wait(5)
    # the write is stuck in the writer thread: the loop still answers sync requests at once
    t0 = time.monotonic()
    phone.send({"type": "sync", "id": 1, "t0": 0})
    assert phone.expect("sync_reply")["id"] == 1 and time.monotonic() - t0 < 1.0
    console.send({"type": "sync", "id": 2, "t0": 0})
    assert console.expect("sync_reply")["id"] == 2  # the ack did not come first: it waits for the write
    # nothing is acked, broadcast or shown before the armed record is on disk
    assert srv.conductor.record.state.value == "lobby"
    assert srv.conductor.store.load_show(srv.conductor.bundle.show_id).state.value == "lobby"
    # a second command waits behind the first, in order
    console.send({"type": "cancel", "ref": "stop"})
    time.sleep(0.3)
    gate.set()
    ack = console.expect("ack", ref="go")
    assert ack["show"]["state"] == "armed"
    assert srv.conductor.store.load_show(srv.conductor.bundle.show_id).revision >= ack["show"]["revision"]
    assert phone.expect("show", state="armed")["revision"] == ack["show"]["revision"]
    assert console.expect("ack", ref="stop")["show"]["state"] == "lobby"
    assert phone.expect("show", state="lobby")["revision"] == ack["show"]["revision"] + 1
    assert [r[1] for r in srv.conductor.store.transition_log(srv.conductor.bundle.show_id)] == ["arm", "cancel"]
    assert threads and all(name.startswith("flashmob-store-writer") for name in threads)


def test_a_refused_durable_write_changes_nothing_and_says_why(live_server):
    import sqlite3

    srv = live_server()
    store = srv.conductor.store

    def full(show_id, transitions):
        raise sqlite3.OperationalError("database or disk is full")

    store.save_transitions = full
    console = srv.console()
    console.send({"type": "arm", "in_ms": 60_000, "ref": "go"})
    err = console.expect("error")
    assert err["code"] == m.UNAVAILABLE and err["ref"] == "go" and "database or disk is full" in err["message"]
    assert srv.conductor.record.state.value == "lobby"
    feed = console.expect("feed", timeout=8)
    while not any(a["key"] == "store.write" for a in feed["alarms"]):
        feed = console.expect("feed", timeout=8)
