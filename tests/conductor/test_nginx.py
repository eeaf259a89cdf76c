"""conductor/nginx.py: the generated nginx configuration, and a real nginx running it.

The live tests start one real ``flashmob serve`` process (``--forwarded-allow-ips
127.0.0.1``, as docs/deploy.md says) and one real Debian nginx in front of it with
the configuration ``flashmob nginx`` generates (``nginxkit.py``), both on loopback,
and check on the wire: the bundle's files, the page and the console are served by
nginx itself with the conductor's own headers and bytes; what nginx does not serve
gets the conductor's answer; a phone joins, proves its seat, syncs and is armed
through nginx; the conductor counts the phone's own address (login throttle), not
nginx's (per-address caps)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from conductor_testkit import TOKEN, WsClient, confirm_seat, write_bundle
from nginxkit import REPO, NginxFront, nginx_binary
from test_restart import spawn, wait_http

from flashmob.conductor import files, headers
from flashmob.conductor import messages as m
from flashmob.conductor.nginx import Front, bundle_cache_map, csp_with, site_config, standalone_config, upstream_list
from flashmob.contract.bundle import load_bundle

HOST = "mob.example.org:8443"  # the Host header of every request: the CSP names it
SAME = ("content-type", "cache-control", "content-security-policy", "x-content-type-options", "referrer-policy",
        "x-frame-options", "cross-origin-opener-policy", "permissions-policy", "content-length", "last-modified",
        "accept-ranges", "content-range")


def example_front(bundle_dir: Path, **kw) -> Front:
    return Front(bundle=load_bundle(bundle_dir, verify=False), upstreams=("127.0.0.1:8001", "127.0.0.1:8002"),
                 bundle_root="/srv/flashmob/show", client_root="/opt/flashmob/client_web", **kw)


# --------------------------------------------------------------------------- the text


def test_allow_list_is_the_conductors_with_its_cache_rule(bundle_dir):
    bundle = load_bundle(bundle_dir, verify=False)
    rows = dict(bundle_cache_map(bundle))
    assert set(rows) == {f"/bundle/{bundle.revision}/{p}" for p in bundle.files}
    assert rows[f"/bundle/{bundle.revision}/red/show.mp3"] == files.IMMUTABLE
    assert rows[f"/bundle/{bundle.revision}/manifest.json"] == files.IMMUTABLE  # as conductor/app.py
    assert rows[f"/bundle/{bundle.revision}/red/captions.vtt"] == files.REVALIDATE  # no sha256
    assert not any("secret-notes" in p or "/." in p for p in rows)


def test_a_surprise_shows_bundle_is_never_served_by_nginx(tmp_path):
    import json
    root = write_bundle(tmp_path / "surprise")
    doc = json.loads((root / "manifest.json").read_text())
    doc["surprise"] = {"reveal_ms": 60_000}
    (root / "manifest.json").write_text(json.dumps(doc))
    text = site_config(example_front(root))
    assert "alias" not in text.split("location = /console")[0]   # no bundle file, no manifest from disk
    assert re.search(r"location \^~ /bundle/ \{\s*proxy_pass", text)  # every /bundle/ request goes to a node
    plain = site_config(example_front(write_bundle(tmp_path / "plain")))
    assert "alias" in plain.split("location = /console")[0]


def test_policy_is_the_conductors_with_the_host_variable():
    assert csp_with("") == headers.content_security_policy(None)
    assert csp_with(" ws://h:1 wss://h:1") == headers.content_security_policy("h:1")


def test_websockets_upgrade_with_long_timeouts_and_no_sticky_sessions(bundle_dir):
    text = site_config(example_front(bundle_dir))
    for path in (m.PARTICIPANT_WS, m.CONSOLE_WS):
        block = re.search(r"location = %s \{(.*?)\}" % re.escape(path), text, re.S).group(1)
        assert "proxy_set_header Upgrade $http_upgrade;" in block
        assert "proxy_set_header Connection $flashmob_connection;" in block
        assert "proxy_read_timeout 3600s;" in block and "proxy_send_timeout 3600s;" in block
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in block
    upstream = re.search(r"upstream flashmob_conductors \{(.*?)\}", text, re.S).group(1)
    assert "least_conn;" in upstream and "hash" not in upstream and "sticky" not in upstream
    assert "server 127.0.0.1:8001" in upstream and "server 127.0.0.1:8002" in upstream


@pytest.mark.parametrize("bad, named", [
    (dict(upstreams=()), "at least one conductor node"),
    (dict(upstreams=("localhost",)), "HOST:PORT"),
    (dict(listen="80; evil"), "listen"),
    (dict(bundle_root="relative/show"), "absolute path"),
    (dict(bundle_root='/srv/"quoted"'), "double quote"),
    (dict(tls_cert="/etc/cert.pem"), "go together"),
])
def test_bad_settings_are_clear_errors(bundle_dir, bad, named):
    front = example_front(bundle_dir)
    with pytest.raises(ValueError, match=named):
        site_config(Front(**{**front.__dict__, **bad}))


def test_upstreams_repeated_or_comma_separated():
    assert upstream_list(["a:1,b:2", "a:1", " c:3 "]) == ("a:1", "b:2", "c:3")


def test_docs_show_the_generated_configuration(tmp_path):
    """docs/deploy.md shows the output for the test kit's two-group bundle (paths as printed there)."""
    doc = (REPO / "docs" / "deploy.md").read_text()
    shown = re.search(r"<!-- generated: flashmob nginx, example -->\n```nginx\n(.*?)```", doc, re.S)
    assert shown, "docs/deploy.md lost its generated example"
    assert shown.group(1) == site_config(example_front(write_bundle(tmp_path / "b"))), \
        "docs/deploy.md's example differs from conductor/nginx.py's output: paste the new output"


