"""flashmob.conductor.writeback: one batch in flight, nothing reordered, what a failure keeps (pure: no store)."""

from flashmob.conductor import effects as fx
from flashmob.conductor import messages as m
from flashmob.conductor import show as showmod
from flashmob.conductor.writeback import Part, WriteBack

FAIL = fx.WriteFailure(error="database or disk is full", code="SQLITE_FULL", description="cannot write: full")


def transitions(record, event, now):
    return tuple(showmod.apply(record, event, now, min_lead_us=0))


def test_parts_wait_for_the_batch_in_flight_and_go_out_together_in_order():
    wb = WriteBack()
    rec = showmod.new_record(1_000_000)
    arm = transitions(rec, showmod.Arm(start_at_us=100), 0)
    [first] = wb.submit(Part(transitions=arm, durable=True, reply="arm"), 0)
    assert isinstance(first, fx.Persist) and first.writes == (fx.SaveTransitions(arm),)
    seat = fx.AddParticipant("p1", "red", 1)
    info = m.AnnouncementInfo(id=1, level="info", text="hi", group=None, sent_at_us=2)
    assert wb.submit(Part(writes=(seat,), reply="seat"), 1) == []  # waits: one batch in flight
    assert wb.submit(Part(writes=(fx.AddAnnouncement(info),), reply="ann"), 2) == []
    results, effects = wb.completed(first.token, (None,), 3)
    assert [(p.reply, f) for p, f in results] == [("arm", None)]
    clear, nxt = effects
    assert clear == fx.ClearAlarm("store.write")
    assert nxt.writes == (seat, fx.AddAnnouncement(info))  # both, in submission order
    results, effects = wb.completed(nxt.token, (None, None), 4)
    assert [p.reply for p, _ in results] == ["seat", "ann"] and not wb.busy


def test_a_failed_durable_part_is_dropped_a_failed_clock_part_is_kept_and_retried():
    wb = WriteBack(retry_us=1_000_000)
    rec = showmod.new_record(10)
    armed = transitions(rec, showmod.Arm(start_at_us=5), 0)
    [p] = wb.submit(Part(transitions=armed, durable=True, reply="arm"), 0)
    results, effects = wb.completed(p.token, (FAIL,), 0)
    assert results[0][1] == FAIL and wb.transitions_unwritten == []  # refused: nothing kept
    assert isinstance(effects[0], fx.RaiseAlarm) and "cannot write: full" in effects[0].message
    started = tuple(showmod.advance(armed[-1].after, 5))
    [p] = wb.submit(Part(transitions=started, reply="clock"), 5)
    results, effects = wb.completed(p.token, (FAIL,), 5)
    assert wb.transitions_unwritten == list(started)
    assert effects[0].detail["unsaved_transitions"] == 1
    assert wb.retry(5 + 999_999) == []  # at most once a second
    [again] = wb.retry(5 + 1_000_000)
    assert again.writes == (fx.SaveTransitions(started),)
    finished = tuple(showmod.advance(started[-1].after, 15))
    assert wb.submit(Part(transitions=finished, reply="clock"), 15) == []  # behind the retry
    results, effects = wb.completed(again.token, (FAIL,), 16)
    [nxt] = [e for e in effects if isinstance(e, fx.Persist)]
    assert nxt.writes == (fx.SaveTransitions(started + finished),)  # the retried ones first, then the new
    results, effects = wb.completed(nxt.token, (None,), 17)
    assert wb.transitions_unwritten == [] and effects == [fx.ClearAlarm("store.write")]


def test_a_failed_announcement_keeps_its_id_for_later():
    wb = WriteBack(retry_us=10)
    info = m.AnnouncementInfo(id=7, level="urgent", text="Stop", group=None, sent_at_us=0)
    [p] = wb.submit(Part(writes=(fx.AddAnnouncement(info),), reply="ann"), 0)
    results, effects = wb.completed(p.token, (FAIL,), 0)
    assert results[0][1] == FAIL and wb.announcements_unwritten == [info]
    assert effects[0].detail["unsaved_announcements"] == 1
    [retry] = wb.retry(10)
    assert retry.writes == (fx.AddAnnouncement(info),)
    wb.completed(retry.token, (None,), 11)
    assert wb.unwritten == 0
