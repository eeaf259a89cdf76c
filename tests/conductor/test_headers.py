"""flashmob.conductor.headers: a strict CSP and hardening headers on every HTTP response (issue 10, defect 4)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from flashmob.conductor.headers import content_security_policy

CLIENT_WEB = Path(__file__).resolve().parents[2] / "client_web"


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_policy_is_strict():
    d = directives(content_security_policy("mob.example.org:8443"))
    assert d["script-src"] == ["'self'"] and d["style-src"] == ["'self'"] and d["default-src"] == ["'self'"]
    assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'none'"] and d["frame-ancestors"] == ["'none'"]
    assert d["connect-src"] == ["'self'", "ws://mob.example.org:8443", "wss://mob.example.org:8443"]
    assert not any("unsafe" in v for vs in d.values() for v in vs)


@pytest.mark.parametrize("host", ["evil.org; script-src *", "a b", "x\r\nSet-Cookie: a=b", "", None])
def test_a_strange_host_header_never_widens_the_policy(host):
    assert directives(content_security_policy(host))["connect-src"] == ["'self'"]


def test_every_response_carries_the_headers(live_server, tmp_path):
    client = tmp_path / "client"
    client.mkdir()
    (client / "index.html").write_text("<!doctype html><title>x</title>")
    (client / "app.js").write_text("export {}")
    srv = live_server(client_dir=client)
    rev = srv.conductor.bundle.revision
    with httpx.Client(base_url=srv.url) as http:
        answers = {
            "page": http.get("/"),
            "placeholder console": http.get("/console"),
            "client file": http.get("/app.js"),
            "api": http.get("/api/info"),
            "manifest": http.get("/bundle/manifest.json"),
            "bundle file": http.get(f"/bundle/{rev}/red/show.mp3", headers={"Range": "bytes=0-9"}),
            "416": http.get(f"/bundle/{rev}/red/show.mp3", headers={"Range": "bytes=99999999-"}),
            "old revision": http.get("/bundle/0000000000000000/red/show.mp3"),
            "404": http.get("/nope.txt"),
            "redirect": http.get("/download/red", follow_redirects=False),
            "head": http.head("/"),
        }
    for what, r in answers.items():
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, what
        assert f"ws://127.0.0.1:{srv.port}" in csp, what
        assert r.headers["x-content-type-options"] == "nosniff", what
        assert r.headers["referrer-policy"] == "no-referrer", what
        assert r.headers["x-frame-options"] == "DENY", what
    assert answers["placeholder console"].status_code == 200 and "style=" not in answers["placeholder console"].text


def test_no_markup_is_built_from_data_in_client_web():
    """No HTML parsing sinks, no inline script, no inline style attributes (the CSP would block them)."""
    sinks = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|"
                       r"DOMParser|srcdoc|setAttribute\(\s*['\"](?:style|on\w+)|\beval\(|new Function\(")
    markup = re.compile(r"[`'\"]\s*<[a-zA-Z/!]")  # a string literal that starts with a tag
    for path in sorted(CLIENT_WEB.rglob("*.js")):
        code = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith(("*", "//")))
        assert not sinks.search(code), f"{path.name}: {sinks.search(code).group(0)}"
        assert not markup.search(code), f"{path.name}: markup in a string: {markup.search(code).group(0)}"
    for path in sorted(CLIENT_WEB.rglob("*.html")):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"{path.name}: inline script"
        assert not re.search(r"\sstyle\s*=|\son[a-z]+\s*=", html), f"{path.name}: inline style or handler"