def test_nginx_accepts_the_configuration_plain_and_with_tls(tmp_path):
    nginx = nginx_binary()
    bundle = write_bundle(tmp_path / "b")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    for i, tls in enumerate(({}, {"tls_cert": str(cert), "tls_key": str(key)})):
        run = tmp_path / f"run{i}"
        run.mkdir()
        front = Front(bundle=load_bundle(bundle, verify=False), upstreams=("127.0.0.1:1",), listen="127.0.0.1:1",
                      bundle_root=str(bundle), client_root=str(REPO / "client_web"), **tls)
        (run / "nginx.conf").write_text(standalone_config(front, str(run), user="root" if os.geteuid() == 0 else None))
        done = subprocess.run([nginx, "-t", "-p", str(run), "-c", str(run / "nginx.conf")], capture_output=True,
                              text=True)
        assert done.returncode == 0 and "test is successful" in done.stderr, done.stderr


def test_cli_prints_it(bundle_dir, capsys):
    from flashmob.cli import main

    assert main(["nginx", str(bundle_dir), "--upstream", "127.0.0.1:8001", "--listen", "8080"]) == 0
    out = capsys.readouterr().out
    assert "listen 8080;" in out and f'alias "{bundle_dir.resolve()}/";' in out
    assert main(["nginx", str(bundle_dir), "--upstream", "nowhere"]) == 2
    assert "HOST:PORT" in capsys.readouterr().err


# --------------------------------------------------------------------------- a real nginx


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    """One conductor process behind one nginx, for the live tests of this module."""
    nginx_binary()
    tmp = tmp_path_factory.mktemp("nginx-front")
    bundle = write_bundle(tmp / "bundle")
    (bundle / ".flashmob-group-secret").write_text("c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I\n")
    os.chmod(bundle / ".flashmob-group-secret", 0o600)
    proc, port = spawn(bundle, tmp / "state.sqlite", ("--forwarded-allow-ips", "127.0.0.1", "--max-per-address", "2",
                                                      "--min-lead", "0.5", "--log-level", "info"))
    nginx = None
    try:
        wait_http(port)
        nginx = NginxFront(bundle, [f"127.0.0.1:{port}"], tmp / "nginx").start()
        yield nginx, port, bundle, proc
    finally:
        if nginx is not None:
            nginx.stop()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def nginx_etag(path: Path) -> str:
    st = path.stat()
    return f'"{int(st.st_mtime):x}-{st.st_size:x}"'


def test_static_files_come_from_nginx_with_the_conductors_headers_and_bytes(front):
    nginx, port, bundle, _ = front
    rev = load_bundle(bundle, verify=False).revision
    served = {"/": REPO / "client_web/index.html", "/console": REPO / "client_web/console.html",
              "/js/protocol.js": REPO / "client_web/js/protocol.js", "/css/app.css": REPO / "client_web/css/app.css",
              "/favicon.svg": REPO / "client_web/favicon.svg", "/sw.js": REPO / "client_web/sw.js",
              "/bundle/manifest.json": bundle / "manifest.json", f"/bundle/{rev}/manifest.json": bundle / "manifest.json",
              f"/bundle/{rev}/red/show.mp3": bundle / "red/show.mp3",
              f"/bundle/{rev}/blue/seg-0001.mp3": bundle / "blue/seg-0001.mp3",
              f"/bundle/{rev}/red/captions.vtt": bundle / "red/captions.vtt",
              f"/bundle/{rev}/red/cover.png": bundle / "red/cover.png"}
    with httpx.Client(base_url=nginx.url, headers={"host": HOST}) as via, \
            httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"host": HOST}) as direct:
        for path, disk in served.items():
            for extra in ({}, {"range": "bytes=10-99"}):
                a, b = via.get(path, headers=extra), direct.get(path, headers=extra)
                assert a.status_code == b.status_code == (206 if extra else 200), (path, a.status_code, b.status_code)
                assert a.content == b.content == (disk.read_bytes()[10:100] if extra else disk.read_bytes()), path
                assert a.headers.get("etag") == nginx_etag(disk), f"{path} was not served by nginx itself"
                for name in SAME:
                    if extra and name == "accept-ranges":
                        continue  # nginx says it on the 200 answers only (RFC 9110 asks for no more)
                    assert a.headers.get(name) == b.headers.get(name), (path, name, a.headers.get(name),
                                                                        b.headers.get(name))
            if path.endswith(".mp3"):
                assert a.headers["cache-control"] == "public, max-age=31536000, immutable"
            again = via.get(path, headers={"if-none-match": a.headers["etag"]})
            assert again.status_code == 304 and again.headers["cache-control"] == a.headers["cache-control"]
        assert f"connect-src 'self' ws://{HOST} wss://{HOST};" in via.get("/").headers["content-security-policy"]
        odd = via.get("/", headers={"host": "odd_name.example"})  # not a plain host: no socket source named (as the conductor)
        assert "connect-src 'self';" in odd.headers["content-security-policy"]


