"""A surprise show through the real conductor (uvicorn on loopback): phones get only their own view
under the alias, the bundle and group links are for organizers, and the group comes at the reveal."""

from __future__ import annotations

import hashlib
import time
import json
import urllib.error
import urllib.request

import pytest

from conductor_testkit import TOKEN, confirm_seat, write_bundle

# ids of different lengths: the test kit's dummy audio differs between groups only then
GROUPS = (("qzalpha", "Zebulons", "#d32f2f", 1), ("qzbravo42", "Xylophages", "#1976d2", 1))
SECRET_WORDS = ("qzalpha", "qzbravo42", "Zebulons", "Xylophages")


def surprise_bundle(root, *, reveal_ms, duration_ms=180_000, symbols=("star", None)):
    write_bundle(root, groups=GROUPS, duration_ms=duration_ms)
    doc = json.loads((root / "manifest.json").read_text())
    doc["surprise"] = {"reveal_ms": reveal_ms}
    for g, symbol in zip(doc["groups"], symbols):
        if symbol:
            g["symbol"] = symbol
    (root / "manifest.json").write_text(json.dumps(doc, indent=1))
    return root


def get(url, *, token=None):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def surprise_server(live_server, tmp_path):
    def start(reveal_ms=1_000, **kw):
        duration_ms = kw.pop("duration_ms", 180_000)
        bundle = surprise_bundle(tmp_path / f"surprise{reveal_ms}", reveal_ms=reveal_ms, duration_ms=duration_ms)
        kw.setdefault("min_lead_s", 0.2)
        return live_server(bundle=bundle, **kw)
    return start


def test_a_phone_gets_its_own_view_and_nothing_of_the_groups(surprise_server):
    srv = surprise_server()
    rev = srv.conductor.bundle.revision
    seen: dict[str, str] = {}
    for _ in range(4):  # balanced assignment: both groups get phones
        c, w = srv.phone()
        group = srv.conductor.core.registry.group_of(w["participant_id"])
        assert w["group"] == "mine"
        assert w["manifest_url"] == f"/mine/{w['participant_id']}/{rev}/manifest.json"
        status, raw = get(srv.url + w["manifest_url"])
        assert status == 200
        text = raw.decode()
        for word in SECRET_WORDS:
            assert word not in text
        view = json.loads(text)
        assert [g["id"] for g in view["groups"]] == ["mine"]
        assert view["surprise"] == {"reveal_ms": 1000}
        mine = view["groups"][0]
        folder = w["manifest_url"].rsplit("/", 1)[0]
        for f in [mine["mp3"], *mine["segments"]]:  # every file, by its alias, verified against the view
            status, data = get(f"{srv.url}{folder}/{f['path']}")
            assert status == 200 and hashlib.sha256(data).hexdigest() == f["sha256"]
        real = srv.conductor.bundle.manifest.group(group)
        assert mine["mp3"]["sha256"] == real.mp3.sha256  # its own group's files ...
        others = [g for g in srv.conductor.bundle.manifest.groups if g.id != group]
        for other in others:  # ... and no other group's hashes or sizes
            for f in [other.mp3, *other.segments]:
                assert f.sha256 not in text
        seen.setdefault(group, w["participant_id"])
        # the seat challenge names the alias path and is answered from the participant's own URL
        confirm_seat(c, srv.url, w)
        assert c.expect("seat")["state"] == "confirmed"
        c.close()
    assert set(seen) == {"qzalpha", "qzbravo42"}
    # a phone cannot fetch another name than its view's, nor use a made-up id, nor an old revision
    pid = seen["qzalpha"]
    assert get(f"{srv.url}/mine/{pid}/{rev}/qzalpha/show.mp3")[0] == 404
    assert get(f"{srv.url}/mine/{pid[:-1]}x/{rev}/show.mp3")[0] == 404
    assert get(f"{srv.url}/mine/{pid}/0000000000000000/show.mp3")[0] == 404
    # the participant id's group tag is keyed (tests/conductor/test_tokens.py): a restarted conductor
    # with the same secret still serves the same files to the same id


