"""conductor/rehearsal.py: the rehearsal record beside the real one (pure rules)."""

import dataclasses

import pytest

from flashmob.conductor import rehearsal as R
from flashmob.conductor import show as S
from flashmob.conductor.show import IllegalTransition, State

D = 10_000_000
LEAD = 5_000_000


def pair():
    return S.new_record(D), S.new_record(D, rehearsal=True)


def test_the_rehearsal_record_is_marked_and_the_real_one_is_not():
    real, reh = pair()
    assert reh.rehearsal is True and not real.rehearsal
    assert R.store_key("3f9a0c1b2d4e5f60", reh) == "3f9a0c1b2d4e5f60:rehearsal"
    assert R.store_key("3f9a0c1b2d4e5f60", real) == "3f9a0c1b2d4e5f60"


def test_arming_the_rehearsal_moves_it_only_with_a_revision_above_both():
    real, reh = pair()
    real = dataclasses.replace(real, revision=7)  # a show rehearsed after some real moves
    out = R.apply(real, reh, S.Arm(start_at_us=100 + LEAD), 100, to_rehearsal=True, min_lead_us=LEAD)
    assert [t.name for t in out] == ["arm"]
    after = out[-1].after
    assert after.rehearsal and after.state is State.ARMED and after.revision == 8
    assert all(t.after.rehearsal for t in out)  # the real record is in no transition
    assert R.followed(real, after) is after  # phones follow the record moved last
    assert R.active(real, after) is after


def test_the_rehearsal_runs_and_ends_by_the_clock_like_a_show():
    real, reh = pair()
    reh = R.apply(real, reh, S.Arm(start_at_us=LEAD), 0, to_rehearsal=True, min_lead_us=LEAD)[-1].after
    clock = S.advance(reh, LEAD + D)
    assert [t.name for t in clock] == ["started", "finished"]
    assert clock[-1].after.state is State.ENDED and clock[-1].after.rehearsal
    assert S.advance(real, LEAD + D) == []  # the real record has no deadline


@pytest.mark.parametrize("other_state", [State.ARMED, State.RUNNING])
def test_one_record_active_at_a_time(other_state):
    real, reh = pair()
    busy = dataclasses.replace(real, state=other_state, start_at_us=10**12, revision=3)
    with pytest.raises(IllegalTransition, match=f"cannot arm the rehearsal: the show is {other_state.value}"):
        R.apply(busy, reh, S.Arm(start_at_us=10**12), 0, to_rehearsal=True, min_lead_us=LEAD)
    busy_reh = dataclasses.replace(reh, state=other_state, start_at_us=10**12, revision=3)
    for event in (S.Arm(start_at_us=10**12), S.Reset()):
        with pytest.raises(IllegalTransition, match=f"the show: a rehearsal is {other_state.value}"):
            R.apply(real, busy_reh, event, 0, to_rehearsal=False, min_lead_us=LEAD)


def test_an_ended_rehearsal_does_not_block_the_show_and_the_show_then_leads():
    real, reh = pair()
    reh = R.apply(real, reh, S.Arm(start_at_us=LEAD), 0, to_rehearsal=True, min_lead_us=LEAD)[-1].after
    reh = S.advance(reh, LEAD + D)[-1].after  # ended, revision 3, never reset
    now = LEAD + D + 1
    out = R.apply(real, reh, S.Arm(start_at_us=now + LEAD), now, to_rehearsal=False, min_lead_us=LEAD)
    armed = out[-1].after
    assert not armed.rehearsal and armed.revision == reh.revision + 1
    assert R.followed(armed, reh) is armed


def test_rehearsal_commands_name_the_rehearsal_when_refused():
    real, reh = pair()
    with pytest.raises(IllegalTransition, match="cannot cancel: the rehearsal is lobby"):
        R.apply(real, reh, S.Cancel(), 0, to_rehearsal=True)


def test_a_clock_transition_of_the_other_record_counts_before_the_guard():
    """A show whose end has passed is ended, not running: the rehearsal may be armed."""
    real, reh = pair()
    running = dataclasses.replace(real, state=State.RUNNING, start_at_us=0, revision=2)
    out = R.apply(running, reh, S.Arm(start_at_us=D + LEAD), D, to_rehearsal=True, min_lead_us=LEAD)
    assert out[-1].after.state is State.ARMED and out[-1].after.revision == 4  # above the real "finished" (3)


def test_followed_ties_keep_the_real_record():
    real, reh = pair()
    assert R.followed(real, reh) is real


def test_the_store_writer_keeps_the_two_records_apart(tmp_path):
    """persist.execute: rehearsal transitions go to <show_id>:rehearsal, the real row is not written."""
    from flashmob.conductor import effects as fx
    from flashmob.conductor.persist import Describer, execute
    from flashmob.conductor.store import SqliteStore

    store = SqliteStore(tmp_path / "s.sqlite")
    real, reh = pair()
    store.save_record("3f9a0c1b2d4e5f60", real)
    out = R.apply(real, reh, S.Arm(start_at_us=LEAD), 0, to_rehearsal=True, min_lead_us=LEAD)
    outcomes = execute(store, "3f9a0c1b2d4e5f60", (fx.SaveTransitions(tuple(out)),), Describer(store, None))
    assert outcomes == (None,)
    assert store.load_show("3f9a0c1b2d4e5f60") == real
    assert store.transition_log("3f9a0c1b2d4e5f60") == []
    loaded = store.load_show("3f9a0c1b2d4e5f60:rehearsal")
    assert loaded.state is State.ARMED and loaded.revision == 1
    assert store.transition_log("3f9a0c1b2d4e5f60:rehearsal") == [(1, "arm", "armed")]
    store.close()


def test_the_rehearsal_flag_of_a_command_is_a_boolean_or_refused():
    from flashmob.conductor import messages as m

    assert m.parse('{"type": "arm", "in_ms": 9000, "rehearsal": true}', "console").rehearsal is True
    assert m.parse('{"type": "reset"}', "console").rehearsal is False
    with pytest.raises(m.ProtocolError) as err:
        m.parse('{"type": "abort", "rehearsal": "yes"}', "console")
    assert err.value.code == m.BAD_MESSAGE and "rehearsal" in err.value.message