def test_what_nginx_does_not_serve_gets_the_conductors_answer(front):
    nginx, port, bundle, _ = front
    rev = load_bundle(bundle, verify=False).revision
    paths = [f"/bundle/{rev}/secret-notes.txt", f"/bundle/{rev}/.flashmob-group-secret", "/.flashmob-group-secret",
             "/bundle/.flashmob-group-secret", f"/bundle/{rev}/../.flashmob-group-secret",
             "/bundle/0123456789abcdef/red/show.mp3", "/js/", "/nope.js", "/download/red", "/download/green"]
    with httpx.Client(base_url=nginx.url, headers={"host": HOST}) as via, \
            httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"host": HOST}) as direct:
        for path in paths:
            a, b = via.get(path), direct.get(path)
            assert (a.status_code, a.content) == (b.status_code, b.content), (path, a.status_code, a.content[:80])
            assert a.status_code in (302, 404), path
            assert b"c2VjcmV0" not in a.content
            for name in ("content-type", "cache-control", "location", "content-security-policy"):
                assert a.headers.get(name) == b.headers.get(name), (path, name)
        info = via.get("/api/info")
        assert info.status_code == 200 and info.json()["revision"] == rev


def test_a_phone_joins_proves_its_seat_syncs_and_is_armed_through_nginx(front):
    nginx, port, _, _ = front
    phone = WsClient(f"ws://127.0.0.1:{nginx.port}{m.PARTICIPANT_WS}")
    console = WsClient(f"ws://127.0.0.1:{nginx.port}{m.CONSOLE_WS}")
    try:
        phone.send({"type": "hello"})
        welcome = phone.expect("welcome")
        confirm_seat(phone, nginx.url, welcome)  # the challenged file comes from nginx
        phone.expect("seat", state="confirmed")
        best = None
        for i in range(10):
            t0 = time.time_ns() // 1000
            phone.send({"type": "sync", "id": i + 1, "t0": t0})
            r = phone.expect("sync_reply", id=i + 1)
            t3 = time.time_ns() // 1000
            rtt, offset = (t3 - t0) - (r["t2"] - r["t1"]), ((r["t1"] - t0) + (r["t2"] - t3)) / 2
            best = min(best, (rtt, offset)) if best else (rtt, offset)
        rtt, offset = best
        assert rtt < 20_000, best
        # without --ntp the conductor's clock is this machine's: the exchange through nginx finds it
        assert abs(offset) <= rtt / 2 + 2_000, best
        console.send({"type": "console_hello", "token": TOKEN})
        console.expect("console_welcome")
        console.send({"type": "arm", "in_ms": 1500, "ref": "go"})
        start = console.expect("ack", ref="go")["show"]["start_at_us"]
        assert phone.expect("show", state="armed")["start_at_us"] == start
        console.send({"type": "cancel", "ref": "back"})
        console.expect("ack", ref="back")
        assert phone.expect("show")["state"] == "lobby"
    finally:
        phone.close()
        console.close()


def _ws_from(source: str, port: int, path: str, headers: dict | None = None) -> WsClient:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    return WsClient(f"ws://127.0.0.1:{port}{path}", sock=sock, additional_headers=headers or {})


