"""A surprise show on a real phone page, in each engine, against a real conductor.

Before the reveal, nothing the page holds names its group: not its DOM, not
the URLs it fetched (``performance.getEntries()``, the conductor's own request
log), not the names of the files it keeps (Cache Storage), not its storage.
At the reveal cue the page shows the group by name, colour and symbol, and
vibrates (``navigator.vibrate``, recorded in the page).
"""

from __future__ import annotations

import json
import shutil
import time

import pytest

from .conftest import ENGINES

# distinctive ids and names: any occurrence in the page is a leak, never a coincidence
GROUPS = {"red": ("qzalpha", "Zébulons", "#d32f2f", "star"), "blue": ("qzbravo", "Xylophages", "#1976d2", None)}
SECRETS = [w for gid, name, _, _ in GROUPS.values() for w in (gid, name)]
REVEAL_MS = 1_500

LEAKS_JS = """async () => {
  const keys = [];
  try {
    for (const name of await caches.keys()) {
      keys.push(name);
      for (const req of await (await caches.open(name)).keys()) keys.push(req.url);
    }
  } catch (e) { keys.push('caches: ' + e); }
  return { dom: document.documentElement.outerHTML, urls: performance.getEntries().map((e) => e.name),
           caches: keys, storage: JSON.stringify(localStorage), title: document.title,
           style: document.body.getAttribute('style') || '' };
}"""

RECORD_VIBRATIONS_JS = """() => {
  window.__vibrations = [];
  navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
  return true;
}"""


def surprise_bundle(real_bundle, root):
    """The real bundle with distinctive groups, a surprise revealed at REVEAL_MS, and a symbol."""
    shutil.copytree(real_bundle, root)
    doc = json.loads((root / "manifest.json").read_text())
    for g in doc["groups"]:
        gid, name, colour, symbol = GROUPS[g["id"]]
        (root / g["id"]).rename(root / gid)
        text = json.dumps(g).replace(f'"{g["id"]}/', f'"{gid}/')
        g.clear()
        g.update(json.loads(text), id=gid, name=name, colour=colour)
        if symbol:
            g["symbol"] = symbol
    doc["surprise"] = {"reveal_ms": REVEAL_MS}
    (root / "manifest.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False))
    return root


class RequestLog:
    """The conductor app, recording the path and query of every request (the server's request log)."""

    def __init__(self, app):
        self.app = app
        self.state = app.state
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            query = scope.get("query_string", b"").decode("latin-1")
            self.paths.append(scope["path"] + ("?" + query if query else ""))
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def surprise_dir(real_bundle, tmp_path_factory):
    return surprise_bundle(real_bundle, tmp_path_factory.mktemp("surprise") / "bundle")


@pytest.fixture
def surprise_server(surprise_dir, tmp_path):
    from flashmob.conductor.app import ServerConfig, build_app
    from conductor_testkit import TOKEN, LiveServer

    log = RequestLog(build_app(ServerConfig(bundle_dir=surprise_dir, token=TOKEN, min_lead_s=1.0,
                                            db_path=tmp_path / "state.sqlite")))
    server = LiveServer(log).start()
    server.requests = log.paths
    yield server
    server.stop()


def assert_no_group_in(what: dict, requests: list[str], engine: str):
    for key, value in {**what, "requests": requests}.items():
        text = json.dumps(value, ensure_ascii=False).lower()
        for word in SECRETS:
            assert word.lower() not in text, f"{engine}: the group {word!r} shows in the page's {key}"
    for _, _, colour, _ in GROUPS.values():
        assert colour not in what["style"] and colour not in what["dom"], f"{engine}: a group colour shows"


@pytest.mark.parametrize("engine", ENGINES)
def test_nothing_names_the_group_before_the_reveal_and_the_reveal_shows_it(engine, surprise_server, phones,
                                                                          artifacts):
    srv = surprise_server
    ph = phones(engine, srv, path="/", locale="en-US")
    p = ph.page
    p.wait_for_selector("#join-button", 20)
    p.evaluate(RECORD_VIBRATIONS_JS)
    p.click("#join-button")
    p.wait_for("window.flashmob.report().verified", 30)
    p.click("#enable-sound")
    p.wait_for("document.body.dataset.screen === 'wait'", 15)
    p.wait_for("window.flashmob.report().seat === 'confirmed'", 15)  # the challenge named an alias path
    ph.page.screenshot(artifacts / f"{engine}-surprise-1-before.png")
    rep = ph.report()
    group = srv.conductor.core.registry.group_of(rep["pid"])
    gid, name, colour, symbol = next(v for v in GROUPS.values() if v[0] == group)
    symbol = symbol or "square"  # the second group's default (contract/symbols.py)

    before = p.evaluate(LEAKS_JS)
    assert any("/mine/" in u and u.endswith("/seg/0000.mp3") for u in before["urls"]), before["urls"]
    names = p.evaluate("[...document.querySelectorAll('.group-name')].map((e) => e.textContent)")
    assert set(names) == {"surprise !"}  # the bundle speaks French: "Vous êtes dans le groupe surprise !"
    assert_no_group_in(before, srv.requests, engine)

    console = srv.console()
    console.send({"type": "arm", "in_ms": 1500, "ref": "go"})
    console.expect("ack", ref="go")
    p.wait_for_selector("#reveal", 15)
    ph.page.screenshot(artifacts / f"{engine}-surprise-2-revealed.png")
    shown = p.evaluate("""() => { const r = document.getElementById('reveal');
      return { text: r.textContent, symbol: r.querySelector('[data-symbol]').dataset.symbol,
               bg: getComputedStyle(r).backgroundColor, vibrations: window.__vibrations,
               names: [...document.querySelectorAll('.group-name')].map((e) => e.textContent) }; }""")
    assert name in shown["text"] and shown["symbol"] == symbol
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    assert shown["bg"].replace(" ", "") == f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"
    assert shown["vibrations"] and shown["vibrations"][-1] == [300, 120, 300, 120, 700]
    assert set(shown["names"]) == {name}
    # the screens behind the card show the name with its symbol; a reconnection does not vibrate again
    marks = p.evaluate("[...document.querySelectorAll('.group-name [data-symbol]')].map((e) => e.dataset.symbol)")
    assert marks and set(marks) == {symbol}
    p.click("#reveal-ok")
    p.wait_for("!document.getElementById('reveal')", 5)
    vibrated = len(p.evaluate("window.__vibrations"))
    ph.gate.cut()
    p.wait_for("window.flashmob.report().online === false", 15)
    ph.gate.restore()
    p.wait_for("window.flashmob.report().online === true", 20)
    welcomes = srv.requests.count("/ws")
    assert welcomes >= 2  # it did say hello again (and got the reveal after its welcome)
    time.sleep(0.5)
    assert len(p.evaluate("window.__vibrations")) == vibrated
    assert p.evaluate("!document.getElementById('reveal')")
    # and the request log still names no group: the group came on the websocket, at the reveal
    assert not any(w.lower() in json.dumps(srv.requests, ensure_ascii=False).lower() for w in SECRETS)
    console.close()
