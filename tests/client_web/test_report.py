"""The after-show report from a real show in Chromium: three phones (one drops out and
rejoins, one never enables sound), the console's download button, and the report's
figures (its CSV, its HTML) checked against what happened."""

from __future__ import annotations

import csv
import io
import re
import time

from .test_participant import join_and_ready, open_console, open_phone, report, wait_for


def until(predicate, timeout_s):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "the conductor did not see it in time"
        time.sleep(0.02)


def render_page(bundle, logs):
    from flashmob.tools.report.page import render_page as render

    return render(bundle, logs)


def test_the_report_tells_what_happened(browser, conductor_server, artifacts):
    from flashmob.contract import showlog as fmt
    from flashmob.tools.report.page import build

    srv = conductor_server(report=render_page)
    pages = {}
    for name in ("plays", "drops", "silent"):
        ctx, page = open_phone(browser, srv.url + "/")
        pages[name] = (ctx, page)
        if name == "silent":  # joins and verifies its files, never enables sound
            page.wait_for_selector("#join-button")
            page.click("#join-button")
            wait_for(page, "window.flashmob.report().verified", 20)
        else:
            join_and_ready(page)
        wait_for(page, "window.flashmob.report().seat === 'confirmed'", 10)
    pids = {name: report(page)["pid"] for name, (_, page) in pages.items()}
    cctx, console = open_console(browser, srv)
    assert console.is_hidden("#report"), "no report before the show"
    console.fill("#arm-in", "2")
    console.click("#arm-in-form button")
    wait_for(console, "window.flashmobConsole.show && window.flashmobConsole.show.state === 'armed'", 10)
    start = console.evaluate("window.flashmobConsole.show.start_at_us")
    for name in ("plays", "drops"):
        wait_for(pages[name][1], "window.flashmob.report().firstSample", 15)
    ctx, drops = pages["drops"]
    time.sleep(2.5)  # their "playing" statuses go out (checked every 2 s)
    live = srv.conductor.telemetry.live  # the conductor's own view of open sockets
    left_before = srv.conductor.now()
    drops.evaluate("window.flashmob.conn.ws && window.flashmob.conn.ws.close()")  # see test_seat_challenge
    wait_for(drops, "!window.flashmob.report().online", 5)
    ctx.set_offline(True)
    until(lambda: pids["drops"] not in live, 5)
    left_after = srv.conductor.now()
    time.sleep(1.0)
    back_before = srv.conductor.now()
    ctx.set_offline(False)
    drops.evaluate("window.dispatchEvent(new Event('online'))")
    until(lambda: pids["drops"] in live, 15)
    back_after = srv.conductor.now()
    time.sleep(2.5)
    console.click("#abort")
    console.fill("#abort-reason", "fin de la répétition générale")
    console.click("#abort-confirm")
    wait_for(console, "window.flashmobConsole.show.state === 'aborted'", 10)
    ended = srv.conductor.record.changed_at_us
    console.wait_for_selector("#report:not([hidden])", timeout=10_000)
    with console.expect_download(timeout=60_000) as dl:
        console.click("#report")
    page_html = open(dl.value.path(), encoding="utf-8").read()
    (artifacts / "report.html").write_text(page_html, encoding="utf-8")
    assert dl.value.suggested_filename.startswith("report-") and page_html.count("<svg") == 6
    cctx.close()
    for c, _ in pages.values():
        c.close()

    rep = build(srv.conductor.bundle.root, [srv.conductor.showlog.path])
    sid = srv.conductor.bundle.show_id
    number = {p.key: p.number for p in rep.facts.phones}
    n = {name: number[fmt.participant_key(sid, pid)] for name, pid in pids.items()}
    assert sorted(n.values()) == [1, 2, 3] and rep.facts.run.start_at_us == start
    assert rep.facts.run.outcome == "aborted" and rep.facts.run.end_at_us == ended
    people = {int(r["participant"]): r for r in csv.DictReader(io.StringIO(rep.tables["participants.csv"]))}
    plays, dropper, silent = people[n["plays"]], people[n["drops"]], people[n["silent"]]
    for row in (plays, dropper, silent):
        assert row["seen_connected_at_arm"] == row["seen_seat_at_arm"] == row["said_verified_at_arm"] == "yes"
    assert (plays["said_playing_at_start"], dropper["said_playing_at_start"], silent["said_playing_at_start"]) == \
        ("yes", "yes", "no")
    assert (plays["said_sound_on_at_arm"], silent["said_sound_on_at_arm"]) == ("yes", "no")
    assert (plays["said_engine"], silent["said_engine"], silent["said_first_position_s"]) == ("webaudio", "", "")
    assert (dropper["seen_dropouts"], dropper["seen_rejoins"], plays["seen_dropouts"], silent["seen_dropouts"]) == \
        ("1", "1", "0", "0")
    assert float(plays["said_sync_bound_median_ms"]) < 5 and abs(float(plays["said_drift_median_ms"])) < 100
    (drop,) = list(csv.DictReader(io.StringIO(rep.tables["dropouts.csv"])))
    assert drop["participant"] == str(n["drops"])
    (seen,) = rep.facts.dropouts  # the CSV's times, to the µs
    assert left_before <= seen.left_us <= left_after and back_before <= seen.back_us <= back_after
    assert drop["left_s"] == f"{(seen.left_us - start) / 1e6:.3f}"
    att = list(csv.DictReader(io.StringIO(rep.tables["attendance.csv"])))
    during = [r for r in att if 0 <= float(r["t_s"]) <= (ended - start) / 1e6]
    assert max(int(r["seen_connected_all"]) for r in during) == 3
    assert min(int(r["seen_connected_all"]) for r in during) == 2  # the dropout, seen in the attendance
    assert max(int(r["said_playing_all"]) for r in during) == 2  # the silent phone never played
    # the downloaded page says the same as the tables (rendered from the same log by the conductor)
    row = lambda what: re.search(rf"<td>{re.escape(what)}</td><td class=n>([^<]*)</td><td class=src>([^<]*)<",
                                 page_html).groups()
    assert row("participants (connected between arm and end)") == ("3", "conductor saw")
    assert row("dropouts during the show") == ("1", "conductor saw")
    assert row("playing at the start (position within 10 s)") == ("2", "self-reported")
    assert row("sound on at arm") == ("2", "self-reported")
    assert "1 dropouts, 1 rejoins" in page_html and "none (sound never on)" in page_html
    assert not any(pid in page_html for pid in pids.values())