def test_the_bundle_and_group_links_are_for_organizers_only(surprise_server):
    srv = surprise_server()
    rev = srv.conductor.bundle.revision
    for path in ("/bundle/manifest.json", f"/bundle/{rev}/manifest.json", f"/bundle/{rev}/qzalpha/show.mp3",
                 "/download/qzalpha"):
        status, raw = get(srv.url + path)
        assert status == 403, path
        assert b"surprise" in raw and b"qzbravo42" not in raw
    status, raw = get(srv.url + "/bundle/manifest.json", token=TOKEN)
    assert status == 200 and b"Zebulons" in raw
    assert get(srv.url + "/bundle/manifest.json", token="wrong-token-0123456789")[0] == 403
    status, raw = get(srv.url + "/api/info")
    info = json.loads(raw)
    assert info["groups"] == [] and not any(w in raw.decode() for w in SECRET_WORDS)


def test_group_announcements_name_the_alias(surprise_server):
    srv = surprise_server()
    c, w = srv.phone()
    group = srv.conductor.core.registry.group_of(w["participant_id"])
    console = srv.console()
    console.send({"type": "announce", "text": "Look up", "group": group, "ref": "a"})
    msg = c.expect("announcement")
    assert msg["group"] == "mine" and msg["text"] == "Look up"
    c.close()
    c2, w2 = srv.phone(participant_id=w["participant_id"])  # the replay in the welcome too
    assert [a["group"] for a in w2["announcements"]] == ["mine"]
    c2.close()
    console.close()


def test_the_reveal_reaches_each_group_at_its_time_and_late_joiners_after_their_welcome(surprise_server):
    srv = surprise_server(reveal_ms=600)
    phones = [srv.phone() for _ in range(2)]
    groups = [srv.conductor.core.registry.group_of(w["participant_id"]) for _, w in phones]
    assert sorted(groups) == ["qzalpha", "qzbravo42"]
    console = srv.console()
    console.send({"type": "arm", "in_ms": 300, "ref": "go"})
    console.expect("ack", ref="go")
    start_at = srv.conductor.core.record.start_at_us
    expected = {"qzalpha": {"name": "Zebulons", "colour": "#d32f2f", "symbol": "star"},
                "qzbravo42": {"name": "Xylophages", "colour": "#1976d2", "symbol": "square"}}
    for (c, _), group in zip(phones, groups):
        # nothing before the reveal names the group: the show frames come first, then the reveal
        reveal = c.expect("reveal", timeout=5)
        late_us = time.time_ns() // 1000 - (start_at + 600_000)
        print(f"reveal received {late_us / 1000:.1f} ms after the reveal time")
        assert late_us >= -20_000  # not before the reveal (the server clock is this machine's, Unix µs)
        assert late_us < 1_000_000  # the ticker wakes for it: not a tick later
        assert reveal["group"] == expected[group]
    late, w = srv.phone()
    frames = [late.recv() for _ in range(2)]  # the challenge, then the reveal
    kinds = [f["type"] for f in frames]
    assert "reveal" in kinds
    assert frames[kinds.index("reveal")]["group"] == expected[srv.conductor.core.registry.group_of(
        w["participant_id"])]
    for c, _ in phones:
        c.close()
    late.close()
    console.close()


def test_reveal_never_sends_nothing(surprise_server):
    srv = surprise_server(reveal_ms=None, duration_ms=1_200)
    c, _ = srv.phone()
    console = srv.console()
    console.send({"type": "arm", "in_ms": 200, "ref": "go"})
    c.expect("show", state="ended", timeout=5)
    with pytest.raises(TimeoutError):
        c.expect("reveal", timeout=0.5)
    c.close()
    console.close()


def test_revealed_follows_the_run(tmp_path):
    """conductor/surprise.py's rule (pure): a run's reveal is at start + reveal_ms; an abort after it
    keeps it revealed, one before it does not; the lobby reveals nothing."""
    from flashmob.conductor.bundle import load_bundle
    from flashmob.conductor.show import ShowRecord, State
    from flashmob.conductor.surprise import SurpriseServing

    bundle = load_bundle(surprise_bundle(tmp_path / "b", reveal_ms=1_000))
    s = SurpriseServing(bundle, lambda pid: None)
    start = 10_000_000
    run = ShowRecord(state=State.RUNNING, duration_us=180_000_000, start_at_us=start, revision=2)
    assert not s.revealed(run, start + 999_999) and s.revealed(run, start + 1_000_000)
    assert s.reveal_deadline_us(run) == start + 1_000_000
    assert s.reveal_deadline_us(ShowRecord(state=State.ARMED, duration_us=1, start_at_us=start)) == start + 1_000_000
    assert s.revealed(ShowRecord(state=State.ENDED, duration_us=1, start_at_us=start), start + 2_000_000)
    early = ShowRecord(state=State.ABORTED, duration_us=1, start_at_us=start, changed_at_us=start + 500_000)
    late = ShowRecord(state=State.ABORTED, duration_us=1, start_at_us=start, changed_at_us=start + 1_500_000)
    assert not s.revealed(early, start + 9_000_000) and s.revealed(late, start + 9_000_000)
    assert s.reveal_deadline_us(late) is None
    assert not s.revealed(ShowRecord(state=State.LOBBY, duration_us=1), start + 9_000_000)
    assert s.resolve("nobody", bundle.revision, "show.mp3") is None


