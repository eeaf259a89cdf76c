"""The nginx front of one or more conductor processes: its configuration, generated.

Contract
--------
:func:`site_config` returns the nginx ``http``-level text (maps, one
``upstream``, one ``server``) that puts nginx in front of conductor nodes;
:func:`standalone_config` wraps it into a complete ``nginx.conf`` (process,
events, logs and temp paths under one folder) that ``nginx -p DIR -c FILE
-g 'daemon off;'`` runs as is (the tests run exactly that).  ``flashmob nginx``
prints either (``flashmob/cli/nginx.py``); docs/deploy.md shows and explains
the output and ``tests/conductor/test_nginx.py`` checks the docs against it.

What the configuration does, and where each value comes from:

* **Websockets** ``/ws`` and ``/ws/console`` (``conductor/messages.py``) are
  proxied with the HTTP/1.1 upgrade, ``proxy_read_timeout`` /
  ``proxy_send_timeout`` of an hour (a phone may wait in the lobby long; the
  conductor pings every 20 s), a short connect timeout so that a dead node is
  skipped at once (``proxy_next_upstream``), no buffering.
* **No sticky sessions**: ``least_conn`` over every node.  A phone may land on
  any node at every reconnect; the show (group, seat, start time) is shared
  through the backplane, not kept by the node.
* **Static files by nginx**, with the headers the conductor sends for them
  (``conductor/files.py``, ``conductor/headers.py``): the files the manifest
  references, under ``/bundle/<revision>/`` of *this* bundle's revision only
  (an allow-list ``map`` generated from the manifest, exactly the conductor's
  ``Bundle.files``: nothing else in the folder, no dot-file, is ever served),
  ``Cache-Control: public, max-age=31536000, immutable`` for content-addressed
  ones (a sha256 in the manifest) and for the revision's manifest,
  ``no-cache`` for the rest, the current ``/bundle/manifest.json``, the page,
  the console and the client's files; the MIME types of
  ``conductor/files.py``; the Content-Security-Policy and hardening headers of
  ``conductor/headers.py`` (``connect-src`` names the request's own host, as
  the conductor does, when the Host header is a plain host[:port]).  Anything
  nginx does not serve itself (another revision, a file not listed, a path
  that is not a file) goes to a conductor, which answers as it always does.
  A **surprise show**'s bundle is never served by nginx (:func:`surprise_show`):
  it names every group, and only the conductor knows who holds the console token.
* **The client's address**: nginx replaces ``X-Forwarded-For`` with the
  address it sees (``$remote_addr``; a phone cannot choose its own) and passes
  ``Host`` and ``X-Forwarded-Proto``.  The conductor believes it only from the
  addresses of ``flashmob serve --forwarded-allow-ips`` (uvicorn's proxy
  headers), which are also exempt from its per-address socket caps: every
  socket of the nginx machine comes from one address
  (``conductor/connlimits.py``), while the console login throttle counts the
  phone's forwarded address.
* **Slow clients** are nginx's to cut once it is in front: its request-head
  deadline, head size limit, idle keep-alive and send timeout are the
  conductor's own defaults (``connlimits.Limits``, ``conductor/gate.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flashmob.contract.bundle import Bundle
from flashmob.contract.manifest import MANIFEST

from . import files, headers
from . import messages as m
from .connlimits import Limits

WS_TIMEOUT_S = 3600
"""proxy_read_timeout and proxy_send_timeout of the websockets: an hour in the lobby."""
CONNECT_TIMEOUT_S = 3
"""A node that does not accept within this is skipped for the next one."""
HEAD_LIMIT = "16k"
"""Largest request head: uvicorn's h11 limit in conductor/gate.py (16 KiB)."""
KEEPALIVE_S = 5
"""Idle keep-alive between requests: the conductor's ``timeout_keep_alive`` (conductor/gate.py)."""

_UNSAFE = re.compile(r'["\\$\x00-\x1f\x7f]')
_ADDRESS = re.compile(r"^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):[0-9]{1,5}$")
_LISTEN = re.compile(r"^(?:(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):)?[0-9]{1,5}$")


@dataclass(frozen=True)
class Front:
    """What the configuration is made of.  ``bundle_root`` and ``client_root``
    are the folders as nginx will see them (absolute paths)."""

    bundle: Bundle
    upstreams: tuple[str, ...]
    listen: str = "80"
    bundle_root: str = ""
    client_root: str = ""
    tls_cert: str | None = None
    tls_key: str | None = None


def _word(text: str, what: str) -> str:
    """``text`` as one nginx word inside double quotes; a clear error for what nginx could misread."""
    if _UNSAFE.search(text):
        raise ValueError(f"{what} {text!r} has a character nginx would misread (a double quote, backslash, "
                         "$ or a control character)")
    return f'"{text}"'


