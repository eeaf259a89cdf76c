"""flashmob.conductor.show: the transition table, clock-driven moves, refusals."""

import pytest

from flashmob.conductor import show as s
from flashmob.conductor.show import State

S = 1_000_000
DURATION = 180 * S


def rec(state=State.LOBBY, start=None):
    return s.ShowRecord(state=state, duration_us=DURATION, start_at_us=start)


COMMANDS = {s.Arm: s.Arm(start_at_us=100 * S), s.Cancel: s.Cancel(), s.Abort: s.Abort("rain"), s.Reset: s.Reset()}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("event_type", list(COMMANDS))
def test_command_table(state, event_type):
    # now = 0 and start = 50 s: no clock transition interferes
    start = 50 * S if state in (State.ARMED, State.RUNNING) else None
    record = rec(state, start)
    if state is State.RUNNING:
        record = rec(State.RUNNING, start=-1 * S)  # started a second ago
    expected = s.TRANSITIONS.get((state, event_type))
    if expected is None:
        with pytest.raises(s.IllegalTransition) as info:
            s.apply(record, COMMANDS[event_type], 0)
        assert f"the show is {state.value}" in str(info.value)
        assert "allowed when the show is" in str(info.value)
    else:
        out = s.apply(record, COMMANDS[event_type], 0)
        assert out[-1].after.state is expected
        assert out[-1].after.revision == record.revision + 1


def test_table_is_exactly_the_specified_graph():
    edges = {(a.value, s.EVENT_NAMES[e], b.value) for (a, e), b in s.TRANSITIONS.items()}
    assert edges == {
        ("lobby", "arm", "armed"), ("armed", "cancel", "lobby"), ("armed", "started", "running"),
        ("armed", "abort", "aborted"), ("running", "finished", "ended"), ("running", "abort", "aborted"),
        ("ended", "reset", "lobby"), ("aborted", "reset", "lobby"),
    }


def test_arm_needs_minimum_lead():
    with pytest.raises(s.IllegalTransition, match="too soon"):
        s.apply(rec(), s.Arm(start_at_us=4 * S), 0)
    out = s.apply(rec(), s.Arm(start_at_us=5 * S), 0)
    assert out[-1].after.start_at_us == 5 * S
    with pytest.raises(s.IllegalTransition):
        s.apply(rec(), s.Arm(start_at_us=1 * S), 0, min_lead_us=2 * S)
    s.apply(rec(), s.Arm(start_at_us=2 * S), 0, min_lead_us=2 * S)


def test_clock_drives_running_then_ended():
    show = s.Show(rec())
    show.apply(s.Arm(start_at_us=10 * S), 0)
    assert show.advance(10 * S - 1) == []
    [t] = show.advance(10 * S)
    assert (t.name, t.after.state, t.after.changed_at_us) == ("started", State.RUNNING, 10 * S)
    assert show.position_us(12 * S) == 2 * S
    assert show.advance(10 * S + DURATION - 1) == []
    [t] = show.advance(10 * S + DURATION + 5)
    assert t.after.state is State.ENDED and t.after.changed_at_us == 10 * S + DURATION
    assert t.after.start_at_us == 10 * S  # phones that come late still know where the show was


def test_advance_can_jump_two_states_with_scheduled_stamps():
    out = s.advance(rec(State.ARMED, start=10 * S), 10 * S + DURATION + 60 * S)
    assert [t.name for t in out] == ["started", "finished"]
    assert [t.after.changed_at_us for t in out] == [10 * S, 10 * S + DURATION]


def test_cancel_after_start_is_refused_with_hint():
    record = rec(State.ARMED, start=10 * S)
    with pytest.raises(s.IllegalTransition, match="running.*abort it instead"):
        s.apply(record, s.Cancel(), 10 * S)
    out = s.apply(record, s.Cancel(), 10 * S - 1)
    assert out[-1].after == s.ShowRecord(State.LOBBY, DURATION, None, 1, None, 10 * S - 1)


def test_abort_keeps_start_and_reason_reset_clears():
    out = s.apply(rec(State.ARMED, start=10 * S), s.Abort("storm"), 12 * S)
    assert [t.name for t in out] == ["started", "abort"]
    aborted = out[-1].after
    assert aborted.state is State.ABORTED and aborted.reason == "storm" and aborted.start_at_us == 10 * S
    lobby = s.apply(aborted, s.Reset(), 13 * S)[-1].after
    assert lobby.state is State.LOBBY and lobby.start_at_us is None and lobby.reason is None


def test_refusal_leaves_record_untouched():
    show = s.Show(rec())
    before = show.record
    with pytest.raises(s.IllegalTransition):
        show.apply(s.Cancel(), 0)
    assert show.record is before


def test_clock_events_are_not_commands():
    with pytest.raises(TypeError):
        s.apply(rec(), s.Started(), 0)


def test_next_deadline():
    assert rec().next_deadline_us() is None
    assert rec(State.ARMED, 7).next_deadline_us() == 7
    assert rec(State.RUNNING, 7).next_deadline_us() == 7 + DURATION
