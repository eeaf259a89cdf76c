"""tools/report: show logs written by the conductor's real recorder -> facts, CSV, the HTML page, the command."""

import csv
import io
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "conductor"))

from conductor_testkit import write_bundle  # noqa: E402

from flashmob.conductor.recorder import Recorder  # noqa: E402
from flashmob.contract import showlog as fmt  # noqa: E402
from flashmob.tools.report.facts import NoShow, collect  # noqa: E402
from flashmob.tools.report.logs import read_logs  # noqa: E402
from flashmob.tools.report.page import ReportError, build, make_report  # noqa: E402

S = 1_000_000
T0 = 1_000 * S


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return write_bundle(tmp_path_factory.mktemp("rep") / "bundle", duration_ms=60_000)


def ids(bundle):
    man = json.loads((bundle / "manifest.json").read_text())
    return man["show_id"], [g["id"] for g in man["groups"]]


def st(rec, t, pid, *, engine="webaudio", position=None, drift=None, bound=3000, latency=25_000):
    rec.status(t, pid, verified=True, sync_error_us=bound, engine=engine, output_latency_us=latency,
               position_us=position, drift_us=drift, trouble=None)


def show(rec, t, state, start, revision, rehearsal=False):
    rec.show(t, state, start_at_us=start, revision=revision, duration_us=60 * S, rehearsal=rehearsal)


def write(path, *recs):
    path.write_bytes(fmt.header() + b"".join(r.take() for r in recs))
    return path