def _check(front: Front) -> None:
    if not front.upstreams:
        raise ValueError("at least one conductor node (--upstream HOST:PORT) is needed")
    for u in front.upstreams:
        if not _ADDRESS.match(u):
            raise ValueError(f"upstream {u!r} is not HOST:PORT (e.g. 127.0.0.1:8001)")
    if not _LISTEN.match(front.listen):
        raise ValueError(f"listen {front.listen!r} is not PORT or HOST:PORT")
    for root, what in ((front.bundle_root, "bundle folder"), (front.client_root, "client folder")):
        if not root.startswith("/"):
            raise ValueError(f"the {what} must be an absolute path (got {root!r})")
        _word(root, f"the {what}")
    if bool(front.tls_cert) != bool(front.tls_key):
        raise ValueError("a TLS certificate and its key go together")


def surprise_show(bundle: Bundle) -> bool:
    """A surprise show's bundle is served by the conductor only: its files and manifest name
    every group, and the conductor gives them to organizers (the console token) alone."""
    return bundle.manifest.surprise is not None


def bundle_cache_map(bundle: Bundle) -> list[tuple[str, str]]:
    """``(URL path, Cache-Control)`` of every file nginx may serve from the bundle: the conductor's
    allow-list (``Bundle.files``) under this revision, with the conductor's cache rule (conductor/app.py)."""
    rows = []
    for path, sha in sorted(bundle.files.items()):
        cache = files.IMMUTABLE if (sha or path == MANIFEST) else files.REVALIDATE
        rows.append((f"/bundle/{bundle.revision}/{path}", cache))
    return rows


def csp_with(variable: str) -> str:
    """The conductor's Content-Security-Policy with ``variable`` (an nginx variable holding
    `` ws://HOST wss://HOST`` or nothing) appended to its ``connect-src``."""
    plain = headers.content_security_policy(None)
    needle = "connect-src 'self'"
    if plain.count(needle) != 1:  # pragma: no cover - a change of headers.py this module must follow
        raise AssertionError("conductor/headers.py's policy no longer has one plain connect-src 'self'")
    return plain.replace(needle, needle + variable)


def _static_headers(cache: str) -> list[str]:
    _word(csp_with(""), "policy")  # the conductor's policy itself has nothing nginx would misread
    lines = [f"add_header Cache-Control {cache} always;",
             f'add_header Content-Security-Policy "{csp_with("$flashmob_ws_sources")}" always;']
    for name, value in headers.STATIC_HEADERS.items():
        lines.append(f"add_header {'-'.join(w.capitalize() for w in name.split('-'))} {_word(value, name)} always;")
    return lines


def _types() -> list[str]:
    by_type: dict[str, list[str]] = {}
    for suffix, mime in files.MIME.items():
        by_type.setdefault(mime.split(";")[0].strip(), []).append(suffix.lstrip("."))
    return [f"{t} {' '.join(sorted(s))};" for t, s in sorted(by_type.items())]


def _charset_types() -> str:
    return " ".join(sorted({mime.split(";")[0].strip() for mime in files.MIME.values()
                            if "charset=utf-8" in mime} - {"text/html"}))  # nginx always includes text/html


def _block(head: str, body: list[str], indent: str = "    ") -> list[str]:
    return [f"{head} {{"] + [indent + line if line else "" for line in body] + ["}"]


def _proxy(websocket: bool) -> list[str]:
    lines = ["proxy_pass http://flashmob_conductors;",
             "proxy_http_version 1.1;",
             "proxy_set_header Host $http_host;",
             "proxy_set_header X-Forwarded-For $remote_addr;",
             "proxy_set_header X-Forwarded-Proto $scheme;",
             "proxy_set_header Upgrade $http_upgrade;",
             "proxy_set_header Connection $flashmob_connection;",
             f"proxy_connect_timeout {CONNECT_TIMEOUT_S}s;",
             "proxy_next_upstream error timeout;"]
    if websocket:
        lines += [f"proxy_read_timeout {WS_TIMEOUT_S}s;", f"proxy_send_timeout {WS_TIMEOUT_S}s;",
                  "proxy_buffering off;", "proxy_socket_keepalive on;"]
    return lines


