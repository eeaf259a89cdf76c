"""flashmob.conductor.registry: assignment modes, capacity, stability, aggregation."""

import random
from collections import Counter

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.bundle import GroupInfo
from flashmob.conductor.registry import JoinRefused, Registry
from flashmob.conductor.seats import Policy, SeatBook
from flashmob.contract.grouptokens import GroupSigner
from flashmob.contract.secret import new_key as new_secret

GROUPS = (GroupInfo("red", "Reds", "#f00", 1), GroupInfo("blue", "Blues", "#00f", 2),
          GroupInfo("staff", "Staff", "#999", 0))


def ids():
    n = iter(range(10**9))
    return lambda group: f"p{next(n)}"


FILES = {g.id: ((f"{g.id}/seg-0.mp3", 1000),) for g in GROUPS}


def make(mode="balanced", *, capacity=None, known=None, **kw):
    seats = SeatBook(Policy(capacity=capacity), FILES, digest=lambda c: "0" * 64, confirmed=known)
    return Registry(GROUPS, seats, mode, **kw)


def confirm(reg, adm):
    """Answer the admission's challenge right (the fake digest is all zeros)."""
    return reg.seats.answer(adm.participant_id, adm.group, adm.challenge.id, "0" * 64, 1)


def test_balanced_follows_shares():
    reg = make("balanced", new_id=ids())
    got = Counter(reg.admit(m.Hello(), 0).group for _ in range(300))
    assert got == {"red": 100, "blue": 200}


def test_balanced_counts_restored_participants():
    reg = make("balanced", new_id=ids(), known={f"old{i}": "blue" for i in range(10)})
    assert [reg.admit(m.Hello(), 0).group for _ in range(5)] == ["red"] * 5


def test_random_by_share_and_never_zero_share():
    reg = make("random", rng=random.Random(4), new_id=ids())
    got = Counter(reg.admit(m.Hello(), 0).group for _ in range(3000))
    assert got["staff"] == 0 and 0.28 < got["red"] / 3000 < 0.39


def test_known_participant_keeps_group_whatever_it_asks():
    reg = make("choice", new_id=ids())
    first = reg.admit(m.Hello(group="red"), 0)
    again = reg.admit(m.Hello(participant_id=first.participant_id, group="blue"), 0)
    assert (again.group, again.new, again.participant_id) == ("red", False, first.participant_id)
    assert reg.counts["red"] == 1


def test_unknown_id_gets_a_new_one():
    reg = make(new_id=ids())
    assert reg.admit(m.Hello(participant_id="forged"), 0).participant_id != "forged"


def test_choice_requires_a_valid_group():
    reg = make("choice", new_id=ids())
    with pytest.raises(JoinRefused) as info:
        reg.admit(m.Hello(), 0)
    assert info.value.code == m.GROUP_REQUIRED and info.value.detail == {"groups": ["red", "blue", "staff"]}
    with pytest.raises(JoinRefused) as info:
        reg.admit(m.Hello(group="green"), 0)
    assert info.value.code == m.GROUP_INVALID
    assert reg.admit(m.Hello(group="staff"), 0).group == "staff"


def test_fixed_needs_signed_token():
    signer = GroupSigner(new_secret(), "show")
    reg = make("fixed", signer=signer, new_id=ids())
    for hello, code in [(m.Hello(), m.GROUP_REQUIRED),
                        (m.Hello(group="red"), m.GROUP_TOKEN_INVALID),
                        (m.Hello(group="red", group_token=signer.sign("blue")), m.GROUP_TOKEN_INVALID)]:
        with pytest.raises(JoinRefused) as info:
            reg.admit(hello, 0)
        assert info.value.code == code
    assert reg.admit(m.Hello(group="blue", group_token=signer.sign("blue")), 0).group == "blue"
    assert len(reg.known) == 1  # refusals admitted nobody


def test_capacity_refuses_newcomers_not_returning_people():
    reg = make(capacity=2, new_id=ids())
    a = reg.admit(m.Hello(), 0)
    for _ in range(5):  # unconfirmed seats hold nothing
        reg.admit(m.Hello(), 0)
    confirm(reg, a)
    confirm(reg, reg.admit(m.Hello(), 0))
    with pytest.raises(JoinRefused) as info:
        reg.admit(m.Hello(), 0)
    assert info.value.code == m.CAPACITY_REACHED and "at most 2" in info.value.message and info.value.fatal
    again = reg.admit(m.Hello(participant_id=a.participant_id), 0)
    assert again.group == a.group and again.challenge is None