def a_show(bundle, tmp_path, *, rehearsal_first=True):
    """Four phones: p0, p1 play; p2 drops out at +20 s and rejoins at +25 s; p3 never enables sound.
    Before it, a rehearsal run (left out of the report)."""
    sid, groups = ids(bundle)
    rec = Recorder(sid, groups)
    rec.boot(T0, "rev")
    show(rec, T0, "lobby", None, 0)
    for i in range(4):
        rec.joined(T0 + i * S, f"p{i}", groups[i % 2], confirmed=False, known=False)
        rec.seat(T0 + i * S + S // 2, f"p{i}", groups[i % 2])
        st(rec, T0 + i * S + S, f"p{i}", engine=None if i == 3 else "webaudio")
    t = T0 + 10 * S
    if rehearsal_first:
        show(rec, t, "armed", t + 5 * S, 1, rehearsal=True)
        show(rec, t + 5 * S, "running", t + 5 * S, 2, rehearsal=True)
        rec.left(t + 7 * S, "p0")  # a dropout during the rehearsal: not the show's
        rec.joined(t + 8 * S, "p0", groups[0], confirmed=True, known=True)
        show(rec, t + 9 * S, "aborted", t + 5 * S, 3, rehearsal=True)
        show(rec, t + 10 * S, "lobby", None, 4, rehearsal=True)
        t += 20 * S
    arm, start = t, t + 5 * S
    show(rec, arm, "armed", start, 5)
    show(rec, start, "running", start, 6)
    for k in range(0, 60, 10):
        for i in range(3):
            if i == 2 and 20 <= k < 30:
                continue
            st(rec, start + k * S + S, f"p{i}", position=k * S, drift=(i - 1) * 1000, bound=(i + 1) * 2000)
    rec.left(start + 20 * S, "p2")
    rec.joined(start + 25 * S, "p2", groups[0], confirmed=True, known=True)
    show(rec, start + 60 * S, "ended", start, 7)
    rec.left(start + 62 * S, "p1")  # after the end: not a dropout
    return rec, arm, start


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_the_report_counts_what_happened(bundle, tmp_path):
    rec, arm, start = a_show(bundle, tmp_path)
    log = write(bundle / "state.sqlite.showlog", rec)
    try:
        rep = build(bundle)
    finally:
        log.unlink()
    f = rep.facts
    assert (f.run.start_at_us, f.run.armed_at_us, f.run.outcome) == (start, arm, "ended")
    assert f.run.rehearsals_left_out == 1
    people = rows(rep.tables["participants.csv"])
    assert [p["participant"] for p in people] == ["1", "2", "3", "4"]
    by = {p["participant"]: p for p in people}
    assert [by[n]["seen_dropouts"] for n in "1234"] == ["0", "0", "1", "0"]  # the rehearsal's dropout left out
    assert by["3"]["seen_rejoins"] == "1"
    assert [by[n]["said_playing_at_start"] for n in "1234"] == ["yes", "yes", "yes", "no"]
    assert [by[n]["said_sound_on_at_arm"] for n in "1234"] == ["yes", "yes", "yes", "no"]
    assert by["4"]["said_engine"] == "" and by["4"]["said_first_position_s"] == ""
    assert by["1"]["said_drift_median_ms"] == "-1.000" and by["3"]["said_drift_max_abs_ms"] == "1.000"
    assert by["2"]["said_sync_bound_median_ms"] == "4.000"
    assert by["1"]["seen_first_join_s"] == f"{(T0 - start) / 1e6:.3f}"
    drops = rows(rep.tables["dropouts.csv"])
    assert drops == [{"participant": "3", "group": "Reds", "left_s": "20.000", "back_s": "25.000"}]
    att = rows(rep.tables["attendance.csv"])
    at = {float(r["t_s"]): int(r["seen_connected_all"]) for r in att}
    assert at[20.0] == 3 and at[25.0] == 4 and list(at.values())[-1] == 3  # p1 left after the end
    playing = {float(r["t_s"]): int(r["said_playing_all"]) for r in att}
    assert playing[1.0] == 3  # p0..p2 said so from +1 s; p3 never did
    assert playing[20.0] == 2 and playing[25.0] == 2  # p2 dropped: not playing; back: not until it says so
    assert playing[31.0] == 3 and list(playing.values())[-1] == 2  # p2 reports a position again; p1 left
    summary = {r["what"]: (r["value"], r["source"]) for r in rows(rep.tables["summary.csv"])}
    assert summary["participants (connected between arm and end)"] == ("4", "conductor saw")
    assert summary["playing at the start (position within 10 s)"] == ("3", "self-reported")
    assert summary["dropouts during the show"] == ("1", "conductor saw")
    page = rep.html
    assert page.count("<svg") == 6 and "<img" not in page and "http" not in page.split("<svg", 1)[0]
    for p in ("p0", "p1", "p2", "p3"):
        assert f">{p}<" not in page and f"\"{p}\"" not in page  # no participant id anywhere
    assert "self-reported" in page and "conductor saw" in page and "Rehearsal" not in page
    assert "data:text/csv" in page
    from flashmob.tools.report.figures import valid_svg_ids

    ids_ = valid_svg_ids(page)
    assert len(ids_) == len(set(ids_)), "six inline SVGs: no id defined twice in one page"
    assert "Attendance over time, per group" in page and "connected (conductor saw: open sockets)" in page
    assert "playing (self-reported by the phones: from the status that gave a position" in page
    assert "Sync error bounds (self-reported by the phones; 3 phones)" in page


def test_two_nodes_merge_and_a_restart_closes_a_nodes_sockets(bundle, tmp_path):
    sid, groups = ids(bundle)
    a, b = Recorder(sid, groups), Recorder(sid, groups)
    for r in (a, b):
        r.boot(T0, "rev")
        show(r, T0, "lobby", None, 0)
    a.joined(T0 + S, "x", groups[0], confirmed=True, known=False)
    b.joined(T0 + S, "y", groups[1], confirmed=True, known=False)
    start = T0 + 10 * S
    for r in (a, b):  # both nodes log the same transitions: counted once
        show(r, T0 + 5 * S, "armed", start, 1)
        show(r, start, "running", start, 2)
    b.boot(start + 10 * S, "rev")  # node b restarted: y's socket is gone without a LEAVE
    a.joined(start + 12 * S, "y", groups[1], confirmed=True, known=True)  # y comes back through node a
    for r in (a, b):
        show(r, start + 60 * S, "ended", start, 3)
    paths = [write(tmp_path / "a.showlog", a), write(tmp_path / "b.showlog", b)]
    f = collect(read_logs(paths).records, len(groups))
    assert f.nodes == 2 and len(f.phones) == 2 and f.run.rehearsals_left_out == 0
    y = next(p for p in f.phones if p.group == 1)
    assert (y.dropouts, y.rejoins, y.nodes) == (1, 1, 2)
    assert [(d.left_us - start, d.back_us - start) for d in f.dropouts] == [(10 * S, 12 * S)]


def test_no_show_and_bad_logs_are_clear_errors(bundle, tmp_path):
    sid, groups = ids(bundle)
    rec = Recorder(sid, groups)
    show(rec, T0, "armed", T0 + 5 * S, 1)
    show(rec, T0 + S, "lobby", None, 2)  # cancelled
    show(rec, T0 + 2 * S, "armed", T0 + 8 * S, 3, rehearsal=True)
    show(rec, T0 + 8 * S, "running", T0 + 8 * S, 4, rehearsal=True)
    with pytest.raises(NoShow, match="no show that started and was not a rehearsal .2 arm.s., 1 start.s., 1 of"):
        collect(read_logs([write(tmp_path / "x.showlog", rec)]).records, 2)
    (tmp_path / "junk.showlog").write_bytes(b"hello")
    with pytest.raises(ReportError, match="junk.showlog: 5 bytes, expected a 32-byte show-log header"):
        build(bundle, [tmp_path / "junk.showlog"])
    with pytest.raises(ReportError, match="no show log"):
        build(bundle)


def test_the_command_writes_the_page_and_the_tables(bundle, tmp_path):
    from flashmob.cli import main

    rec, _, _ = a_show(bundle, tmp_path, rehearsal_first=False)
    log = write(tmp_path / "node1.showlog", rec)
    with open(log, "ab") as f:
        f.write(b"\1\2\3")  # a torn last record: ignored, said
    assert main(["report", str(bundle), "-o", str(tmp_path / "out"), "--log", str(log)]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["attendance.csv", "dropouts.csv", "participants.csv", "report.html", "summary.csv"]
    page = (tmp_path / "out" / "report.html").read_text()
    assert "3 byte(s) of a partial last record were ignored" in page
    assert main(["report", str(bundle), "-o", str(tmp_path / "out2")]) == 1  # no log in the bundle folder


def test_a_log_that_begins_during_the_show(bundle, tmp_path):
    """A conductor that started (or whose log was new) while the show ran: the run is known from its boot record."""
    sid, groups = ids(bundle)
    rec = Recorder(sid, groups)
    start = T0
    rec.boot(T0 + 20 * S, "rev")
    show(rec, T0 + 20 * S, "running", start, 2)
    rec.joined(T0 + 21 * S, "z", groups[0], confirmed=True, known=True)
    st(rec, T0 + 22 * S, "z", position=22 * S, drift=0)
    show(rec, T0 + 60 * S, "ended", start, 3)
    f = collect(read_logs([write(tmp_path / "late.showlog", rec)]).records, len(groups))
    assert (f.run.start_at_us, f.run.armed_at_us, f.run.outcome) == (start, start, "ended")
    assert len(f.phones) == 1 and not f.phones[0].playing_at_start and f.phones[0].first_position_us == T0 + 22 * S


def test_flashmob_serve_hands_the_conductor_this_renderer(bundle, tmp_path):
    """The console's download (GET /api/report) renders with what flashmob serve injects."""
    from flashmob.cli.serve import _report_renderer

    rec, _, _ = a_show(bundle, tmp_path, rehearsal_first=False)
    page = _report_renderer(bundle, [write(tmp_path / "n.showlog", rec)])
    assert page.startswith("<!doctype html>") and page.count("<svg") == 6


def test_garbage_records_never_crash_the_report(bundle, tmp_path):
    """Random records after a valid header (a damaged log): a report or a clear ReportError, nothing else."""
    import random

    from flashmob.tools.report import tables

    rng = random.Random(7)
    rec, _, _ = a_show(bundle, tmp_path, rehearsal_first=False)
    good = rec.take()
    for trial in range(20):
        junk = bytearray(good)
        for _ in range(rng.randrange(1, 40)):  # bytes flipped anywhere in the records
            junk[rng.randrange(len(junk))] = rng.randrange(256)
        junk += bytes(rng.randrange(256) for _ in range(32 * rng.randrange(0, 5)))
        path = tmp_path / f"junk{trial}.showlog"
        path.write_bytes(fmt.header() + bytes(junk))
        if trial < 2:  # the whole page (its pictures take most of the time)
            try:
                assert build(bundle, [path]).html.count("<svg") == 6
            except ReportError:
                pass
            continue
        try:
            facts = collect(read_logs([path]).records, 2)
        except NoShow:
            continue
        assert len(tables.all_tables(facts, ["Reds", "Blues"])) == 4
