"""flashmob.conductor.service with a fake clock, the real SQLite store and a recording hub."""

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.bundle import load_bundle
from flashmob.conductor.clock import FakeMonotonic, ServerClock
from flashmob.conductor.service import CommandError, Options
from flashmob.conductor.show import IllegalTransition
from flashmob.conductor.store import SqliteStore
from inline import InlineConductor

S = 1_000_000


class RecordingHub:
    def __init__(self, store, show_id):
        self.store, self.show_id = store, show_id
        self.published = []
        self.consoles = 0

    def attach(self, *a):
        pass

    def detach(self, *a):
        pass

    def count(self, topic):
        return self.consoles if topic == "consoles" else 1

    def publish(self, topic, text):
        # what the database holds at the moment of the broadcast
        self.published.append((topic, m.parse(text, "server"), len(self.store.transition_log(self.show_id))))
        return 1


@pytest.fixture
def setup(bundle_dir, tmp_path):
    def make(db=tmp_path / "state.sqlite", **opts):
        bundle = load_bundle(bundle_dir)
        mono = FakeMonotonic(10 * S)
        clock = ServerClock(mono, initial_offset_us=0)
        store = SqliteStore(db)
        hub = RecordingHub(store, bundle.show_id)
        steps = []
        c = InlineConductor(bundle, store, clock.now_us, Options(console_token="t", **opts), hub=hub,
                      allow_clock_steps=steps.append)
        return c, mono, hub, steps
    return make


def test_every_transition_is_stored_before_it_is_broadcast(setup):
    c, mono, hub, _ = setup()
    c.command(m.Arm(in_ms=6000))
    mono.advance(6 * S)
    c.tick()
    mono.advance(180 * S)
    c.tick()
    shows = [(p[1].state, p[2]) for p in hub.published if p[0] == "participants"]
    assert shows == [("armed", 1), ("running", 2), ("ended", 3)]


def test_restart_resumes_the_same_record(setup, tmp_path):
    c, mono, hub, _ = setup()
    pid = c.admit(m.Hello())[0].participant_id
    c.command(m.Arm(start_at_us=c.now() + 10 * S))
    start = c.record.start_at_us
    c.store.close()
    c2, mono2, hub2, steps = setup()
    assert c2.record.state.value == "armed" and c2.record.start_at_us == start
    assert steps[-1] is False  # no clock steps while armed
    assert c2.admit(m.Hello(participant_id=pid))[0].group == c.registry.known[pid]


def test_restart_long_after_start_catches_up(setup):
    c, mono, hub, _ = setup()
    c.command(m.Arm(in_ms=5000))
    c.store.close()
    c2, mono2, hub2, steps = setup()
    # the fake clock of the new process is far ahead: the constructor's tick catches up
    mono2.advance(1000 * S)
    c2.tick()
    assert c2.record.state.value == "ended"
    assert steps[-1] is True


def test_command_errors(setup):
    c, *_ = setup()
    with pytest.raises(CommandError, match="exactly one"):
        c.command(m.Arm(in_ms=6000, start_at_us=c.now() + 10 * S))
    with pytest.raises(CommandError, match="more than a year"):
        c.command(m.Arm(in_ms=2**52))
    with pytest.raises(IllegalTransition):
        c.command(m.Abort())
    with pytest.raises(CommandError, match="no group 'green'"):
        c.command(m.Announce(text="x", group="green"))


def test_announcement_routing_and_replay(setup):
    c, mono, hub, _ = setup()
    c.command(m.Announce(text="all", level="info"))
    c.command(m.Announce(text="reds", level="urgent", group="red"))
    topics = [(p[0], p[1].text) for p in hub.published if p[1].TYPE == "announcement"]
    assert topics == [("participants", "all"), ("group:red", "reds")]
    adm, welcome = c.admit(m.Hello())
    expected = ["all", "reds"] if adm.group == "red" else ["all"]
    assert [a.text for a in welcome.announcements] == expected
    mono.advance(16 * 60 * S)  # older than 15 minutes: not replayed
    assert c.admit(m.Hello())[1].announcements == ()


def test_feed_only_when_consoles_and_changes(setup):
    c, mono, hub, _ = setup()
    assert not c.publish_feed()
    hub.consoles = 1
    assert c.publish_feed()
    assert not c.publish_feed()
    c.admit(m.Hello())
    assert c.publish_feed()
    assert c.publish_feed(force=True)


def test_urls(setup):
    c, *_ = setup(public_url="https://mob.example.org/", assign="fixed")
    assert c.join_url() == "https://mob.example.org/"
    assert c.join_url("red").startswith("https://mob.example.org/?g=red&k=")
    assert c.console_url() == "https://mob.example.org/console#token=t"
    assert set(c.console_welcome().group_join_urls) == {"red", "blue"}


def test_welcome_is_never_behind_the_clock(setup):
    c, mono, hub, _ = setup()
    c.command(m.Arm(in_ms=5000))
    mono.advance(5 * S)  # the ticker has not run yet
    assert c.admit(m.Hello())[1].show.state == "running"
    assert c.store.load_show(c.bundle.show_id).state.value == "running"  # stored as well


def test_a_seat_the_store_could_not_write_is_not_confirmed(setup, monkeypatch):
    import hashlib

    c, mono, hub, _ = setup(capacity=1)
    adm, welcome = c.admit(m.Hello())
    ch = adm.challenge
    data = (c.bundle.root / ch.path).read_bytes()[ch.offset:ch.offset + ch.length]
    answer = m.Answer(id=ch.id, sha256=hashlib.sha256(ch.id.encode() + data).hexdigest())

    def disk_full(*a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(c.store, "add_participant", disk_full)
    assert c.answer(adm.participant_id, adm.group, answer).outcome == "unavailable"
    assert c.alarms.active("store.write") is not None
    assert c.registry.seats.confirmed == {} and c.registry.seats.seat(adm.participant_id).state == "pending"
    monkeypatch.undo()
    again = c.answer(adm.participant_id, adm.group, answer)  # stale: the open challenge was consumed
    assert again.outcome == "stale"
    ch = again.challenge
    data = (c.bundle.root / ch.path).read_bytes()[ch.offset:ch.offset + ch.length]
    ok = c.answer(adm.participant_id, adm.group,
                  m.Answer(id=ch.id, sha256=hashlib.sha256(ch.id.encode() + data).hexdigest()))
    assert ok.outcome == "confirmed" and c.store.participants(c.bundle.show_id) == {adm.participant_id: adm.group}