def test_bad_configuration():
    with pytest.raises(ValueError):
        make("lottery")
    with pytest.raises(ValueError):
        make("fixed")


def test_aggregation():
    reg = make("balanced", new_id=ids())
    adms = [reg.admit(m.Hello(), 0) for _ in range(6)]
    pids = [a.participant_id for a in adms]
    for i in (0, 1, 5):
        confirm(reg, adms[i])
    for pid in pids[:4]:
        reg.connected(pid)
    reg.connected(pids[0])  # a second tab of the same phone counts once
    reg.report(pids[0], m.Status(verified=True, sync_error_us=800, engine="webaudio", position_us=1_010_000,
                                 output_latency_us=200_000),
               expected_position_us=1_000_000)
    reg.report(pids[1], m.Status(verified=True, sync_error_us=30_000, engine="media", position_us=990_000),
               expected_position_us=1_000_000)
    reg.report(pids[2], m.Status(verified=False, sync_error_us=500_000), expected_position_us=None)
    reg.report(pids[5], m.Status(verified=True), expected_position_us=None)  # not connected: ignored
    reg.report(pids[3], m.Status(verified=True), expected_position_us=None)  # claims it, never confirmed
    counts = {g.id: (g.participants, g.connected, g.ready) for g in reg.group_counts()}
    assert sum(c[1] for c in counts.values()) == 4
    assert sum(c[2] for c in counts.values()) == 2  # connected with a confirmed seat: 0 and 1, not 3
    assert sum(c[0] for c in counts.values()) == 3  # confirmed seats
    hist = reg.sync_histogram()
    assert hist.counts[0] == 1 and hist.counts[5] == 1 and hist.counts[-1] == 1 and hist.unknown == 1
    assert reg.engines() == {"media": 1, "unknown": 2, "webaudio": 1}
    assert reg.drift() == {"playing": 2, "median_us": 0, "max_abs_us": 10_000}
    assert reg.output_latency() == {"reported": 1, "median_us": 200_000, "max_us": 200_000, "over_150ms": 1}
    reg.disconnected(pids[0])
    assert sum(g.connected for g in reg.group_counts()) == 4
    reg.disconnected(pids[0])
    assert sum(g.connected for g in reg.group_counts()) == 3


def test_trouble_counts_connected_phones_per_reason():
    reg = make("balanced", new_id=ids())
    pids = [reg.admit(m.Hello(), 0).participant_id for _ in range(5)]
    for pid in pids[:4]:
        reg.connected(pid)
    assert reg.trouble() == {}
    reg.report(pids[0], m.Status(verified=True, trouble="decode"), expected_position_us=None)
    reg.report(pids[1], m.Status(verified=True, trouble="decode"), expected_position_us=None)
    reg.report(pids[2], m.Status(verified=True, trouble="start"), expected_position_us=None)
    reg.report(pids[3], m.Status(verified=True), expected_position_us=None)
    reg.report(pids[4], m.Status(verified=True, trouble="media"), expected_position_us=None)  # not connected
    assert reg.trouble() == {"decode": 2, "start": 1}
    reg.report(pids[1], m.Status(verified=True, trouble=None), expected_position_us=None)  # solved
    reg.disconnected(pids[2])
    assert reg.trouble() == {"decode": 1}


def test_signed_ids_get_their_group_back_after_the_seat_is_gone():
    signer = GroupSigner(new_secret(), "show")
    reg = make("balanced", signer=signer)
    adm = reg.admit(m.Hello(), 0)
    assert len(adm.participant_id) == 28
    reg.seats.release_pending()  # as after a timeout, a full pool or a restart
    again = reg.admit(m.Hello(participant_id=adm.participant_id), 5)
    assert (again.participant_id, again.group, again.new) == (adm.participant_id, adm.group, False)
    forged = adm.participant_id[:-1] + ("A" if adm.participant_id[-1] != "A" else "B")
    assert reg.admit(m.Hello(participant_id=forged), 6).participant_id != forged
    other = make("balanced", signer=GroupSigner(new_secret(), "show"))  # another secret
    assert other.admit(m.Hello(participant_id=adm.participant_id), 7).participant_id != adm.participant_id
