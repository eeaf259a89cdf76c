"""Sign-ups through the real conductor (uvicorn on loopback): sign up, restart, cancel, waiting list, floods."""

import json
import sqlite3
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from flashmob.contract.signups import FORMAT, SIGNUP_FILE, KEY_HEADER
from conductor_testkit import TOKEN, write_bundle

NOTICE = "We keep your name until 30 days after the show, to print badges. Questions: org@example.org"


def signup_bundle(root, **settings):
    b = write_bundle(root)
    (b / SIGNUP_FILE).write_text(json.dumps({"format": FORMAT, "version": 1, "privacy": NOTICE, **settings}))
    return b


def post(server, name="Ana", **kw):
    return httpx.post(f"{server.url}/api/signup", json={"name": name, "consent": True, **kw}, timeout=10)


def me(server, key, method="GET", path="/api/signup/me"):
    return httpx.request(method, f"{server.url}{path}", headers={KEY_HEADER: key}, timeout=10)


def console_get(server, path, token=TOKEN):
    return httpx.get(f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def bundle(tmp_path):
    return signup_bundle(tmp_path / "signup-bundle", capacity=2, email="optional")


def test_sign_up_gives_a_personal_link_the_phone_joins_with_and_a_restart_keeps_it(live_server, bundle):
    server = live_server(bundle=bundle)
    info = httpx.get(f"{server.url}/api/signup", timeout=10).json()
    assert info["open"] is True and info["privacy"] == NOTICE and info["email"] == "optional"
    assert (info["capacity"], info["places_left"], info["code_required"], info["keep_days"]) == (2, 2, False, 30)
    r = post(server, "Ana", email="ana@example.org")
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    view = r.json()
    key, pid = view["key"], view["participant_id"]
    assert view["status"] == "confirmed" and view["group"] in ("red", "blue") and view["email"] == "ana@example.org"
    assert parse_qs(urlsplit(view["join_url"]).query) == {"i": [pid]}
    # the phone that opens the personal link says hello with that id and gets that group
    phone, welcome = server.phone(participant_id=pid)
    assert (welcome["participant_id"], welcome["group"]) == (pid, view["group"])
    phone.close()
    assert "key" not in me(server, key).json() and me(server, key).json()["participant_id"] == pid
    server.stop()
    again = live_server(bundle=bundle)  # same bundle, same state file
    v2 = me(again, key).json()
    assert (v2["participant_id"], v2["group"], v2["name"]) == (pid, view["group"], "Ana")
    phone, welcome = again.phone(participant_id=pid)
    assert welcome["group"] == view["group"]
    phone.close()


def test_capacity_waiting_list_and_cancel_deletes(live_server, bundle):
    server = live_server(bundle=bundle)
    a, b, c, d = (post(server, n).json() for n in ("Ana", "Bo", "Cy", "Di"))
    assert [v["status"] for v in (a, b, c, d)] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert (c["position"], d["position"], c["participant_id"], c["join_url"], c["group"]) == (1, 2, None, None, None)
    assert {a["group"], b["group"]} == {"red", "blue"}
    gone = me(server, b["key"], "DELETE")
    assert gone.status_code == 200 and gone.json() == {"deleted": True}
    assert me(server, b["key"]).status_code == 404 and me(server, b["key"], "DELETE").status_code == 404
    promoted = me(server, c["key"]).json()
    assert promoted["status"] == "confirmed" and promoted["group"] == b["group"] and promoted["participant_id"]
    assert me(server, d["key"]).json()["position"] == 1
    summary = console_get(server, "/api/signups").json()
    assert {k: summary[k] for k in ("confirmed", "waiting", "cancelled", "promoted", "capacity")} == {
        "confirmed": 2, "waiting": 1, "cancelled": 1, "promoted": 1, "capacity": 2}
    assert {g["id"]: g["signups"] for g in summary["groups"]} == {"red": 1, "blue": 1}
    # nothing of Bo is left in the state file (the row is deleted, not flagged)
    db = sqlite3.connect(str(bundle / ".flashmob-conductor.sqlite"))
    names = [r[0] for r in db.execute("SELECT name FROM signups")]
    db.close()
    assert sorted(names) == ["Ana", "Cy", "Di"]


def test_the_console_exports_the_badge_csv_and_needs_its_token(live_server, bundle):
    server = live_server(bundle=bundle)
    a = post(server, "=Ana").json()
    post(server, "Bo")
    post(server, "Waiting Person")
    assert console_get(server, "/api/signups", token="wrong-token-0123456789").status_code == 401
    assert httpx.get(f"{server.url}/api/signups.csv", timeout=10).status_code == 401
    r = console_get(server, "/api/signups.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = r.text.splitlines()
    assert rows[0] == "name,handle,group,participant_id" and len(rows) == 3  # the waiting person has no badge
    assert rows[1] == f"'=Ana,,{a['group']},{a['participant_id']}"  # no formula for a spreadsheet


def test_refusals_say_why(live_server, bundle):
    server = live_server(bundle=bundle)
    no_consent = httpx.post(f"{server.url}/api/signup", json={"name": "x", "consent": False}, timeout=10)
    assert (no_consent.status_code, no_consent.json()["code"]) == (400, "consent_required")
    bad = httpx.post(f"{server.url}/api/signup", json={"name": "x" * 65, "consent": True}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"].startswith("name:")
    huge = httpx.post(f"{server.url}/api/signup", content=b"{" + b" " * 10_000 + b"}", timeout=10)
    assert huge.status_code == 400
    assert httpx.post(f"{server.url}/api/signup", content=b"[1]", timeout=10).status_code == 400
    assert me(server, "x" * 30).status_code == 404
    assert httpx.get(f"{server.url}/api/signup/me", timeout=10).status_code == 404


def test_a_flood_from_one_address_is_refused(live_server, tmp_path):
    server = live_server(bundle=signup_bundle(tmp_path / "b"), signup_burst=5, signup_rate_per_min=1)
    codes = [post(server, f"bot{i}").status_code for i in range(12)]
    assert codes == [201] * 5 + [429] * 7
    r = post(server, "again")
    assert r.json()["code"] == "rate_limited" and int(r.headers["retry-after"]) == 60
    assert console_get(server, "/api/signups").json()["confirmed"] == 5


def test_the_invitation_code(live_server, tmp_path):
    server = live_server(bundle=signup_bundle(tmp_path / "b"), signup_code="Rennes-2010")
    assert httpx.get(f"{server.url}/api/signup", timeout=10).json()["code_required"] is True
    wrong = post(server, "Ana", code="rennes")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "code_invalid")
    assert post(server, "Ana").status_code == 403
    assert post(server, "Ana", code="Rennes-2010").status_code == 201


def test_a_show_without_signups_says_so(live_server):
    server = live_server()
    r = httpx.get(f"{server.url}/api/signup", timeout=10)
    assert (r.status_code, r.json()["code"]) == (404, "disabled")
    assert httpx.post(f"{server.url}/api/signup", json={}, timeout=10).status_code == 404
    summary = console_get(server, "/api/signups")      # the console's poll: an answer, not an error
    assert (summary.status_code, summary.content, summary.headers["x-flashmob-signups"]) == (204, b"", "disabled")
    assert console_get(server, "/api/signups.csv").status_code == 404


def test_erasure_at_start_after_keep_days(live_server, tmp_path):
    """A conductor started after the show's end + keep_days deletes every sign-up before serving."""
    from flashmob.conductor.signupapi import SignupEvent

    b = signup_bundle(tmp_path / "b", keep_days=0)
    server = live_server(bundle=b)
    key = post(server, "Ana").json()["key"]
    server.stop()
    again = live_server(bundle=b, signup_event=SignupEvent(start_us=1, end_us=2))  # the show was long ago
    assert me(again, key).status_code == 404
    summary = console_get(again, "/api/signups").json()
    assert summary["erased"] is True and summary["confirmed"] == 0 and summary["erase_at_us"] == 2
    info = httpx.get(f"{again.url}/api/signup", timeout=10).json()
    assert (info["open"], info["closed"]) == (False, "erased") and "deleted" in info["closed_reason"]
    db = sqlite3.connect(str(b / ".flashmob-conductor.sqlite"))
    assert db.execute("SELECT COUNT(*) FROM signups").fetchone() == (0,)
    db.close()


def test_flashmob_serve_offers_signups_with_their_calendar_file_and_code(tmp_path, monkeypatch):
    """The real command: the banner names the page; the .ics is the print kit's, with the personal URL."""
    from test_restart import spawn

    b = signup_bundle(tmp_path / "b")
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["event"]["starts"] = "2099-12-05T18:00:00+01:00"  # in the future whenever the test runs
    (b / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("FLASHMOB_SIGNUP_CODE", "apero-2026")
    proc, port = spawn(b, tmp_path / "db")
    try:
        assert any("/signup (0 signed up, invitation code required)" in line for line in proc.seen), proc.seen
        url = f"http://127.0.0.1:{port}"
        info = httpx.get(f"{url}/api/signup", timeout=10).json()
        assert info["starts"] == "2099-12-05T17:00:00Z" and info["code_required"] and info["place"] == "Square"
        view = httpx.post(f"{url}/api/signup", json={"name": "Ana", "consent": True, "code": "apero-2026"},
                          timeout=10).json()
        ics = httpx.get(f"{url}/api/signup/me/calendar", headers={KEY_HEADER: view["key"]}, timeout=10)
        assert ics.headers["content-type"].startswith("text/calendar")
        text = ics.text.replace("\r\n ", "")  # unfolded
        assert "DTSTART:20991205T170000Z" in text and "SUMMARY:Demo" in text
        assert f"URL:{view['join_url']}" in text and "UID:3f9a0c1b2d4e5f60-signup@flashmob" in text
        page = httpx.get(f"{url}/signup", timeout=10)
        assert page.status_code == 200 and "/js/signup.js" in page.text  # client_web/signup.html
    finally:
        proc.terminate()
        proc.wait(10)


def test_hostile_bodies_never_crash_it_and_a_failed_write_is_not_claimed(live_server, bundle):
    server = live_server(bundle=bundle)
    for body in (b'{"name": "\\ud800", "consent": true}', b"[" * 5000 + b"]" * 5000, b"\xff\xfe", b"",
                 b'{"name": 5, "consent": true}', b'{"name": "x", "consent": "yes"}', b'{"name": "a\\u0000b", "consent": true}'):
        r = httpx.post(f"{server.url}/api/signup", content=body, timeout=10)
        assert r.status_code == 400 and r.json()["code"] in ("bad_request", "name_invalid"), (body[:20], r.text)
    svc = server.app.state.signups
    real = svc.store.apply

    def full_disk(show_id, writes):
        raise OSError(28, "No space left on device")

    svc.store.apply = full_disk
    try:
        r = post(server, "Ana")
        assert (r.status_code, r.json()["code"]) == (503, "unavailable")
    finally:
        svc.store.apply = real
    assert console_get(server, "/api/signups").json()["confirmed"] == 0  # reloaded from the file: nothing
    assert post(server, "Ana").status_code == 201


def test_the_periodic_sweep_erases_while_serving(live_server, tmp_path, monkeypatch):
    import time

    from flashmob.conductor import signupapi
    from flashmob.conductor.signupapi import SignupEvent

    monkeypatch.setattr(signupapi, "SWEEP_EVERY_S", 0.05)
    server = live_server(bundle=signup_bundle(tmp_path / "b", keep_days=0))
    key = post(server, "Ana").json()["key"]
    assert me(server, key).status_code == 200
    server.app.state.signups.event = SignupEvent(start_us=1, end_us=2)  # the show is now long over
    deadline = time.monotonic() + 5
    while me(server, key).status_code != 404:
        assert time.monotonic() < deadline, "the sweep did not run"
        time.sleep(0.05)
    assert console_get(server, "/api/signups").json()["erased"] is True


def test_a_surprise_shows_no_group_to_the_person_nor_on_the_badge(live_server, tmp_path):
    b = signup_bundle(tmp_path / "b")
    manifest = json.loads((b / "manifest.json").read_text())
    manifest["surprise"] = {"reveal_ms": 60000}  # issue 17, part 1: the groups are a surprise
    (b / "manifest.json").write_text(json.dumps(manifest))
    server = live_server(bundle=b)
    view = post(server, "Ana").json()
    assert view["status"] == "confirmed" and view["participant_id"] and view["join_url"]
    assert (view["group"], view["group_name"], view["colour"]) == (None, None, None)
    assert me(server, view["key"]).json()["group"] is None
    rows = console_get(server, "/api/signups.csv").text.splitlines()
    assert rows[1] == f"Ana,,,{view['participant_id']}"  # the id still carries the group
    assert sum(g["signups"] for g in console_get(server, "/api/signups").json()["groups"]) == 1  # organizers see it


def test_a_score_rendered_again_keeps_its_signups_with_new_ids(live_server, tmp_path):
    b = signup_bundle(tmp_path / "b", capacity=5)
    server = live_server(bundle=b)
    old = post(server, "Ana").json()
    server.stop()
    write_bundle(b, show_id="0123456789abcdef")  # the score was edited: a new show id, the same folder
    again = live_server(bundle=b)
    view = me(again, old["key"]).json()  # the manage link still works
    assert view["name"] == "Ana" and view["group"] == old["group"]
    assert view["participant_id"] != old["participant_id"]  # the old id was signed for the old show
    phone, welcome = again.phone(participant_id=view["participant_id"])
    assert (welcome["participant_id"], welcome["group"]) == (view["participant_id"], view["group"])
    phone.close()
    assert console_get(again, "/api/signups").json()["confirmed"] == 1


def test_a_damaged_settings_file_stops_the_conductor_and_frees_the_state_file(tmp_path):
    from flashmob.conductor.app import ServerConfig, build_app
    from flashmob.contract.signups import SignupFileError

    b = signup_bundle(tmp_path / "b")
    (b / SIGNUP_FILE).write_text('{"format": "flashmob-signups", "version": 1, "privacy": ""}')
    with pytest.raises(SignupFileError) as exc:
        build_app(ServerConfig(bundle_dir=b, token=TOKEN))
    assert SIGNUP_FILE in str(exc.value) and "privacy" in str(exc.value)
    (b / SIGNUP_FILE).unlink()
    with pytest.raises(SignupFileError) as exc:  # a code for a show without sign-ups is a mistake too
        build_app(ServerConfig(bundle_dir=b, token=TOKEN, signup_code="x"))
    assert "no sign-ups" in str(exc.value)
    app = build_app(ServerConfig(bundle_dir=b, token=TOKEN))  # the state file's lock was released
    app.state.conductor.close()
    app.state.conductor.state_lock.release()
