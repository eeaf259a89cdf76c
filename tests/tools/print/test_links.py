"""The printed links are the conductor's: same join URLs as `flashmob serve` and
the console, tokens the registry accepts, download URLs the app serves."""

from urllib.parse import parse_qs, urlsplit

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.app import ServerConfig, build_conductor, create_app
from flashmob.conductor.bundle import load_bundle
from flashmob.conductor.registry import JoinRefused
from flashmob.conductor.serve import banner
from flashmob.tools.print.errors import PrintError
from flashmob.contract.secret import SECRET_FILE, STATE_FILE
from flashmob.tools.print.links import HINT_ENCODED_MAX, group_signer, show_links, usable_hint

from .conftest import PUBLIC, SECRET


def conductor_for(bundle_dir, assign, **kw):
    cfg = ServerConfig(bundle_dir=bundle_dir, token="console-token-0123456789", public_url=PUBLIC, assign=assign, **kw)
    return build_conductor(cfg)


def hello_from(url: str) -> m.Hello:
    q = parse_qs(urlsplit(url).query)
    return m.Hello(group=q.get("g", [None])[0], group_token=q.get("k", [None])[0])


def test_balanced_show_has_one_general_join_url(bundle):
    b = load_bundle(bundle)
    links = show_links(b, PUBLIC, "balanced")
    assert links.general == "https://mob.example.org/"
    assert all(g.join is None for g in links.groups)
    conductor, _, _ = conductor_for(bundle, "balanced")
    assert links.general == conductor.join_url() == conductor.console_welcome().join_url
    assert f"join    : {links.general}" in banner(conductor, qr=False)
    with pytest.raises(PrintError, match="--assign fixed"):
        links.personal("red", "@ann")


def test_balanced_links_need_no_secret(tmp_path):
    from .conftest import make_bundle

    b = load_bundle(make_bundle(tmp_path / "b"))
    show_links(b, PUBLIC, "balanced").personal(None, "@ann")
    assert not (b.root / SECRET_FILE).exists() and not (b.root / STATE_FILE).exists()


def test_fixed_links_equal_the_conductors_when_printed_first(bundle):
    b = load_bundle(bundle)
    sign, source = group_signer(b, env={})  # creates the bundle's secret file, never the conductor's state
    assert source == str(bundle.resolve() / ".flashmob-group-secret")
    assert not (bundle / STATE_FILE).exists()
    links = show_links(b, PUBLIC, "fixed", sign)
    assert links.general is None
    conductor, _, _ = conductor_for(bundle, "fixed")  # then the conductor starts on the same bundle
    printed = {g.id: g.join for g in links.groups}
    assert printed == {g.id: conductor.join_url(g.id) for g in b.groups}
    assert printed == conductor.console_welcome().group_join_urls  # what the console's projector shows
    text = banner(conductor, qr=False)
    assert all(url in text for url in printed.values())


def test_fixed_links_equal_the_conductors_when_the_conductor_ran_first(bundle, tmp_path):
    db = tmp_path / "state.sqlite"
    conductor, _, _ = conductor_for(bundle, "fixed", db_path=db)
    b = load_bundle(bundle)
    sign, _ = group_signer(b, db, env={})
    assert show_links(b, PUBLIC, "fixed", sign).group("blue").join == conductor.join_url("blue")


def test_env_secret_wins_like_in_the_conductor(bundle, monkeypatch):
    monkeypatch.setenv("FLASHMOB_GROUP_SECRET", SECRET)
    b = load_bundle(bundle)
    sign, source = group_signer(b)
    assert source == "FLASHMOB_GROUP_SECRET"
    assert not (b.root / SECRET_FILE).exists() and not (b.root / STATE_FILE).exists()
    conductor, _, _ = conductor_for(bundle, "fixed")
    assert show_links(b, PUBLIC, "fixed", sign).group("red").join == conductor.join_url("red")


@pytest.mark.parametrize("assign", ["fixed", "choice"])
def test_personal_urls_put_the_phone_in_the_badge_group(bundle, assign):
    b = load_bundle(bundle)
    sign, _ = group_signer(b, env={})
    links = show_links(b, PUBLIC, assign, sign)
    conductor, _, _ = conductor_for(bundle, assign)
    for gid in ("blue", "red", "blue"):
        url = links.personal(gid, "@José")
        assert parse_qs(urlsplit(url).query)["p"] == ["@José"]
        adm, welcome, _ = conductor.core.admit(hello_from(url), conductor.now())
        assert adm.group == welcome.group == gid


