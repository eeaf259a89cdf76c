"""The sign-up core (conductor/signups.py): places, waiting list, cancellation, erasure, the gate; time injected."""

import itertools

import pytest

from flashmob.contract.bundle import GroupInfo
from flashmob.contract.signups import SignupRequest, Status
from flashmob.conductor.signups import (DAY_US, Drop, EraseAll, Put, Refused, SignupBook, SignupGate, Stats, Tally,
                                        erase_at_us, key_hash)

GROUPS = (GroupInfo("red", "Reds", "#d32f2f", 1), GroupInfo("blue", "Blues", "#1976d2", 1))


def book(capacity=None, ask_email="no", **kw):
    keys = (f"key-{i:030d}" for i in itertools.count())
    pids = itertools.count()
    return SignupBook(GROUPS, capacity=capacity, ask_email=ask_email, new_key=lambda: next(keys),
                      new_pid=lambda g: f"pid{next(pids)}-{g}", **kw)


def req(name="Ana", **kw):
    return SignupRequest(name=name, consent=True, **kw)


def test_places_are_balanced_over_groups_then_a_waiting_list():
    b = book(capacity=3)
    got = [b.sign_up(req(f"p{i}"), 1000 + i) for i in range(5)]
    assert [e.status for _, e, _ in got] == [Status.CONFIRMED] * 3 + [Status.WAITING] * 2
    assert [e.group for _, e, _ in got[:3]] == ["red", "blue", "red"]
    assert all(e.participant_id and e.participant_id.endswith(e.group) for _, e, _ in got[:3])
    assert [e.group for _, e, _ in got[3:]] == [None, None] and got[3][1].participant_id is None
    assert [b.position(e) for _, e, _ in got] == [None, None, None, 1, 2]
    assert b.places_left() == 0 and b.counts() == {"red": 2, "blue": 1}
    key, entry, writes = got[0]
    assert writes == [Put(entry)] and entry.key_hash == key_hash(key) and b.find(key) == entry


def test_cancelling_a_place_promotes_the_first_waiting_in_order():
    b = book(capacity=2)
    (k1, e1, _), (k2, e2, _), (k3, e3, _), (k4, e4, _) = (b.sign_up(req(f"p{i}"), i) for i in range(4))
    gone, writes = b.cancel(k2, 100)
    assert gone == e2
    promoted = b.find(k3)
    assert promoted.status is Status.CONFIRMED and promoted.group == "blue" and promoted.participant_id
    assert writes == [Drop(e2.key_hash), Put(promoted), Tally(Stats(cancelled=1, promoted=1))]
    assert b.find(k2) is None and b.position(b.find(k4)) == 1
    # cancelling a waiting place promotes nobody and moves the others up
    _, writes = b.cancel(k4, 101)
    assert writes == [Drop(e4.key_hash), Tally(Stats(cancelled=2, promoted=1))]
    assert b.cancel(k4, 102) == (None, [])  # twice: nothing left of it


def test_without_capacity_everybody_gets_a_place():
    b = book()
    assert all(b.sign_up(req(), i)[1].status is Status.CONFIRMED for i in range(20))
    assert b.places_left() is None and b.counts() == {"red": 10, "blue": 10}


def test_what_is_kept_is_what_was_given():
    b = book(ask_email="no")
    _, e, _ = b.sign_up(req("  Ana   B. ", email="ana@example.org"), 5)
    assert (e.name, e.email, e.created_us) == ("Ana B.", None, 5)  # an e-mail nobody asked for is not kept
    with pytest.raises(Refused) as exc:
        book(ask_email="required").sign_up(req(), 1)
    assert exc.value.code == "email_required"
    assert book(ask_email="optional").sign_up(req(email="a@b.org"), 1)[1].email == "a@b.org"
    with pytest.raises(Refused) as exc:
        b.sign_up(SignupRequest(name="x", consent=False), 1)
    assert exc.value.code == "consent_required"
    with pytest.raises(Refused):
        b.sign_up(req("   "), 1)


def test_a_restarted_book_continues_from_its_entries():
    b = book(capacity=1)
    (k1, e1, _), (k2, e2, _) = b.sign_up(req("a"), 1), b.sign_up(req("b"), 2)
    again = book(capacity=1, entries=list(b.entries.values()), stats=b.stats)
    assert again.find(k1) == e1 and again.position(again.find(k2)) == 1
    _, e3, _ = again.sign_up(req("c"), 3)
    assert e3.seq == 3 and again.position(e3) == 2


def test_everything_is_erased_n_days_after_the_show():
    end = 1_800_000_000_000_000
    assert erase_at_us(30, end, None) == end + 30 * DAY_US
    assert erase_at_us(30, None, end + 5) == end + 5 + 30 * DAY_US  # undated: when the show record ended
    assert erase_at_us(30, None, None) is None
    b = book(capacity=1)
    k, _, _ = b.sign_up(req(), 1)
    b.sign_up(req("w"), 2)
    due = erase_at_us(30, end, None)
    assert b.sweep(due - 1, due) == [] and b.find(k) is not None
    assert b.sweep(due, due) == [EraseAll(due), Tally(Stats(erased_at_us=due))]
    assert b.entries == {} and b.sweep(due + 1, due) == []
    with pytest.raises(Refused) as exc:
        b.sign_up(req(), due + 2)
    assert exc.value.status == 409
    assert book().sweep(10**18, None) == []  # no end known: nothing is due


