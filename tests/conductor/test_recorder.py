"""flashmob.conductor.recorder: the show log's records, downsampled and bounded (injected time);
conductor.showlogfile: the append-only file; and the core feeding them (an inline conductor)."""

import tracemalloc

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.recorder import Recorder
from flashmob.conductor.show import State
from flashmob.conductor.showlogfile import ShowLogFile
from flashmob.contract import showlog as fmt

S = 1_000_000
GROUPS = ("red", "blue")


def records(rec: Recorder) -> list[fmt.Record]:
    return list(fmt.parse(fmt.header() + rec.take()).records)


def status(rec, t, pid="p", **kw):
    fields = dict(verified=True, sync_error_us=3000, engine="webaudio", output_latency_us=20_000, position_us=None,
                  drift_us=None, trouble=None)
    fields.update(kw)
    rec.status(t, pid, **fields)


def test_the_format_agrees_with_the_conductor():
    assert fmt.STATES == tuple(s.value for s in State)
    assert fmt.TROUBLES == m.TROUBLES
    assert fmt.RECORD.size == fmt.HEADER.size == 32


def test_a_status_is_kept_when_it_changes_and_otherwise_sampled():
    rec = Recorder("show", GROUPS, sample_show_us=30 * S, sample_idle_us=120 * S)
    rec.joined(0, "p", "blue", confirmed=False, known=False)
    for t in range(0, 100 * S, 10 * S):  # a settled phone in the lobby: every 10 s the same
        status(rec, t)
    got = [r for r in records(rec) if r.kind == fmt.STATUS]
    assert [r.t_us for r in got] == [0]  # idle: every 120 s
    rec.show(100 * S, "armed", start_at_us=110 * S, revision=1, duration_us=60 * S)
    status(rec, 100 * S)  # same, sampled 100 s ago: not yet at 120 s ... but armed samples every 30 s
    status(rec, 105 * S, sync_error_us=9000)  # the bound more than doubled: a change
    status(rec, 107 * S, sync_error_us=9500)  # same power of two: no change
    status(rec, 110 * S, sync_error_us=9500, position_us=0, drift_us=-1200)  # playing: a change
    for t in range(120 * S, 200 * S, 10 * S):
        status(rec, t, sync_error_us=9500, position_us=t - 110 * S, drift_us=500)
    got = [r for r in records(rec) if r.kind == fmt.STATUS]
    assert [r.t_us // S for r in got] == [100, 105, 110, 140, 170]
    r = got[2]
    assert r.group == 1 and fmt.engine_name(r.engine) == "webaudio" and r.a == 9500 and r.b == 20_000
    assert r.flags & fmt.F_VERIFIED and r.flags & fmt.F_POSITION and r.flags & fmt.F_DRIFT and r.c == -1200
    assert fmt.SOURCE[fmt.STATUS] == "self-reported" and fmt.SOURCE[fmt.JOIN] == "conductor"


def test_fields_are_clamped_and_unknown_names_coded():
    rec = Recorder("show", GROUPS)
    rec.joined(0, "p", "nope", confirmed=True, known=True)
    status(rec, 1, engine="x" * 32, trouble="decode", sync_error_us=None, output_latency_us=10 ** 12,
           position_us=-(10 ** 13))
    join, st = records(rec)
    assert join.group == fmt.NO_GROUP and join.flags == fmt.F_CONFIRMED | fmt.F_KNOWN and join.a == 1
    assert st.engine == fmt.OTHER and fmt.trouble_name(st.flags) == "decode"
    assert fmt.opt(st.a) is None and st.b == fmt.I32_MAX and st.c == fmt.NONE + 1
    assert st.who == fmt.participant_key("show", "p") != fmt.participant_key("other show", "p")


def test_a_phone_and_the_log_are_capped_and_the_drops_are_noted():
    rec = Recorder("show", GROUPS, max_per_phone=5, max_records=50)
    rec.joined(0, "p", "red", confirmed=True, known=False)
    for i in range(20):  # a hostile phone flipping its engine at every frame
        status(rec, i * S, engine="media" if i % 2 else "webaudio")
    rec.flush_notes(20 * S)
    got = records(rec)
    assert sum(r.kind in (fmt.JOIN, fmt.STATUS) for r in got) == 5
    notes = [r for r in got if r.kind == fmt.DROPPED]
    assert sum(n.a for n in notes) == rec.dropped == 16 and {n.b for n in notes} == {fmt.DROP_PHONE_FULL}
    assert [n.t_us // S for n in notes] == [4, 14, 20]  # at the first drop, then at most every 10 s, then flushed
    for i in range(100):  # many phones: the log's cap
        rec.joined(100 * S + i, f"q{i}", "blue", confirmed=False, known=False)
    rec.flush_notes(200 * S)
    got = records(rec)
    assert rec.records == 50  # the cap, notes included
    log_full = [r for r in got if r.kind == fmt.DROPPED and r.b == fmt.DROP_LOG_FULL]
    kept_before = 5 + 3
    assert len(log_full) == 1 and log_full[0] == got[-1] and log_full[0].t_us == 100 * S + (50 - 1 - kept_before)
    assert rec.full and rec.dropped == 16 + 100 - (50 - 1 - kept_before)


def test_memory_holds_only_phones_with_a_socket():
    rec = Recorder("show", GROUPS)
    rec.joined(0, "p", "red", confirmed=True, known=False)
    rec.joined(1, "p", "red", confirmed=True, known=True)  # a second tab
    rec.left(2, "p")
    assert rec.phones == 1
    rec.left(None, "p")  # no time given: the last one seen
    assert rec.phones == 0
    left = [r for r in records(rec) if r.kind == fmt.LEAVE]
    assert [(r.t_us, r.a) for r in left] == [(2, 1), (2, 0)]
    status(rec, 3)  # a status from nobody known: nothing
    assert rec.take() == b""


def phones_hour(rec: Recorder, pids: list[str], start_us: int) -> None:
    """Phones as the web client sends: join 10 min before, statuses every 10 s (playing: with a
    position), an hour's show; armed a minute before the start."""
    for pid in pids:
        rec.joined(start_us - 600 * S, pid, "red", confirmed=False, known=False)
        rec.seat(start_us - 599 * S, pid, "red")
    for t in range(start_us - 600 * S, start_us + 3600 * S, 10 * S):
        if t == start_us - 60 * S:
            rec.show(t, "armed", start_at_us=start_us, revision=1, duration_us=3600 * S)
        if t == start_us:
            rec.show(t, "running", start_at_us=start_us, revision=2, duration_us=3600 * S)
        for pid in pids:
            if t < start_us:
                status(rec, t, pid)
            else:
                status(rec, t, pid, position_us=t - start_us, drift_us=(t // S) % 7 * 100)
    for pid in pids:
        rec.left(start_us + 3600 * S, pid)


def test_bytes_and_memory_per_phone_over_an_hour():
    """The numbers in docs/report.md ("Bounds"): run with -s to see them."""
    phones = 2000
    rec = Recorder("show", GROUPS)
    phones_hour(rec, ["p0", "p1", "p2"], 700 * S)
    got = records(rec)
    assert sum(r.kind == fmt.SHOW for r in got) == 2
    bytes_per_phone = (len(got) - 2) * fmt.RECORD.size // 3
    assert bytes_per_phone <= fmt.RECORD.size * 140, bytes_per_phone  # ~3.9 KB: 20,000 phones ~ 80 MB
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for i in range(phones):
        rec.joined(0, f"x{i}", "blue", confirmed=True, known=False)
        status(rec, 1, f"x{i}")
    rec.take()
    held = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    print(f"\nshow log: {bytes_per_phone} bytes per phone-hour ({bytes_per_phone // 32} records); "
          f"{held / phones:.0f} bytes of memory per connected phone; 20,000 phones: "
          f"{20_000 * bytes_per_phone / 1e6:.0f} MB of log, {20_000 * held / phones / 1e6:.1f} MB of memory")
    assert held / phones < 600


def test_the_file_appends_keeps_its_header_and_cuts_a_torn_record(tmp_path):
    path = tmp_path / "state.sqlite.showlog"
    rec = Recorder("show", GROUPS)
    rec.boot(5, "rev")
    f = ShowLogFile(path)
    f.append(rec.take())
    f.close()
    with open(path, "ab") as raw:
        raw.write(b"\1" * 7)  # a crash in the middle of a record
    assert fmt.read(path).torn_bytes == 7
    f = ShowLogFile(path)  # a restart: appends after the whole records
    rec.boot(6, "rev")
    f.append(rec.take())
    f.close()
    got = fmt.read(path)
    assert got.torn_bytes == 0 and [r.t_us for r in got.records] == [5, 6]
    bad = tmp_path / "other"
    bad.write_bytes(b"SQLite format 3\0" + b"\0" * 100)
    with pytest.raises(fmt.ShowLogError, match="not a flashmob show log"):
        ShowLogFile(bad)
    assert bad.read_bytes().startswith(b"SQLite")  # never overwritten


def test_a_failing_write_loses_records_and_never_raises(tmp_path, caplog):
    f = ShowLogFile(tmp_path / "x.showlog")
    import os

    os.close(f._fd)
    f._fd = os.open(os.devnull, os.O_RDONLY)  # writes fail (EBADF), as on a full disk
    f.append(b"\0" * 32)
    f.append(b"\0" * 32)
    assert f.lost_bytes == 64
    assert sum("cannot write" in r.getMessage() for r in caplog.records) == 1
    f.close()


def test_the_core_feeds_the_recorder(setup_inline):
    c, mono = setup_inline()
    from flashmob.conductor.session import ParticipantSession

    s = ParticipantSession(c.core, 1)
    c.drive(s, m.to_wire(m.Hello()))
    c.drive(s, m.to_wire(m.Status(verified=True, engine="media", sync_error_us=4000)))
    c.command(m.Arm(in_ms=6000))
    mono.advance(7 * S)
    c.tick()
    c.drive(s, m.to_wire(m.Status(verified=True, engine="media", sync_error_us=4000, position_us=1_000_000)))
    c.execute(s.disconnected(c.now()))
    got = records(c.core.recorder)
    kinds = [fmt.KINDS[r.kind] for r in got]
    assert kinds[:2] == ["boot", "show"] and "join" in kinds and kinds[-1] == "leave"
    shows = [fmt.STATES[r.group] for r in got if r.kind == fmt.SHOW]
    assert shows == ["lobby", "armed", "running"]
    playing = [r for r in got if r.kind == fmt.STATUS][-1]
    assert playing.flags & fmt.F_DRIFT and abs(playing.c) < 1_000_000  # position 1 s, show time ~1 s


@pytest.fixture
def setup_inline(bundle_dir, tmp_path):
    from flashmob.conductor.bundle import load_bundle
    from flashmob.conductor.clock import FakeMonotonic, ServerClock
    from flashmob.conductor.service import Options
    from flashmob.conductor.store import SqliteStore
    from inline import InlineConductor

    def make():
        mono = FakeMonotonic(10 * S)
        clock = ServerClock(mono, initial_offset_us=0)
        c = InlineConductor(load_bundle(bundle_dir), SqliteStore(tmp_path / "s.sqlite"), clock.now_us,
                            Options(console_token="t", min_lead_us=1_000_000))
        return c, mono
    return make


def test_a_rehearsal_is_logged_flagged_and_left_out_of_the_report(setup_inline):
    """A rehearsal armed and run from the console (conductor/rehearsal.py), then the show: the log
    flags the rehearsal's transitions and the report's run is the real show."""
    import numpy as np

    from flashmob.tools.report.facts import find_run
    from flashmob.tools.report.logs import DTYPE

    c, mono = setup_inline()
    c.command(m.Arm(in_ms=2000, rehearsal=True))
    mono.advance(3 * S)
    c.tick()
    c.command(m.Abort(reason="enough practice", rehearsal=True))
    c.command(m.Arm(in_ms=2000))
    start = c.record.start_at_us
    mono.advance(3 * S)
    c.tick()
    got = records(c.core.recorder)
    shows = [(fmt.STATES[r.group], bool(r.flags & fmt.F_REHEARSAL)) for r in got if r.kind == fmt.SHOW]
    assert shows == [("lobby", False), ("armed", True), ("running", True), ("aborted", True), ("armed", False),
                     ("running", False)]
    recs = np.frombuffer(b"".join(fmt.pack(r) for r in got), dtype=DTYPE)
    merged = np.zeros(len(recs), dtype=[*DTYPE.descr, ("node", "<u2")])
    for name in DTYPE.names:
        merged[name] = recs[name]
    run = find_run(merged)
    assert run.start_at_us == start and run.rehearsals_left_out == 1 and run.outcome == "running"


def test_a_conductor_refuses_a_file_that_is_not_a_show_log(bundle_dir, tmp_path):
    from flashmob.conductor.app import ServerConfig, build_conductor

    db = tmp_path / "state.sqlite"
    (tmp_path / "state.sqlite.showlog").write_text("my notes\n" * 10)
    with pytest.raises(fmt.ShowLogError, match=r"state\.sqlite\.showlog: not a flashmob show log"):
        build_conductor(ServerConfig(bundle_dir=bundle_dir, db_path=db, token="t" * 20))
    conductor, _, _ = build_conductor(ServerConfig(bundle_dir=bundle_dir, db_path=db, token="t" * 20,
                                                   showlog_path=tmp_path / "elsewhere.showlog"))
    conductor.close()  # the state file's lock was released by the refusal: a second start works
    conductor.state_lock.release()
    assert fmt.read(tmp_path / "elsewhere.showlog").records[0].kind == fmt.BOOT
    assert (tmp_path / "state.sqlite.showlog").read_text().startswith("my notes")