def site_config(front: Front) -> str:
    """The ``http``-level configuration (Debian: a file in /etc/nginx/conf.d/)."""
    _check(front)
    lim = Limits()
    rows = bundle_cache_map(front.bundle)
    for path, _ in rows:
        _word(path, "bundle file")
    longest = max(len(p) for p, _ in rows)
    bucket = 64
    while bucket < longest + 32:
        bucket *= 2
    host_re = headers._HOST.pattern  # the conductor's own test of a plain host[:port]
    if '"' in host_re or "\\\\" in host_re:  # pragma: no cover - nginx keeps other backslashes as they are
        raise AssertionError("conductor/headers.py's host pattern cannot be quoted for nginx")
    out = [f"# flashmob: nginx in front of {len(front.upstreams)} conductor node(s), show "
           f"{front.bundle.show_id} revision {front.bundle.revision}.",
           "# Generated by `flashmob nginx` (conductor/nginx.py); generate it again when the bundle changes.",
           ""]
    out += [f"map_hash_bucket_size {bucket};", f"map_hash_max_size {max(2048, 2 * len(rows))};", ""]
    out += _block("map $http_upgrade $flashmob_connection", ['default "upgrade";', '"" "";'])
    out += [""] + _block("map $http_host $flashmob_ws_sources", [
        f'"~{host_re}" " ws://$http_host wss://$http_host";', 'default "";'])
    out += [""] + _block("map $uri $flashmob_bundle_cache", ['default "";']
                  + [f"{_word(p, 'bundle file')} {_word(c, 'cache')};" for p, c in rows])
    out += [""] + _block("upstream flashmob_conductors",
                         ["least_conn;"] + [f"server {u} max_fails=1 fail_timeout=5s;" for u in front.upstreams]
                         + ["keepalive 64;"])
    static = _static_headers  # the conductor's headers, on every file nginx serves itself
    server = []
    if front.tls_cert:
        server += [f"listen {front.listen} ssl http2;", f"ssl_certificate {_word(front.tls_cert, 'cert')};",
                   f"ssl_certificate_key {_word(front.tls_key, 'key')};"]
    else:
        server += [f"listen {front.listen};"]
    server += ["server_name _;", "server_tokens off;", "",
               f"client_header_timeout {lim.header_timeout_s:g}s;",
               f"large_client_header_buffers 4 {HEAD_LIMIT};",
               "client_max_body_size 16k;",
               f"keepalive_timeout {KEEPALIVE_S}s;",
               f"send_timeout {lim.write_stall_s:g}s;",
               "sendfile on;", "tcp_nopush on;", "tcp_nodelay on;", "",
               "charset utf-8;", f"charset_types {_charset_types()};", "default_type application/octet-stream;"]
    server += _block("types", _types())
    server += ["", "# the conductor's sockets: upgrade, long timeouts, any node"]
    for path in (m.PARTICIPANT_WS, m.CONSOLE_WS):
        server += _block(f"location = {path}", _proxy(True))
    server += ["", "# everything nginx does not serve itself (/api/, /download/, errors)"]
    server += _block("location @conductor", _proxy(False))
    if surprise_show(front.bundle):
        server += ["", "# a surprise show: the bundle is for organizers only (the conductor checks the console",
                   "# token on /bundle/ and /download/) and each phone's files are its own (/mine/): all by a node"]
    else:
        server += ["", "# the bundle: only the files the manifest lists, of this revision"]
        server += _block(f"location ^~ /bundle/{front.bundle.revision}/", [
            f"alias {_word(front.bundle_root.rstrip('/') + '/', 'bundle folder')};",
            "error_page 418 = @conductor;",
            'if ($flashmob_bundle_cache = "") { return 418; }',
            *static("$flashmob_bundle_cache")])
        server += _block("location = /bundle/manifest.json", [
            f"alias {_word(front.bundle_root.rstrip('/') + '/' + MANIFEST, 'manifest')};",
            *static(_word(files.REVALIDATE, "cache"))])
    server += _block("location ^~ /bundle/", _proxy(False))
    server += ["", "# the page, the console and the client's files (revalidated)"]
    client = _word(front.client_root.rstrip("/"), "client folder")
    for path, name in (("/", "index.html"), ("/console", "console.html")):
        server += _block(f"location = {path}", [f"root {client};", f"try_files /{name} @conductor;",
                                                *static(_word(files.REVALIDATE, "cache"))])
    server += _block("location ~ /\\.", _proxy(False))  # dot-files: the conductor refuses them
    server += _block("location /", [f"root {client};", "try_files $uri @conductor;",
                                    *static(_word(files.REVALIDATE, "cache"))])
    out += [""] + _block("server", server)
    return "\n".join(out) + "\n"


def standalone_config(front: Front, run_dir: str, *, user: str | None = None, worker_processes: str = "auto",
                      worker_connections: int = 16384, access_log: bool = False) -> str:
    """A complete ``nginx.conf``: :func:`site_config` inside ``http``, with the pid file, the error log,
    the temp folders under ``run_dir`` (so one nginx runs as an ordinary process, as the tests run it)."""
    run = run_dir.rstrip("/")
    if not run.startswith("/"):
        raise ValueError(f"the run folder must be an absolute path (got {run_dir!r})")
    _word(run, "run folder")
    head = [f"user {user};"] if user else []
    head += [f"worker_processes {worker_processes};", f"worker_rlimit_nofile {2 * worker_connections + 1024};",
             f"pid {run}/nginx.pid;", f"error_log {run}/error.log warn;", ""]
    head += _block("events", [f"worker_connections {worker_connections};"])
    http = [f"access_log {run}/access.log;" if access_log else "access_log off;"]
    http += [f"{kind}_temp_path {run}/tmp-{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")]
    http += [""] + site_config(front).rstrip("\n").split("\n")
    return "\n".join(head + [""] + _block("http", http)) + "\n"


def upstream_list(values: Sequence[str]) -> tuple[str, ...]:
    """``HOST:PORT`` values, comma-separated or repeated, in order, without duplicates."""
    out: list[str] = []
    for v in values:
        for part in v.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return tuple(out)


__all__ = ["Front", "site_config", "standalone_config", "bundle_cache_map", "csp_with", "upstream_list",
           "WS_TIMEOUT_S"]
