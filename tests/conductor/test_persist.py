"""flashmob.conductor.persist through the service when the state cannot be written (fake clock, real SQLite
behind a switch that makes its writes fail as a full disk does).  The real
thing — a filled tmpfs under a real ``serve`` — is tests/conductor/test_diskfull.py."""

import logging
import sqlite3

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.bundle import load_bundle
from flashmob.conductor.clock import FakeMonotonic, ServerClock
from flashmob.conductor.service import STORE_ALARM, CommandError, Options
from flashmob.conductor.store import SqliteStore
from inline import InlineConductor

S = 1_000_000


class SwitchableStore(SqliteStore):
    """Writes raise SQLITE_FULL's error while ``full``; reads always work."""

    full = False
    writes_tried = 0

    def _check(self):
        self.writes_tried += 1
        if self.full:
            raise sqlite3.OperationalError("database or disk is full")

    def save_transitions(self, show_id, transitions):
        self._check()
        return super().save_transitions(show_id, transitions)

    def add_participant(self, *a):
        self._check()
        return super().add_participant(*a)

    def add_announcement(self, *a, **kw):
        self._check()
        return super().add_announcement(*a, **kw)


class Hub:
    def __init__(self):
        self.shows = []

    def attach(self, *a):
        pass

    def detach(self, *a):
        pass

    def count(self, topic):
        return 1

    def publish(self, topic, text):
        msg = m.parse(text, "server")
        if topic == "participants" and isinstance(msg, m.ShowMsg):
            self.shows.append((msg.state, msg.revision))


@pytest.fixture
def conductor(bundle_dir, tmp_path):
    mono = FakeMonotonic(10 * S)
    clock = ServerClock(mono, initial_offset_us=0)
    store = SwitchableStore(tmp_path / "state.sqlite")
    hub = Hub()
    c = InlineConductor(load_bundle(bundle_dir), store, clock.now_us, Options(console_token="t"), hub=hub)
    return c, mono, store, hub


def test_an_armed_show_starts_and_ends_on_a_full_disk_and_is_written_later(conductor, caplog):
    c, mono, store, hub = conductor
    caplog.set_level(logging.WARNING)
    c.command(m.Arm(in_ms=6000))
    store.full = True
    mono.advance(6 * S)
    c.tick()
    assert c.record.state.value == "running" and hub.shows[-1] == ("running", 2)
    alarm = c.alarms.active(STORE_ALARM)
    assert alarm.level == "critical" and "database or disk is full" in alarm.message
    assert "OperationalError" in alarm.message and str(store.path) in alarm.message
    for _ in range(200):  # the ticker and hellos call tick often: a retry at most once a second
        mono.advance(10_000)
        c.tick()
    assert 2 <= store.writes_tried <= 5
    mono.advance(180 * S)
    c.tick()
    assert hub.shows[-1] == ("ended", 3) and c.alarms.active(STORE_ALARM).detail["unsaved_transitions"] == 2
    assert [r.getMessage()[:18] for r in caplog.records if "ALARM" in r.getMessage()] == ["ALARM store.write:"]
    assert store.transition_log(c.bundle.show_id) == [(1, "arm", "armed")]
    store.full = False
    mono.advance(S)
    c.tick()
    assert store.transition_log(c.bundle.show_id) == [(1, "arm", "armed"), (2, "started", "running"),
                                                      (3, "finished", "ended")]
    assert c.alarms.active(STORE_ALARM) is None and c.alarms.snapshot()[0].resolved_at_us is not None
    assert store.load_show(c.bundle.show_id).state.value == "ended"


def test_arm_cancel_reset_need_the_write_abort_does_not(conductor):
    c, mono, store, hub = conductor
    store.full = True
    with pytest.raises(CommandError) as err:
        c.command(m.Arm(in_ms=6000))
    assert err.value.code == m.UNAVAILABLE and "database or disk is full" in err.value.message
    assert c.record.state.value == "lobby" and hub.shows == []  # no start time ever broadcast
    store.full = False
    c.command(m.Arm(in_ms=60_000))
    store.full = True
    with pytest.raises(CommandError):
        c.command(m.Cancel())
    assert c.record.state.value == "armed"
    c.command(m.Abort(reason="storm"))  # stopping always works
    assert c.record.state.value == "aborted" and hub.shows[-1] == ("aborted", 2)
    with pytest.raises(CommandError):
        c.command(m.Reset())
    store.full = False
    c.command(m.Reset())  # writes the pending abort and the reset together
    assert [r[1] for r in store.transition_log(c.bundle.show_id)] == ["arm", "abort", "reset"]