def test_the_gate_limits_each_address_and_forgives_with_time():
    g = SignupGate(burst=3, rate_per_min=6)  # then one every 10 s
    t = 1_000_000_000
    for _ in range(3):
        g.check("198.51.100.7", None, t)
    with pytest.raises(Refused) as exc:
        g.check("198.51.100.7", None, t)
    assert exc.value.status == 429 and exc.value.retry_after_s == 10
    g.check("203.0.113.9", None, t)  # another address is not affected
    g.check("198.51.100.7", None, t + 10_000_000)  # one more token after 10 s
    with pytest.raises(Refused):
        g.check("198.51.100.7", None, t + 10_000_001)


def test_a_scripted_flood_gets_the_rate_and_no_more():
    g = SignupGate(burst=10, rate_per_min=6)
    t, passed = 0, 0
    for i in range(601):  # 10 attempts a second for a minute (0 to 60 s)
        try:
            g.check("192.0.2.1", None, t + i * 100_000)
            passed += 1
        except Refused:
            pass
    assert passed == 10 + 6  # the burst, then 6 per minute


def test_the_invitation_code():
    g = SignupGate("Rennes-2010")
    with pytest.raises(Refused) as exc:
        g.check("a", None, 0)
    assert exc.value.code == "code_invalid" and exc.value.status == 403
    with pytest.raises(Refused):
        g.check("a", "rennes-2010", 1)
    g.check("a", "Rennes-2010", 2)
    guesses = 0
    for i in range(100):  # guessing the code is rate limited like signing up
        try:
            g.check("b", f"guess{i}", 3)
        except Refused as e:
            guesses += e.code == "code_invalid"
    assert guesses == 10


def test_the_gate_remembers_a_bounded_number_of_addresses():
    g = SignupGate(max_addresses=100)
    for i in range(1000):
        g.check(f"10.0.{i // 256}.{i % 256}", None, i)
    assert len(g._buckets) == 100


def test_names_with_control_or_bidi_characters_are_refused():
    b = book()
    for bad in ("Ana\x00", "evil\u202eexe.gpj", "\x1b[31mred"):
        with pytest.raises(Refused) as exc:
            b.sign_up(req(bad), 1)
        assert exc.value.code == "name_invalid"
    for good in ("Zoë 🎺", "Αλέξης", "می\u200cخواهم", "👩\u200d🎤 Ana"):  # ZWNJ, ZWJ are letters' glue
        assert b.sign_up(req(good), 1)[1].name == good


def test_an_email_is_checked_only_when_asked_for():
    with pytest.raises(Refused) as exc:
        book(ask_email="optional").sign_up(req(email="not an address"), 1)
    assert exc.value.code == "email_invalid"
    assert book(ask_email="no").sign_up(req(email="not an address"), 1)[1].email is None


def test_counts_follow_every_change():
    b = book(capacity=3)
    keys = [b.sign_up(req(f"p{i}"), i)[0] for i in range(6)]
    for k in (keys[0], keys[4], keys[1]):
        b.cancel(k, 10)
    assert (b.confirmed_count, b.waiting_count) == (3, 0)
    assert b.counts() == {"red": 2, "blue": 1} == {g: sum(e.group == g for e in b.confirmed) for g in ("red", "blue")}
    assert [e.name for e in b.confirmed] == ["p2", "p3", "p5"]


def test_twenty_thousand_signups_stay_fast():
    import time

    b = book(capacity=19_000)
    t0 = time.perf_counter()
    keys = [b.sign_up(req(f"p{i}"), i)[0] for i in range(20_000)]
    for k in keys[:500]:
        b.cancel(k, 1)
    elapsed = time.perf_counter() - t0
    assert (b.confirmed_count, b.waiting_count) == (19_000, 500) and b.stats.promoted == 500
    assert elapsed < 10, elapsed  # 0.2 s measured here (pytest --durations, 2 shared cores): counts kept as it goes


def test_reissue_gives_new_ids_and_keeps_the_groups_the_show_still_has():
    b = book(capacity=2)
    (ka, a, _), (kb, bb, _), (kc, c, _) = (b.sign_up(req(n), 1) for n in "abc")
    assert (a.group, bb.group, c.status) == ("red", "blue", Status.WAITING)
    # the show rendered again without "blue", with room for everybody
    keys = (f"k{i:030d}" for i in itertools.count())
    again = SignupBook((GROUPS[0],), capacity=3, ask_email="no", new_key=lambda: next(keys),
                       new_pid=lambda g: f"new-{g}", entries=list(b.entries.values()))
    writes = again.reissue()
    assert [w.entry.participant_id for w in writes] == ["new-red"] * 3
    assert [again.find(k).group for k in (ka, kb, kc)] == ["red", "red", "red"]
    assert again.find(kc).status is Status.CONFIRMED and again.counts() == {"red": 3}
