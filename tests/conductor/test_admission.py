"""Seats over real uvicorn (issue 10, defect 3): scripted hellos that never
confirm do not lock real phones out under --capacity, do not survive a
restart, an armed phone that goes offline keeps its seat, forged answers are
refused, and the console sees and releases seats."""

import hashlib
import time

from flashmob.conductor import messages as m
from conductor_testkit import range_answer, write_bundle

FAKES = 350


def feed_where(console, predicate, timeout=8.0):
    deadline = time.monotonic() + timeout
    while True:
        feed = console.expect("feed", timeout=max(0.1, deadline - time.monotonic()))
        if predicate(feed):
            return feed
        assert time.monotonic() < deadline, feed


def scripted_hellos(srv, n, *, claim_verified=False):
    """What a script does: hello, read the welcome, never answer (optionally claim readiness)."""
    kept = []
    for _ in range(n):
        c = srv.ws()
        c.send({"type": "hello"})
        c.expect("welcome")
        if claim_verified:
            c.send({"type": "status", "verified": True, "sync_error_us": 900, "engine": "webaudio"})
            kept.append(c)
        else:
            c.close()
    return kept


def test_scripted_hellos_neither_lock_out_real_phones_nor_survive_a_restart(live_server, tmp_path):
    bundle, db = write_bundle(tmp_path / "bundle"), tmp_path / "state.sqlite"
    srv = live_server(bundle=bundle, db_path=db, capacity=FAKES)
    t0 = time.monotonic()
    claimers = scripted_hellos(srv, 10, claim_verified=True)
    scripted_hellos(srv, FAKES - 10)
    print(f"{FAKES} scripted hellos in {time.monotonic() - t0:.1f} s")
    probe = srv.ws()
    probe.send({"type": "hello"})
    first = probe.recv()
    assert first["type"] == "welcome", first  # before seats: capacity_reached
    probe.close()
    alice, wa = srv.confirmed_phone()
    bob, wb = srv.confirmed_phone()
    console = srv.console()
    feed = feed_where(console, lambda f: f["seats"]["confirmed"] == 2)
    assert feed["seats"]["pending"] == FAKES + 1 and feed["participants_total"] == 2
    assert sum(g["ready"] for g in feed["groups"]) == 2  # the fakes that claim "verified" are not ready
    show_id = srv.conductor.bundle.show_id
    assert srv.conductor.store.participants(show_id) == {wa["participant_id"]: wa["group"],
                                                         wb["participant_id"]: wb["group"]}
    for c in claimers + [alice, bob, console]:
        c.close()
    srv.stop()

    again = live_server(bundle=bundle, db_path=db, capacity=FAKES)
    assert again.conductor.store.participants(show_id) == {wa["participant_id"]: wa["group"],
                                                           wb["participant_id"]: wb["group"]}
    assert again.conductor.feed().seats.pending == 0
    back, w = again.phone(participant_id=wa["participant_id"])
    assert (w["group"], w["seat"]) == (wa["group"], "confirmed")
    carol, _ = again.confirmed_phone()
    assert len(again.conductor.registry.seats.confirmed) == 3


def test_an_armed_phone_that_goes_offline_keeps_its_seat(live_server):
    srv = live_server(capacity=2, confirm_timeout_s=1.0, max_pending=50)
    alice, wa = srv.confirmed_phone()
    console = srv.console()
    console.send({"type": "arm", "in_ms": 120_000, "ref": "go"})
    start = console.expect("ack", ref="go")["show"]["start_at_us"]
    alice.close()  # airplane mode after arming
    scripted_hellos(srv, 120)  # the pool holds 50: the oldest fakes go first
    time.sleep(1.3)  # every pending seat is past its timeout
    feed = feed_where(console, lambda f: f["seats"]["pending"] == 0)
    assert feed["seats"]["expired"] >= 120 and feed["seats"]["confirmed"] == 1
    probe = srv.ws()
    probe.send({"type": "hello"})
    first = probe.recv()
    assert first["type"] == "welcome", first  # before seats: capacity_reached
    probe.close()
    bob, _ = srv.confirmed_phone()  # the second seat is still there for a person
    late = srv.ws()
    late.send({"type": "hello"})
    assert late.expect("error")["code"] == "capacity_reached" and late.closed_code() == m.CLOSE_FULL
    back, w = srv.phone(participant_id=wa["participant_id"])  # back from airplane mode, show full
    assert (w["group"], w["seat"], w["show"]["start_at_us"]) == (wa["group"], "confirmed", start)


def test_forged_answers_are_refused(live_server):
    srv = live_server()
    honest, wh = srv.phone()
    honest_challenge = honest.expect("challenge")
    forger, wf = srv.phone()
    challenge = forger.expect("challenge")
    data = srv.fetch(challenge["path"])
    whole_file = hashlib.sha256(data).hexdigest()  # public in the manifest
    bare_range = hashlib.sha256(data[challenge["offset"]:challenge["offset"] + challenge["length"]]).hexdigest()
    forger.send({"type": "status", "verified": True})  # claiming it is worth nothing
    # someone else's challenge, answered right, is not yours
    forger.send({"type": "answer", "id": honest_challenge["id"],
                 "sha256": range_answer(srv.fetch(honest_challenge["path"]), honest_challenge)})
    assert forger.expect("error")["code"] == "challenge_stale"
    challenge = forger.expect("challenge")
    for forged in (whole_file, bare_range, "0" * 64):
        forger.send({"type": "answer", "id": challenge["id"], "sha256": forged})
        assert forger.expect("error")["code"] == "challenge_failed"
        if forged != "0" * 64:
            challenge = forger.expect("challenge")
    assert forger.closed_code() == m.CLOSE_POLICY
    seats = srv.conductor.registry.seats
    assert seats.confirmed == {} and srv.conductor.store.participants(srv.conductor.bundle.show_id) == {}
    assert seats.summary()["failed"] == 3
    honest.send({"type": "answer", "id": honest_challenge["id"],
                 "sha256": range_answer(srv.fetch(honest_challenge["path"]), honest_challenge)})
    assert honest.expect("seat")["state"] == "confirmed"


def test_the_console_releases_seats(live_server):
    srv = live_server()
    console = srv.console()
    gone, wg = srv.confirmed_phone()
    here, wh = srv.confirmed_phone()
    scripted_hellos(srv, 5)
    gone.close()
    feed_where(console, lambda f: f["connected_total"] == 1)
    console.send({"type": "release", "scope": "pending", "ref": "r1"})
    assert console.expect("ack", ref="r1")["command"] == "release"
    console.send({"type": "release", "scope": "offline", "ref": "r2"})
    console.expect("ack", ref="r2")
    feed = feed_where(console, lambda f: f["seats"]["released"] == 6)
    assert (feed["seats"]["pending"], feed["seats"]["confirmed"]) == (0, 1)
    assert srv.conductor.store.participants(srv.conductor.bundle.show_id) == {wh["participant_id"]: wh["group"]}
    # released is not banned: the phone comes back, keeps its group, confirms again
    back, w = srv.confirmed_phone(participant_id=wg["participant_id"])
    assert (w["participant_id"], w["group"], w["seat"]) == (wg["participant_id"], wg["group"], "pending")
