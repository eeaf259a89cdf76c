"""Issue 10, defect 4: hostile markup in a bundle (or from the console) is text, never code.

A copy of the real bundle whose every string field (title, organizer, event
texts, group names, cue texts, captions) carries hostile markup is served by
a real conductor (``fixed`` assignment, so the projector shows group names);
one phone joins in real Chromium, the console arms, announces and aborts with
hostile text, and the projector opens.  Each string must appear as literal
text on the phone page, the console and the projector; no script may run:
the payloads would push to ``window.__xss`` or load ``/xss-beacon/...``; the
page records every CSP violation; console errors and page errors are kept.
"""

from __future__ import annotations

import json
import shutil
from urllib.parse import urlsplit

import pytest

from .conftest import PHONE
from .test_participant import join_and_ready, wait_for


def payload(tag: str) -> str:
    """Markup that runs script or makes a request if any of it is ever parsed as HTML."""
    return (f"{tag} <img src=/xss-beacon/{tag}.png onerror=\"window.__xss.push('{tag}-img')\">"
            f"<script>window.__xss.push('{tag}-script')</script>"
            f"\"'><svg onload=\"window.__xss.push('{tag}-svg')\"></svg></figcaption></td>&lt;b&gt;")


INIT = """
window.__xss = [];
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""

HOSTILE = {
    "title": payload("title"),
    "red": payload("red-name"),
    "blue": payload("blue-name"),
    "cue": payload("cue"),
    "announcement": payload("announce"),
    "reason": payload("reason"),
}


@pytest.fixture(scope="module")
def hostile_bundle(real_bundle, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "bundle"
    shutil.copytree(real_bundle, root)
    mf = json.loads((root / "manifest.json").read_text())
    mf["title"] = HOSTILE["title"]
    mf["organizer"] = {"name": payload("organizer"), "contact": payload("contact")}
    mf["event"] = {"place": payload("place"), "starts": payload("starts"), "meeting_point": payload("meeting"),
                   "safety": payload("safety")}
    for g in mf["groups"]:
        g["name"] = HOSTILE[g["id"]]
        for cue in g["cues"]:
            cue["text"] = HOSTILE["cue"]
        (root / g["captions"]).write_text(f"WEBVTT\n\n00:00.000 --> 00:20.000\n{payload('caption')}\n")
    (root / "manifest.json").write_text(json.dumps(mf, indent=1))
    return root


def watch(page, log):
    page.add_init_script(INIT)
    page.on("console", lambda msg: log["console"].append(f"{msg.type}: {msg.text} {msg.location}")
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda exc: log["pageerror"].append(str(exc)))
    page.on("request", lambda req: log["beacon"].append(req.url) if "xss-beacon" in req.url else None)


def no_script_ran(page, log, where):
    assert page.evaluate("window.__xss") == [], f"{where}: hostile script ran"
    assert page.evaluate("window.__csp") == [], f"{where}: CSP violations"
    assert log["beacon"] == [], f"{where}: hostile markup made requests"
    assert log["pageerror"] == [], f"{where}: page errors"
    assert log["console"] == [], f"{where}: console errors"


def test_hostile_strings_are_text_everywhere(browser, conductor_server, hostile_bundle):
    from conductor_testkit import TOKEN

    srv = conductor_server(bundle_dir=hostile_bundle, assign="fixed")
    join = urlsplit(srv.conductor.join_url("red"))
    logs = {k: {"console": [], "pageerror": [], "beacon": []} for k in ("phone", "console")}

    pctx = browser.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    phone = pctx.new_page()
    watch(phone, logs["phone"])
    resp = phone.goto(f"{srv.url}/?{join.query}")
    csp = resp.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    join_and_ready(phone)
    assert phone.evaluate("document.title") == HOSTILE["title"]
    names = phone.eval_on_selector_all(".group-name", "els => els.map(e => e.textContent)")
    assert names and set(names) == {HOSTILE["red"]}
    titles = phone.eval_on_selector_all(".show-title", "els => els.map(e => e.textContent)")
    assert titles and set(titles) == {HOSTILE["title"]}
    assert phone.eval_on_selector_all(".group-name *, .show-title *", "els => els.length") == 0

    cctx = browser.new_context(viewport={"width": 1280, "height": 900})
    console = cctx.new_page()
    watch(console, logs["console"])
    console.goto(f"{srv.url}/console#token={TOKEN}")
    console.wait_for_selector("#main:not([hidden])")
    assert console.text_content("#title") == HOSTILE["title"]
    wait_for(console, "window.flashmobConsole.feed && window.flashmobConsole.manifest")
    wait_for(console, "document.querySelectorAll('#groups tr').length === 2")
    cells = console.eval_on_selector_all("#groups tr td:first-child", "els => els.map(e => e.textContent)")
    assert cells == [HOSTILE["red"], HOSTILE["blue"]]
    options = console.eval_on_selector_all("#announce-group option", "els => els.map(e => e.textContent)")
    assert options[1:] == [HOSTILE["red"], HOSTILE["blue"]]

    # projector: title and one figure per group, captioned with the group name as text
    console.click("#projector-open")
    console.wait_for_selector("#projector:not([hidden]) figure figcaption")
    assert console.text_content("#p-title") == HOSTILE["title"]
    captions = console.eval_on_selector_all("#p-qr figcaption", "els => els.map(e => e.textContent)")
    assert captions == [HOSTILE["red"], HOSTILE["blue"]]
    assert console.eval_on_selector_all("#p-qr figcaption *, #p-qr img, #p-qr script", "els => els.length") == 0
    assert console.eval_on_selector_all("#p-qr svg path", "els => els.length") == 2
    console.click("#projector-close")

    # running: the cue text on the phone and in the console's group table
    console.fill("#arm-in", "2")
    console.click("#arm-in-form button")
    wait_for(phone, "document.body.dataset.screen === 'play'", 15)
    wait_for(phone, f"document.getElementById('caption').textContent === {json.dumps(HOSTILE['cue'])}", 5)
    wait_for(console, f"[...document.querySelectorAll('#groups td.cue')].some("
                              f"td => td.textContent === {json.dumps(HOSTILE['cue'])})", 5)

    # an urgent announcement and an abort reason typed by the organizer
    console.fill("#announce-text", HOSTILE["announcement"])
    console.select_option("#announce-level", "urgent")
    console.click("#announce-form button")
    wait_for(phone, f"document.getElementById('urgent-text').textContent === {json.dumps(HOSTILE['announcement'])}")
    wait_for(console, f"[...document.querySelectorAll('#announcements li')].some("
                              f"li => li.textContent.endsWith({json.dumps(HOSTILE['announcement'])}))", 5)
    assert console.eval_on_selector_all("#announcements li img, #announcements li script", "els => els.length") == 0
    console.click("#abort")
    console.fill("#abort-reason", HOSTILE["reason"])
    console.click("#abort-confirm")
    wait_for(phone, f"document.getElementById('abort-reason').textContent === {json.dumps(HOSTILE['reason'])}")
    wait_for(console, f"document.getElementById('state-detail').textContent === {json.dumps(HOSTILE['reason'])}")

    no_script_ran(phone, logs["phone"], "phone")
    no_script_ran(console, logs["console"], "console")
    pctx.close()
    cctx.close()
