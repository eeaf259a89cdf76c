"""flashmob.conductor.files: Range, ETag, MIME, caching and traversal, unit and over HTTP."""

import hashlib
import os

import socket

import httpx
import pytest

from flashmob.conductor.files import clean_rel_path, mime_type, parse_range, safe_path


@pytest.mark.parametrize("header, expected", [
    (None, None), ("bytes=0-99", (0, 99)), ("bytes=10-", (10, 999)), ("bytes=-100", (900, 999)),
    ("bytes=-5000", (0, 999)), ("bytes=990-5000", (990, 999)), ("bytes=1000-", "unsatisfiable"),
    ("bytes=-0", "unsatisfiable"), ("bytes=5-2", None), ("bytes=0-1,5-6", None), ("items=0-1", None),
    ("bytes=-", None), (" bytes = 1 - 2 ", (1, 2)),
])
def test_parse_range(header, expected):
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("path", ["../x", "a/../../x", "/etc/passwd", "a//b", "./a", ".hidden", "a/.git/config",
                                  "a\\b", "C:/x", "a\x00b", "", "x" * 2000])
def test_clean_rel_path_refuses(path):
    assert clean_rel_path(path) is None


def test_safe_path_follows_symlinks_only_inside(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "ok.txt").write_text("ok")
    (tmp_path / "outside.txt").write_text("secret")
    os.symlink(tmp_path / "outside.txt", root / "link.txt")
    os.symlink(root / "sub" / "ok.txt", root / "inner.txt")
    assert safe_path(root, "sub/ok.txt") == (root / "sub" / "ok.txt").resolve()
    assert safe_path(root, "inner.txt") is not None
    assert safe_path(root, "link.txt") is None
    assert safe_path(root, "sub") is None  # directories are not files
    assert safe_path(root, "missing.txt") is None


def test_mime_types():
    assert mime_type("a/show.mp3") == "audio/mpeg"
    assert mime_type("c.vtt").startswith("text/vtt")
    assert mime_type("js/protocol.js").startswith("text/javascript")
    assert mime_type("x.unknownext") == "application/octet-stream"


def raw_status(port, path):
    """GET ``path`` byte for byte (httpx would normalize dot segments)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        head = s.recv(64).decode("latin-1")
    return int(head.split()[1])


def test_bundle_files_over_http(live_server, tmp_path):
    client = tmp_path / "client"
    (client / "js").mkdir(parents=True)
    (client / "index.html").write_text("<h1>phone</h1>")
    (client / "js" / "protocol.js").write_text("export const X = 1;")
    (client / ".env").write_text("SECRET=1")
    srv = live_server(client_dir=client)
    rev = srv.conductor.bundle.revision
    root = srv.conductor.bundle.root
    data = (root / "red" / "show.mp3").read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with httpx.Client(base_url=srv.url) as http:
        url = f"/bundle/{rev}/red/show.mp3"
        full = http.get(url)
        assert full.status_code == 200 and full.content == data
        assert full.headers["content-type"] == "audio/mpeg"
        assert full.headers["accept-ranges"] == "bytes"
        assert full.headers["etag"] == f'"{sha[:32]}"'
        assert "immutable" in full.headers["cache-control"]
        part = http.get(url, headers={"Range": "bytes=0-1"})  # what Safari asks first
        assert part.status_code == 206 and part.content == data[:2]
        assert part.headers["content-range"] == f"bytes 0-1/{len(data)}"
        tail = http.get(url, headers={"Range": "bytes=-10"})
        assert tail.content == data[-10:]
        assert http.get(url, headers={"Range": f"bytes={len(data)}-"}).status_code == 416
        assert http.get(url, headers={"If-None-Match": full.headers["etag"]}).status_code == 304
        stale = http.get(url, headers={"Range": "bytes=0-1", "If-Range": '"other"'})
        assert stale.status_code == 200 and len(stale.content) == len(data)
        head = http.head(url)
        assert head.status_code == 200 and head.headers["content-length"] == str(len(data)) and not head.content
        vtt = http.get(f"/bundle/{rev}/red/captions.vtt")
        assert vtt.headers["content-type"].startswith("text/vtt") and vtt.headers["cache-control"] == "no-cache"
        # never served: files the manifest does not reference, the state db, traversal
        for bad in ["secret-notes.txt", ".flashmob-conductor.sqlite", "../bundle0/manifest.json",
                    "red/../manifest.json", "%2e%2e/%2e%2e/etc/passwd", "red/%2e%2e/secret-notes.txt"]:
            assert raw_status(srv.port, f"/bundle/{rev}/{bad}") == 404, bad
        # client files
        assert http.get("/").text == "<h1>phone</h1>"
        js = http.get("/js/protocol.js")
        assert js.headers["content-type"].startswith("text/javascript") and js.headers["etag"]
        for bad in ["/.env", "/js/../.env", "/%2e%2e/bundle0/manifest.json", "/..%2f..%2fetc/passwd"]:
            assert raw_status(srv.port, bad) == 404, bad


def test_symlinks_to_dotfiles_inside_the_root_are_not_served(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / ".flashmob-conductor.sqlite").write_bytes(b"SQLite format 3\x00 group secret")
    (root / "sub" / ".hidden").write_text("hidden")
    os.symlink(root / ".flashmob-conductor.sqlite", root / "state.mp3")
    os.symlink(root / "sub" / ".hidden", root / "sub" / "visible.txt")
    (root / ".dir").mkdir()
    (root / ".dir" / "x.txt").write_text("x")
    os.symlink(root / ".dir", root / "alias")
    assert safe_path(root, "state.mp3") is None
    assert safe_path(root, "sub/visible.txt") is None
    assert safe_path(root, "alias/x.txt") is None


@pytest.mark.parametrize("header", ["bytes=" + "9" * 5000 + "-", "bytes=0-" + "9" * 5000, "bytes=-" + "9" * 5000,
                                    "bytes=" + "1" * 40 + "-" + "2" * 40])
def test_absurdly_long_range_numbers_are_416(header):
    assert parse_range(header, 1000) == "unsatisfiable"


def test_absurd_range_over_http_is_416_not_500(live_server):
    srv = live_server()
    rev = srv.conductor.bundle.revision
    r = httpx.get(f"{srv.url}/bundle/{rev}/red/show.mp3", headers={"Range": "bytes=" + "9" * 5000 + "-"})
    assert r.status_code == 416 and r.headers["content-range"] == "bytes */50000"
