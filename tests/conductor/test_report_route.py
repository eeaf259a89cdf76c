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
    assert r.status_code == 409 and "no show that started" in r.json()["error"]
    a, _ = srv.confirmed_phone()
    b, _ = srv.confirmed_phone()
    c, _ = srv.phone()  # never answers its challenge, never says anything
    for p in (a, b):
        p.send({"type": "status", "verified": True, "engine": "webaudio", "sync_error_us": 1500,
                "output_latency_us": 30_000})
    console = srv.console()
    console.send({"type": "arm", "in_ms": 600})
    start = console.expect("ack")["show"]["start_at_us"]
    r = httpx.get(url, headers=auth)
    assert r.status_code == 409 and r.json()["error"].split("it is ")[1] in ("armed", "running")
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
    t = time.perf_counter()
    assert httpx.get(url, headers=auth, timeout=30).text == page  # kept: nothing changed since
    assert time.perf_counter() - t < 0.5
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


def test_wrong_tokens_are_throttled_like_console_logins(live_server):
    from flashmob.conductor.loginthrottle import LoginThrottle

    srv = live_server(duration_ms=2_000, report=renderer())
    url = f"{srv.url}/api/report"
    codes = [httpx.get(url, headers={"Authorization": f"Bearer guess-{i:020d}"}).status_code
             for i in range(LoginThrottle.MAX_FAILURES + 1)]
    assert codes[:LoginThrottle.MAX_FAILURES] == [401] * LoginThrottle.MAX_FAILURES and codes[-1] == 429
    r = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 429 and "retry in" in r.json()["error"]  # locked out, even with the right one
    c = srv.ws("/ws/console")  # and the console's login from this address too: one throttle
    c.send({"type": "console_hello", "token": TOKEN})
    assert c.expect("error")["code"] == "unauthorized"