def test_a_forged_personal_url_is_refused(bundle):
    b = load_bundle(bundle)
    links = show_links(b, PUBLIC, "fixed", lambda gid: "forgedforgedforgedforg")
    conductor, _, _ = conductor_for(bundle, "fixed")
    with pytest.raises(JoinRefused) as exc:
        conductor.core.admit(hello_from(links.personal("red")), conductor.now())
    assert exc.value.code == m.GROUP_TOKEN_INVALID
    with pytest.raises(PrintError):
        links.personal(None)


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_download_urls_are_served_by_the_conductor(bundle):
    from fastapi.testclient import TestClient

    b = load_bundle(bundle)
    links = show_links(b, PUBLIC, "balanced")
    conductor, clock, _ = conductor_for(bundle, "balanced")
    client = TestClient(create_app(conductor, clock))
    for g in links.groups:
        assert g.download == f"{PUBLIC}/download/{g.id}"      # stable across re-renders
        r = client.get(urlsplit(g.download).path, follow_redirects=False)
        assert r.status_code == 302 and r.headers["location"] == f"/bundle/{b.revision}/groups/{g.id}.mp3"
        r = client.get(urlsplit(g.download).path)
        assert r.status_code == 200 and r.content == (bundle / g.mp3_path).read_bytes()
        assert g.mp3_bytes == len(r.content)


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_unknown_group_download_is_a_clear_404(bundle):
    from fastapi.testclient import TestClient

    conductor, clock, _ = conductor_for(bundle, "balanced")
    r = TestClient(create_app(conductor, clock)).get("/download/nobody", follow_redirects=False)
    assert r.status_code == 404 and "no group 'nobody'" in r.json()["error"]


def test_an_old_state_file_without_secret_file_is_refused_never_opened(bundle, tmp_path):
    """A conductor before the secret file kept the secret in its state: printing with a new
    secret would make QR codes the conductor refuses. The state file is not even read."""
    b = load_bundle(bundle)
    for state, db in ((bundle / STATE_FILE, None), (tmp_path / "elsewhere.sqlite", tmp_path / "elsewhere.sqlite")):
        state.write_bytes(b"")   # not a database: it is never opened
        state.chmod(0)
        with pytest.raises(PrintError, match="Start flashmob serve on this bundle once"):
            group_signer(b, db, env={})
        assert not (bundle / SECRET_FILE).exists() and state.read_bytes() == b""
        state.unlink()


def test_unusable_secrets_are_a_clear_error(bundle):
    b = load_bundle(bundle)
    with pytest.raises(PrintError, match="FLASHMOB_GROUP_SECRET must have at least 16 bytes"):
        group_signer(b, env={"FLASHMOB_GROUP_SECRET": "short"})
    (bundle / SECRET_FILE).write_text("not base64 at all!\n")
    with pytest.raises(PrintError, match="expected one line of base64url"):
        group_signer(b, env={})
    (bundle / SECRET_FILE).unlink()
    (bundle / SECRET_FILE).mkdir()
    with pytest.raises(PrintError, match="cannot read the group secret file"):
        group_signer(b, env={})


def test_usable_hint():
    assert usable_hint("@ann") == "@ann"
    assert usable_hint("") is None and usable_hint(None) is None
    assert usable_hint("@" + "a" * (HINT_ENCODED_MAX - 3)) is not None
    assert usable_hint("@настя_кузнецова") is None  # 6 characters per letter once encoded


def test_unknown_assignment_mode(bundle):
    with pytest.raises(PrintError, match="balanced, random, fixed, choice"):
        show_links(load_bundle(bundle), PUBLIC, "lottery")


def test_the_print_kit_never_loads_the_conductors_state(tmp_path):
    """`flashmob qr --assign fixed` signs group tokens without the conductor's store, service or
    SQLite (issue 13): run in a fresh interpreter, it loads none of them and writes only the
    bundle's secret file into the bundle."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from .conftest import make_bundle

    bundle = make_bundle(tmp_path / "b")
    before = sorted(p.name for p in bundle.iterdir() if p.name.startswith("."))  # the render's (safety file)
    code = f"""
import json, sys
from flashmob.tools.print.kit import KitOptions, make_kit
make_kit({str(bundle)!r}, {str(tmp_path / 'out')!r}, KitOptions(public_url={PUBLIC!r}, assign="fixed", qr_only=True))
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("flashmob.conductor", "sqlite3", "_sqlite3")))))
"""
    env = {k: v for k, v in os.environ.items() if k != "FLASHMOB_GROUP_SECRET"}
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    state_code = {"flashmob.conductor.store", "flashmob.conductor.app", "flashmob.conductor.service",
                  "flashmob.conductor.tokens", "flashmob.conductor.registry", "flashmob.conductor.persist"}
    assert not loaded & state_code and "sqlite3" not in loaded and "_sqlite3" not in loaded
    assert sorted(p.name for p in bundle.iterdir() if p.name.startswith(".")) == sorted(before + [SECRET_FILE])
