"""The conductor core with a rehearsal (conductor/rehearsal.py), on a fake clock and the real
SQLite store: stored before broadcast, the clock held while it is armed, resumed after a restart."""

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.show import IllegalTransition

from test_service import S, setup  # noqa: F401  (the fixture)


def test_a_rehearsal_is_stored_apart_before_it_is_broadcast(setup):  # noqa: F811
    c, mono, hub, steps = setup()
    rkey = c.core.bundle.show_id + ":rehearsal"
    pid = c.admit(m.Hello())[0].participant_id
    ack = c.command(m.Arm(in_ms=6000, rehearsal=True))
    assert ack.show.rehearsal and ack.show.state.value == "armed"
    assert steps[-1] is False  # no clock steps while a rehearsal is armed either
    mono.advance(6 * S)
    c.tick()
    mono.advance(180 * S)
    c.tick()
    shows = [(p[1].state, p[1].rehearsal, len(c.store.transition_log(rkey))) for p in hub.published
             if p[0] == "participants"]
    assert shows == [("armed", True, 3), ("running", True, 3), ("ended", True, 3)]
    assert c.store.transition_log(c.core.bundle.show_id) == []
    assert c.record.state.value == "lobby" and c.record.revision == 0
    assert steps[-1] is True
    # a phone rejoining is told the record phones follow: the ended rehearsal
    welcome = c.admit(m.Hello(participant_id=pid))[1]
    assert welcome.show.rehearsal and welcome.show.state.value == "ended"
    with pytest.raises(IllegalTransition, match="cannot reset: the show is lobby"):
        c.command(m.Reset())
    assert c.command(m.Reset(rehearsal=True)).show.state.value == "lobby"


def test_a_restart_resumes_an_armed_rehearsal(setup):  # noqa: F811
    c, mono, hub, _ = setup()
    c.command(m.Arm(start_at_us=c.now() + 30 * S, rehearsal=True))
    start = c.core.rehearsal_record.start_at_us
    c.store.close()
    c2, mono2, hub2, steps = setup()
    assert c2.core.rehearsal_record.state.value == "armed" and c2.core.rehearsal_record.start_at_us == start
    assert c2.core.rehearsal_record.rehearsal is True and c2.record.state.value == "lobby"
    assert steps[-1] is False
    with pytest.raises(IllegalTransition, match="a rehearsal is armed"):
        c2.command(m.Arm(in_ms=60_000))


def test_several_conductors_refuse_a_rehearsal(setup):  # noqa: F811
    """With --redis the other nodes follow the show's record only: a rehearsal is refused, clearly."""
    from flashmob.conductor.service import CommandError

    c, *_ = setup(shared=True)
    with pytest.raises(CommandError, match="a rehearsal needs one conductor"):
        c.command(m.Arm(in_ms=60_000, rehearsal=True))
    assert c.core.rehearsal_record.state.value == "lobby" and c.record.state.value == "lobby"