def test_announcements_go_out_on_a_full_disk_and_are_written_later_with_their_ids(conductor):
    c, mono, store, hub = conductor
    first = c.announce(m.Announce(text="before"), c.now())
    store.full = True
    urgent = c.announce(m.Announce(text="Stop. Medic to the fountain.", level="urgent"), c.now())
    second = c.announce(m.Announce(text="Walk calmly", group="red"), c.now())
    assert (urgent.id, second.id) == (first.id + 1, first.id + 2)
    assert [a.text for a in c.recent_announcements()] == ["before", "Stop. Medic to the fountain.", "Walk calmly"]
    assert [a.text for a in c.recent_announcements("blue")] == ["before", "Stop. Medic to the fountain."]
    assert c.alarms.active(STORE_ALARM).detail["unsaved_announcements"] == 2
    assert [r[0] for r in store.announcements(c.bundle.show_id, 10)] == [first.id]
    store.full = False
    mono.advance(2 * S)
    c.tick()
    assert [(r[0], r[2]) for r in store.announcements(c.bundle.show_id, 10)] == [
        (first.id, "before"), (urgent.id, "Stop. Medic to the fountain."), (second.id, "Walk calmly")]
    assert c.alarms.active(STORE_ALARM) is None
    assert c.announce(m.Announce(text="after"), c.now()).id == second.id + 1


def right_answer(c, challenge):
    import hashlib

    data = (c.bundle.root / challenge.path).read_bytes()[challenge.offset:challenge.offset + challenge.length]
    return m.Answer(id=challenge.id, sha256=hashlib.sha256(challenge.id.encode() + data).hexdigest())


def confirm(c, adm):
    return c.answer(adm.participant_id, adm.group, right_answer(c, adm.challenge))


def test_newcomers_join_but_no_seat_is_confirmed_on_a_full_disk(conductor):
    c, mono, store, hub = conductor
    known = c.admit(m.Hello())[0]
    assert confirm(c, known).outcome == "confirmed"
    store.full = True
    newcomer = c.admit(m.Hello())[0]  # a hello writes nothing: it gets in
    assert newcomer.challenge is not None
    assert confirm(c, newcomer).outcome == "unavailable"
    seats = c.registry.seats
    assert list(seats.confirmed) == [known.participant_id]  # memory agrees with storage
    assert seats.seat(newcomer.participant_id).state == "pending"
    again, welcome = c.admit(m.Hello(participant_id=known.participant_id))
    assert again.group == known.group and not again.new and welcome.seat == "confirmed"
    assert c.feed().participants_total == 1 and c.feed().alarms[0].key == STORE_ALARM
    store.full = False
    retry = c.admit(m.Hello(participant_id=newcomer.participant_id))[0]  # the phone reconnects
    assert confirm(c, retry).outcome == "confirmed"
    assert len(store.participants(c.bundle.show_id)) == 2 == len(seats.confirmed)
    assert c.alarms.active(STORE_ALARM) is None


def test_the_filesystem_is_probed_once_per_episode(conductor, monkeypatch):
    from flashmob.conductor import persist

    c, mono, store, hub = conductor
    probes = []
    monkeypatch.setattr(persist, "os_error_probe", lambda folder: probes.append(folder) or "No space (ENOSPC)")
    confirm(c, c.admit(m.Hello())[0])
    store.full = True
    for _ in range(50):  # a crowd of phones confirming on a full disk
        assert confirm(c, c.admit(m.Hello())[0]).outcome == "unavailable"
    assert len(probes) == 1 and "the filesystem says: No space (ENOSPC)" in c.alarms.active(STORE_ALARM).message
    store.full = False
    confirm(c, c.admit(m.Hello())[0])
    store.full = True
    assert confirm(c, c.admit(m.Hello())[0]).outcome == "unavailable"
    assert len(probes) == 2  # a new episode


def test_os_error_probe_leaves_nothing_behind(tmp_path):
    from flashmob.conductor.persist import os_error_probe

    assert os_error_probe(str(tmp_path)) is None and list(tmp_path.iterdir()) == []
    assert "ENOENT" in os_error_probe(str(tmp_path / "missing"))