def test_choice_assignment_is_refused_for_a_surprise(tmp_path):
    from flashmob.conductor.app import ServerConfig, build_app

    bundle = surprise_bundle(tmp_path / "b", reveal_ms=1_000)
    with pytest.raises(ValueError, match="surprise: phones cannot choose"):
        build_app(ServerConfig(bundle_dir=bundle, token=TOKEN, assign="choice"))


def test_hostile_own_file_urls_are_not_found(surprise_server):
    srv = surprise_server()
    rev = srv.conductor.bundle.revision
    _, w = srv.phone()
    pid = w["participant_id"]
    for path in (f"/mine/{pid}/{rev}/../manifest.json", f"/mine/{pid}/{rev}/%2e%2e/qzalpha/show.mp3",
                 f"/mine/{pid}/{rev}/seg/9999.mp3", f"/mine/{pid}/{rev}/", f"/mine/{'x' * 5000}/{rev}/show.mp3",
                 f"/mine/%C3%A9{pid[2:]}/{rev}/show.mp3", f"/mine/{pid}/{rev}/show.mp3%00", "/mine/"):
        status, _ = get(srv.url + path)
        assert status == 404, path
    status, raw = get(f"{srv.url}/mine/{pid}/{rev}/show.mp3")
    assert status == 200 and len(raw) > 0


def test_a_sign_ups_personal_link_joins_a_surprise_show_under_the_alias(live_server, tmp_path):
    """Part 2's personal links in a surprise show: the id they carry is signed with a keyed tag (it says
    nothing of the group), the phone joins with it under the alias and gets its own files."""
    import httpx

    from flashmob.conductor.tokens import PID_RANDOM_CHARS, PID_TAG_CHARS
    from test_signupapi import post, signup_bundle

    b = signup_bundle(tmp_path / "b")
    doc = json.loads((b / "manifest.json").read_text())
    doc["surprise"] = {"reveal_ms": 60_000}
    (b / "manifest.json").write_text(json.dumps(doc))
    srv = live_server(bundle=b)
    view = post(srv, "Ana").json()
    pid = view["participant_id"]
    group = srv.conductor.core.registry.group_of(pid)
    assert view["group"] is None and group in ("red", "blue")
    ids = srv.conductor.core.registry._pids
    assert ids._tag == ids._keyed_tag  # a surprise show's ids: keyed tags (tests/conductor/test_tokens.py)
    assert pid[PID_RANDOM_CHARS:PID_RANDOM_CHARS + PID_TAG_CHARS] == ids._keyed_tag(group)
    c, w = srv.phone(participant_id=pid)
    assert (w["participant_id"], w["group"]) == (pid, "mine")
    r = httpx.get(srv.url + w["manifest_url"], timeout=10)
    assert r.status_code == 200 and [g["id"] for g in r.json()["groups"]] == ["mine"]
    assert r.json()["groups"][0]["mp3"]["sha256"] == srv.conductor.bundle.manifest.group(group).mp3.sha256
    c.close()


def test_a_rehearsal_never_reveals_the_groups(surprise_server):
    """The reveal belongs to the real show: a rehearsal runs past reveal_ms and no phone is told its group."""
    srv = surprise_server(reveal_ms=200, duration_ms=1_000)
    c, _ = srv.phone()
    console = srv.console()
    console.send({"type": "arm", "in_ms": 200, "rehearsal": True, "ref": "r"})
    console.expect("ack", ref="r")
    frames = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        f = c.recv(timeout=deadline - time.monotonic())
        frames.append(f["type"])
        if f["type"] == "show" and f["state"] == "ended":
            break
    assert "reveal" not in frames and frames[-1] == "show"
    late, _ = srv.phone()  # nor after it
    with pytest.raises(TimeoutError):
        late.expect("reveal", timeout=0.5)
    for x in (c, late, console):
        x.close()