def test_the_conductor_counts_the_phones_address_not_nginxs(front):
    nginx, port, _, proc = front
    # per-address socket caps (--max-per-address 2): nginx's sockets all come from 127.0.0.1, exempt
    phones = [_ws_from("127.0.0.2", nginx.port, m.PARTICIPANT_WS) for _ in range(4)]
    try:
        for p in phones:
            p.send({"type": "hello"})
            p.expect("welcome")
        direct = [_ws_from("127.0.0.5", port, m.PARTICIPANT_WS) for _ in range(3)]  # not a proxy: counted
        assert direct[2].closed_code() == 1013
        for d in direct:
            d.close()
    finally:
        for p in phones:
            p.close()
    # the console login throttle counts the forwarded address: 127.0.0.2 is locked out, 127.0.0.3 is not,
    # even when it claims to be 127.0.0.2 (nginx replaces X-Forwarded-For)
    for i in range(5):
        c = _ws_from("127.0.0.2", nginx.port, m.CONSOLE_WS)
        c.send({"type": "console_hello", "token": f"wrong-token-{i:04d}-xxxxxxxxxx"})
        assert c.expect("error")["code"] == m.UNAUTHORIZED
        c.close()
    locked = _ws_from("127.0.0.2", nginx.port, m.CONSOLE_WS)
    locked.send({"type": "console_hello", "token": TOKEN})
    assert "too many" in locked.expect("error")["message"]
    locked.close()
    other = _ws_from("127.0.0.3", nginx.port, m.CONSOLE_WS, {"X-Forwarded-For": "127.0.0.2"})
    other.send({"type": "console_hello", "token": TOKEN})
    other.expect("console_welcome")
    other.close()
    deadline = time.monotonic() + 5
    while not any("refused from 127.0.0.2" in line for line in proc.output):
        assert time.monotonic() < deadline, proc.output[-20:]
        time.sleep(0.05)
    assert not any("refused from 127.0.0.1" in line for line in proc.output)


def test_phones_through_nginx_land_on_both_nodes_and_see_the_same_start(tmp_path, redis_url):
    """Two ``--redis`` nodes on one redis-server behind one nginx (no sticky sessions): the phones are
    spread over both, the console (through nginx, on either node) arms, every phone gets the same
    start time, a phone that reconnects keeps its group whichever node it lands on, and when a node
    is killed every phone reconnects through the same nginx and keeps its group and start time."""
    bundle = write_bundle(tmp_path / "bundle")
    nodes, nginx, phones = [], None, []
    try:
        for name in ("left", "right"):
            nodes.append(spawn(bundle, None, ("--redis", redis_url, "--node-id", name,
                                              "--forwarded-allow-ips", "127.0.0.1", "--min-lead", "0.5")))
        for _, port in nodes:
            wait_http(port)
        nginx = NginxFront(bundle, [f"127.0.0.1:{port}" for _, port in nodes], tmp_path / "nginx").start()
        url = f"ws://127.0.0.1:{nginx.port}"
        for _ in range(6):
            p = WsClient(url + m.PARTICIPANT_WS)
            p.send({"type": "hello"})
            phones.append((p, p.expect("welcome")))
        console = WsClient(url + m.CONSOLE_WS)
        console.send({"type": "console_hello", "token": TOKEN})
        console.expect("console_welcome")
        deadline, spread = time.monotonic() + 15, {}
        while time.monotonic() < deadline:
            try:
                feed = console.expect("feed", timeout=3)
            except TimeoutError:
                continue
            spread = {n["node"]: n["connected"] for n in feed.get("nodes", ())}
            if set(spread) == {"left", "right"} and sum(spread.values()) == 6:
                break
        assert set(spread) == {"left", "right"} and sum(spread.values()) == 6, spread
        assert min(spread.values()) >= 2, f"least_conn should spread 6 phones over both nodes: {spread}"
        console.send({"type": "arm", "in_ms": 2000, "ref": "go"})
        start = console.expect("ack", ref="go")["show"]["start_at_us"]
        for p, _ in phones:
            assert p.expect("show", state="armed")["start_at_us"] == start
        p, before = phones[0]
        p.close()
        for _ in range(2):  # each reconnect may land on either node: same group, same start
            again = WsClient(url + m.PARTICIPANT_WS)
            again.send({"type": "hello", "participant_id": before["participant_id"]})
            after = again.expect("welcome")
            assert (after["participant_id"], after["group"]) == (before["participant_id"], before["group"])
            assert after["show"]["state"] == "armed" and after["show"]["start_at_us"] == start
            again.close()
        console.close()
        # a node dies: its phones come back through the same nginx URL, land on the other node
        # (nginx skips the dead one: proxy_next_upstream), keep their group and the start time
        nodes[0][0].send_signal(signal.SIGKILL)
        nodes[0][0].wait(10)
        for p, before in phones[1:]:
            p.close()
            again = WsClient(url + m.PARTICIPANT_WS)
            again.send({"type": "hello", "participant_id": before["participant_id"]})
            after = again.expect("welcome")
            assert (after["participant_id"], after["group"]) == (before["participant_id"], before["group"])
            assert after["show"]["start_at_us"] == start
            again.close()
    finally:
        for p, _ in phones:
            p.close()
        if nginx is not None:
            nginx.stop()
        for proc, _ in nodes:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in nodes:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
