"""The show log and GET /api/report on a real uvicorn: phones on real sockets, a short show,
the report rendered by tools/report (injected, as flashmob serve does), guarded by the console token."""

import csv
import io
import time

import httpx

from conductor_testkit import TOKEN


def renderer():
    from flashmob.tools.report.page import render_page

    return render_page


def test_the_report_after_a_show_on_real_sockets(live_server, tmp_path):
    srv = live_server(duration_ms=2_000, report=renderer(), min_lead_s=0.5, db_path=tmp_path / "s.sqlite")
    url = f"{srv.url}/api/report"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong-token-wrong-token"}).status_code == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = httpx.get(url, headers=auth)
    assert r.status_code == 409 and "once the show ended; it is lobby" in r.json()["error"]
    a, _ = srv.confirmed_phone()
    b, _ = srv.confirmed_phone()
    c, _ = srv.phone()  # never answers its challenge, never says anything
    for p in (a, b):
        p.send({"type": "status", "verified": True, "engine": "webaudio", "sync_error_us": 1500,
                "output_latency_us": 30_000})
    console = srv.console()
    console.send({"type": "arm", "in_ms": 600})
    start = console.expect("ack")["show"]["start_at_us"]
    a.expect("show", state="running", timeout=5)
    for p in (a, b):
        p.send({"type": "status", "verified": True, "engine": "webaudio", "sync_error_us": 1500,
                "output_latency_us": 30_000, "position_us": 100_000})
    time.sleep(0.3)
    b.close()  # b drops out during the show
    a.expect("show", state="ended", timeout=5)
    r = httpx.get(url, headers=auth, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"].startswith("attachment; filename=\"report-")
    page = r.text
    assert page.count("<svg") == 6 and "self-reported" in page
    a.close()
    c.close()
    log = srv.conductor.showlog.path
    assert log == tmp_path / "s.sqlite.showlog" and log.stat().st_size > 32
    from flashmob.tools.report.page import build

    rep = build(srv.conductor.bundle.root, [log])
    people = list(csv.DictReader(io.StringIO(rep.tables["participants.csv"])))
    assert len(people) == 3 and rep.facts.run.start_at_us == start and rep.facts.run.outcome == "ended"
    assert [p["seen_seat_at_arm"] for p in people] == ["yes", "yes", "no"]
    assert [p["said_playing_at_start"] for p in people] == ["yes", "yes", "no"]
    assert [p["seen_dropouts"] for p in people] == ["0", "1", "0"]
    assert [p["said_engine"] for p in people] == ["webaudio", "webaudio", ""]
