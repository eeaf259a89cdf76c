"""What flashmob made before the issue-13 redesign keeps working after it.

The fixture (fixtures/pre_redesign/, see its README) was made by the old version
(commit c521f1a): its bundle, the state file its conductor created (with the group
secret inside, and red's confirmed seat), the join URLs its ``flashmob qr`` printed
and the participant ids its conductor issued.  Here the *new* conductor (real
uvicorn on loopback) runs on that state file:

* the old printed join URLs admit phones into their groups, a token moved to another
  group is refused; the old participant ids get their groups back; the old download
  card URLs redirect to the group's MP3;
* the secret moves from the state file to the bundle's secret file once, by rule
  (flashmob.contract.secret), and the new ``flashmob qr`` prints the very same URLs
  from it without opening the state file;
* before that migration, the new ``qr`` refuses rather than print with a new secret.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from flashmob.contract.secret import SECRET_FILE, STATE_FILE, read_secret_file
from flashmob.cli import qr

FIXTURE = Path(__file__).parent / "fixtures" / "pre_redesign"
PRINTED = json.loads((FIXTURE / "printed.json").read_text())
PUBLIC = PRINTED["public_url"]


@pytest.fixture
def old_bundle(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASHMOB_GROUP_SECRET", raising=False)
    dst = tmp_path / "bundle"
    shutil.copytree(FIXTURE / "bundle", dst)
    return dst


def run_qr(bundle: Path, out: Path, capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="flashmob qr")
    qr.configure(parser)
    code = qr.run(parser.parse_args([str(bundle), "--url", PUBLIC, "--assign", "fixed", "-o", str(out),
                                     "--qr-only"]))
    out_text, err = capsys.readouterr()
    return code, out_text, err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hello(srv, **fields):
    c = srv.ws()
    c.send({"type": "hello", **fields})
    return c


def test_old_posters_tokens_and_state_work_with_the_new_conductor(old_bundle, live_server, tmp_path, capsys):
    state = old_bundle / STATE_FILE
    assert not (old_bundle / SECRET_FILE).exists()
    before = digest(state)

    # the new qr, before any new conductor ran: refuses, touches nothing
    code, out, err = run_qr(old_bundle, tmp_path / "refused", capsys)
    assert code == 1 and out == ""
    assert "Start flashmob serve on this bundle once" in err and "FLASHMOB_GROUP_SECRET" in err
    assert not (old_bundle / SECRET_FILE).exists() and digest(state) == before

    # the new conductor on the old state file: it migrates the secret once
    srv = live_server(bundle=old_bundle, assign="fixed", public_url=PUBLIC)
    secret_file = old_bundle / SECRET_FILE
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    old_key = srv.conductor.store.stored_secret("group")
    assert old_key is not None and read_secret_file(secret_file) == old_key
    assert srv.conductor.bundle.show_id == PRINTED["show_id"]

    # the old posters' join URLs put phones in their groups; and the console shows the same URLs
    for gid, url in PRINTED["join"].items():
        q = parse_qs(urlsplit(url).query)
        with hello(srv, group=q["g"][0], group_token=q["k"][0]) as c:
            assert c.expect("welcome")["group"] == gid
        assert srv.conductor.join_url(gid) == url
    assert srv.conductor.console_welcome().group_join_urls == PRINTED["join"]
    red_token = parse_qs(urlsplit(PRINTED["join"]["red"]).query)["k"][0]
    with hello(srv, group="blue", group_token=red_token) as c:
        assert c.expect("error")["code"] == "group_token_invalid"
    badge = parse_qs(urlsplit(PRINTED["personal"]["red"]).query)
    with hello(srv, group=badge["g"][0], group_token=badge["k"][0]) as c:
        assert c.expect("welcome")["group"] == "red"

    # the participant ids the old conductor issued: red's seat was confirmed (in the state
    # file), blue's was not (its signed id alone brings it back to blue)
    red, blue = PRINTED["phones"]["red"], PRINTED["phones"]["blue"]
    with hello(srv, participant_id=red["participant_id"]) as c:
        w = c.expect("welcome")
        assert (w["participant_id"], w["group"], w["seat"]) == (red["participant_id"], "red", "confirmed")
    with hello(srv, participant_id=blue["participant_id"]) as c:
        w = c.expect("welcome")
        assert (w["participant_id"], w["group"]) == (blue["participant_id"], "blue") and w["seat"] != "confirmed"

    # the old download cards' URLs
    with httpx.Client(base_url=srv.url) as http:
        for gid, url in PRINTED["download"].items():
            r = http.get(urlsplit(url).path, follow_redirects=True)
            mp3 = next(g["mp3"] for g in json.loads((old_bundle / "manifest.json").read_text())["groups"]
                       if g["id"] == gid)
            assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == mp3["sha256"]
    srv.stop()

    # the new qr prints the same URLs, from the secret file alone: the state file may be gone
    state.rename(tmp_path / "state-away.sqlite")
    for suffix in ("-wal", "-shm"):
        Path(str(state) + suffix).unlink(missing_ok=True)
    code, out, err = run_qr(old_bundle, tmp_path / "kit", capsys)
    assert code == 0, err
    assert dict(re.findall(r"^join (\w+): (\S+)$", out, re.M)) == PRINTED["join"]
    assert out.splitlines()[:2] == PRINTED["qr_stdout"][:2]
    assert f"secret of {secret_file}" in err
    new_links = (tmp_path / "kit" / "links.txt").read_text()
    old_links = (FIXTURE / "qr-links.txt").read_text()
    url_lines = re.compile(r"^(?:join|download) \w+ .*https://\S+$", re.M)
    assert url_lines.findall(new_links) == url_lines.findall(old_links)
    (tmp_path / "state-away.sqlite").rename(state)

    # a restarted conductor: the secret file and the state agree, old tokens still admit
    srv = live_server(bundle=old_bundle, assign="fixed", public_url=PUBLIC)
    q = parse_qs(urlsplit(PRINTED["join"]["blue"]).query)
    with hello(srv, group="blue", group_token=q["k"][0]) as c:
        assert c.expect("welcome")["group"] == "blue"


def test_a_secret_file_that_contradicts_the_old_state_stops_the_conductor(old_bundle, capsys):
    """A new ``flashmob qr`` run before the new conductor on a bundle whose old state file lives
    elsewhere (``serve --db``), without ``--db``, cannot see that state and creates a new secret:
    the conductor then refuses to start, naming both ways out, rather than break the old posters."""
    from flashmob.conductor.app import ServerConfig, build_conductor
    from flashmob.contract.secret import SecretError, write_secret_file

    write_secret_file(old_bundle / SECRET_FILE, b"n" * 32)
    with pytest.raises(SecretError, match="differs from the one kept in the conductor's state file"):
        build_conductor(ServerConfig(bundle_dir=old_bundle, token="console-token-0123456789", assign="fixed"))


def test_re_rendering_the_old_score_with_the_new_version_keeps_the_printed_urls(old_bundle, tmp_path, capsys):
    """The organizer upgrades, serves once (migration), then re-renders the same score: the
    show id (which every group token binds) and the secret file survive, so the old posters do."""
    from flashmob.conductor.app import ServerConfig, build_conductor
    from flashmob.tools.render.bundle import RenderOptions, render_bundle

    conductor, _, _ = build_conductor(ServerConfig(bundle_dir=old_bundle, token="console-token-0123456789",
                                                   assign="fixed", public_url=PUBLIC))
    key = read_secret_file(old_bundle / SECRET_FILE)
    conductor.store.close()
    conductor.state_lock.release()
    score = tmp_path / "score" / "tiny.yaml"
    score.parent.mkdir()
    shutil.copy(FIXTURE / "tiny.yaml", score)
    shutil.copy(Path(__file__).resolve().parents[2] / "scores" / "assets" / "clap.wav", score.parent / "clap.wav")
    render_bundle(str(score), str(old_bundle), RenderOptions(workers=1))
    assert json.loads((old_bundle / "manifest.json").read_text())["show_id"] == PRINTED["show_id"]
    assert read_secret_file(old_bundle / SECRET_FILE) == key and (old_bundle / STATE_FILE).exists()
    code, out, err = run_qr(old_bundle, tmp_path / "kit", capsys)
    assert code == 0, err
    assert dict(re.findall(r"^join (\w+): (\S+)$", out, re.M)) == PRINTED["join"]
