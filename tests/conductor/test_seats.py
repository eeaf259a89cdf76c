"""flashmob.conductor.seats: the seat rule as a pure core (fake time, fake bundle bytes)."""

import hashlib
import random

import pytest

from flashmob.conductor.seats import CONFIRMED, PENDING, Policy, SeatBook, SeatsFull, StoreSeat

S = 1_000_000
FILES = {"red": (("red/seg-0.mp3", 300_000), ("red/seg-1.mp3", 100_000)), "blue": (("blue/seg-0.mp3", 1000),)}


def digest(c):
    """Stand-in for the bundle: a range's 'bytes' are its coordinates."""
    return hashlib.sha256(f"{c.id}|{c.path}|{c.offset}|{c.length}".encode()).hexdigest()


def book(**policy):
    ids = iter(range(10**9))
    return SeatBook(Policy(**policy), FILES, digest=digest, rng=random.Random(3),
                    new_challenge_id=lambda: f"c{next(ids)}")


def confirm(b, pid, group, now):
    c = b.seat(pid).challenge
    return b.answer(pid, group, c.id, digest(c), now)


def test_hellos_never_take_a_seat_answers_do():
    b = book(capacity=2)
    for i in range(500):
        assert b.open(f"fake{i}", "red", i) is not None
    c = b.open("alice", "blue", 600)
    assert (c.path, c.offset, c.length) == ("blue/seg-0.mp3", 0, 1000)  # a small file: all of it
    result = confirm(b, "alice", "blue", 601)
    assert result.outcome == "confirmed" and result.effects == (StoreSeat("alice", "blue", 601),)
    assert b.seat("alice").state == CONFIRMED and b.summary()["confirmed"] == 1
    assert b.open("alice", "blue", 700) is None  # a confirmed seat: no challenge


def test_challenges_pick_ranges_inside_the_groups_files():
    b = book(challenge_bytes=4096)
    seen = set()
    for i in range(300):
        c = b.open(f"p{i}", "red", 0)
        size = dict(FILES["red"])[c.path]
        assert c.length == 4096 and 0 <= c.offset <= size - 4096
        seen.add(c.path)
    assert seen == {"red/seg-0.mp3", "red/seg-1.mp3"}


def test_capacity_is_checked_at_hello_and_at_the_answer():
    b = book(capacity=1)
    b.open("a", "red", 0)
    b.open("b", "red", 0)
    assert confirm(b, "a", "red", 1).outcome == "confirmed"
    with pytest.raises(SeatsFull):
        b.open("c", "red", 2)
    assert confirm(b, "b", "red", 3).outcome == "full"  # downloaded, but the last seat went first
    assert b.seat("b") is None and b.summary()["refused"] == 2
    assert b.open("a", "red", 4) is None  # confirmed people always get back in


def test_pending_seats_expire_after_the_timeout_confirmed_never():
    b = book(pending_ttl_us=60 * S)
    b.open("a", "red", 0)
    b.open("b", "red", 30 * S)
    b.open("c", "red", 0)
    confirm(b, "c", "red", 1)
    assert b.next_expiry() == 60 * S
    assert b.expire(59 * S) == 0
    b.open("a", "red", 50 * S)  # a hello refreshes
    assert b.expire(80 * S) == 0 and b.expire(90 * S) == 1  # b, at 30 + 60
    assert b.seat("b") is None and b.seat("a").state == PENDING
    assert b.expire(10**6 * S) == 1  # a; the confirmed seat stays whatever the time
    assert b.seat("c").state == CONFIRMED and b.summary()["expired"] == 2
    assert b.counts == {"red": 1, "blue": 0}


def test_the_pending_pool_is_capped_oldest_out():
    b = book(max_pending=3)
    for i in range(5):
        b.open(f"p{i}", "red", i)
    assert list(b.pending) == ["p2", "p3", "p4"] and b.summary()["expired"] == 2
    assert b.counts["red"] == 3
    # an evicted phone answering its old challenge gets a fresh one and confirms
    result = b.answer("p0", "red", "c0", "0" * 64, 10)
    assert result.outcome == "stale" and result.challenge is not None
    assert confirm(b, "p0", "red", 11).outcome == "confirmed"
    assert list(b.pending) == ["p3", "p4"]  # p0 re-entered (evicting p2) and left when it confirmed


