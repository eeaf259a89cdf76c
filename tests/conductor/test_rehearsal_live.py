"""A rehearsal through a real uvicorn: armed and run like the show, by the same phones, while the
real record, its transition log and the seats stay as they were, across a restart."""

from flashmob.conductor.store import SqliteStore


def _seats(srv):
    return srv.conductor.registry.seats.summary()


def test_rehearsal_runs_on_its_own_record_and_survives_a_restart(live_server, tmp_path):
    db = tmp_path / "state.sqlite"
    srv = live_server(duration_ms=1500, min_lead_s=0.3, capacity=3, db_path=db)
    show_id = srv.conductor.bundle.show_id
    a, _ = srv.confirmed_phone()
    b, _ = srv.confirmed_phone()
    real_before = srv.conductor.record
    seats_before = _seats(srv)
    console = srv.console()

    console.send({"type": "arm", "in_ms": 500, "rehearsal": True, "ref": "r1"})
    ack = console.expect("ack", ref="r1")
    assert ack["show"]["rehearsal"] is True and ack["show"]["state"] == "armed"
    for phone in (a, b):  # the same phones, told with the usual show frame, marked
        armed = phone.expect("show", state="armed")
        assert armed["rehearsal"] is True and armed["start_at_us"] == ack["show"]["start_at_us"]
        assert armed["revision"] > real_before.revision

    console.send({"type": "arm", "in_ms": 60_000, "ref": "real"})  # one record active at a time
    err = console.expect("error", ref="real")
    assert err["code"] == "illegal_transition" and "a rehearsal is armed" in err["message"]

    a.expect("show", state="running", rehearsal=True)
    ended = a.expect("show", state="ended", rehearsal=True, timeout=5)
    assert ended["changed_at_us"] == ack["show"]["start_at_us"] + 1_500_000

    # the real show: same record (state, revision), no transition written; the seats as they were
    assert srv.conductor.record == real_before
    assert srv.conductor.store.transition_log(show_id) == []
    assert [r[1] for r in srv.conductor.store.transition_log(show_id + ":rehearsal")] == ["arm", "started",
                                                                                         "finished"]
    assert _seats(srv) == seats_before and seats_before["confirmed"] == 2
    feed = console.expect("feed")
    while feed["rehearsal"]["state"] != "ended":  # feeds sent before the end are still queued
        feed = console.expect("feed")
    assert "rehearsal" not in feed["show"] and feed["show"]["state"] == "lobby"
    assert feed["rehearsal"]["state"] == "ended" and feed["seats"]["confirmed"] == 2
    # a phone that joins now is told the record phones follow: the rehearsal's
    late, welcome = srv.phone()
    assert welcome["show"]["rehearsal"] is True and welcome["show"]["state"] == "ended"
    late.close()

    for c in (a, b, console):
        c.close()
    srv.stop()
    store = SqliteStore(db)
    assert store.load_show(show_id).state.value == "lobby" and store.load_show(show_id).revision == 0
    assert len(store.participants(show_id)) == 2  # the late phone never answered: no seat
    store.close()

    again = live_server(bundle=srv.conductor.bundle.root, db_path=db, min_lead_s=0.3, capacity=3)
    console = again.console()
    assert again.conductor.rehearsal_record.state.value == "ended" and again.conductor.rehearsal_record.rehearsal
    assert again.conductor.record.state.value == "lobby"
    console.send({"type": "reset", "rehearsal": True, "ref": "r2"})
    assert console.expect("ack", ref="r2")["show"]["state"] == "lobby"
    console.send({"type": "arm", "in_ms": 60_000, "ref": "real"})  # the show leads again
    armed = console.expect("ack", ref="real")["show"]
    assert armed["state"] == "armed" and "rehearsal" not in armed
    assert armed["revision"] > again.conductor.rehearsal_record.revision
    assert [r[1] for r in again.conductor.store.transition_log(show_id)] == ["arm"]
    assert _seats(again)["confirmed"] == 2


def test_a_full_show_can_be_rehearsed_and_its_seats_do_not_move(live_server):
    """Capacity 1, taken: the rehearsal needs no seat, confirms none, releases none, refuses no more."""
    srv = live_server(duration_ms=600, min_lead_s=0.3, capacity=1)
    phone, _ = srv.confirmed_phone()
    before = srv.conductor.registry.seats.summary()
    console = srv.console()
    console.send({"type": "arm", "in_ms": 400, "rehearsal": True, "ref": "r"})
    assert console.expect("ack", ref="r")["show"]["rehearsal"] is True
    phone.expect("show", state="ended", rehearsal=True, timeout=5)
    assert srv.conductor.registry.seats.summary() == before
    assert before["confirmed"] == 1 and before["capacity"] == 1
    assert len(srv.conductor.store.participants(srv.conductor.bundle.show_id)) == 1