def test_wrong_answers_and_stale_ids():
    b = book(max_failures=3)
    c = b.open("a", "red", 0)
    r = b.answer("a", "red", c.id, "f" * 64, 1)
    assert r.outcome == "wrong" and r.challenge.id != c.id
    r2 = b.answer("a", "red", c.id, digest(c), 2)  # the old challenge, even answered right: stale
    assert r2.outcome == "stale" and r2.challenge == r.challenge  # the open one again, not a new one
    r3 = b.answer("a", "red", r2.challenge.id, "\ud800" * 64, 3)  # any string is compared, never raises
    assert r3.outcome == "wrong"
    r4 = b.answer("a", "red", r3.challenge.id, "0" * 64, 4)
    assert r4.outcome == "wrong" and r4.challenge is None and b.seat("a") is None  # third strike: dropped
    assert b.summary()["failed"] == 3 and b.confirmed == {}


def test_another_phones_challenge_does_not_confirm_you():
    b = book()
    ca = b.open("a", "red", 0)
    b.open("m", "red", 0)
    assert b.answer("m", "red", ca.id, digest(ca), 1).outcome == "stale"
    assert b.seat("m").state == PENDING


def test_release_by_the_console():
    b = book()
    for pid in ("a", "b", "c"):
        b.open(pid, "red", 0)
        confirm(b, pid, "red", 1)
    b.open("p", "blue", 2)
    assert b.release_pending() == 1 and b.seat("p") is None
    gone = b.offline(lambda pid: pid == "b")
    assert gone == ("a", "c") and set(b.confirmed) == {"a", "b", "c"}  # a query: the store goes first
    assert b.release(gone) == 2
    assert set(b.confirmed) == {"b"} and b.summary()["released"] == 3 and b.counts == {"red": 1, "blue": 0}
    assert b.offline(lambda pid: True) == () and b.release(("a", "nobody")) == 0


def test_restart_keeps_confirmed_seats_only():
    b = book(capacity=3)
    for i in range(50):
        b.open(f"fake{i}", "red", 0)
    b.open("a", "blue", 0)
    effects = confirm(b, "a", "blue", 1).effects
    stored = {e.pid: e.group for e in effects if isinstance(e, StoreSeat)}  # what the store got
    again = SeatBook(Policy(capacity=3), FILES, digest=digest, confirmed=stored)
    assert set(again.confirmed) == {"a"} and not again.pending and again.counts == {"red": 0, "blue": 1}
    assert again.open("a", "blue", 5) is None


def test_unconfirm_when_the_store_failed():
    b = book(capacity=1)
    b.open("a", "red", 0)
    confirm(b, "a", "red", 1)
    b.unconfirm("a")
    assert b.seat("a").state == PENDING and not b.full()
    assert b.answer("a", "red", "x", "0" * 64, 2).outcome == "stale"  # a fresh challenge; it can confirm again


def test_policy_and_files_are_checked():
    for bad in ({"capacity": 0}, {"max_pending": 0}, {"pending_ttl_us": 10}, {"challenge_bytes": 0}):
        with pytest.raises(ValueError):
            Policy(**bad)
    with pytest.raises(ValueError, match="green"):
        SeatBook(Policy(), {"green": (("g.mp3", 0),)}, digest=digest)


def test_two_tabs_of_one_phone_answer_the_same_challenge():
    b = book()
    first = b.open("a", "red", 0)
    second = b.open("a", "red", 1)  # the other tab's hello
    assert second == first
    assert confirm(b, "a", "red", 2).outcome == "confirmed"
    assert b.answer("a", "red", first.id, digest(first), 3).outcome == "confirmed"  # the late tab
