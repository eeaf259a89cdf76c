"""The FastAPI shell: HTTP routes, the two websockets, the ticker.

Routes (docs/protocol.md, "Endpoints"):

* ``GET /`` participant page, ``GET /console`` organizer console — from
  ``client_web/`` when present, else a placeholder page;
* ``GET /<file>`` other client files (no-cache, ETag);
* ``GET /bundle/<revision>/<path>`` files the manifest references (Range,
  ETag, immutable cache for sha256-addressed files), ``GET /bundle/manifest.json``
  the current manifest (no-cache);
* ``GET /mine/<participant id>/<revision>/<path>`` a surprise show's files, per
  participant (conductor/surprise.py); its ``/bundle/...`` and ``/download/...``
  are then for the console only (``Authorization: Bearer <console token>``);
* ``GET /api/info`` show id, title, manifest URL, socket paths, server time;
* ``GET /api/report`` the show's report for the console, once it ended
  (:mod:`conductor.reportroute`; the renderer is injected: ``create_app(report=...)``);
* ``GET /signup``, ``/api/signup...``, ``/api/signups...`` sign-ups before the show
  (:mod:`conductor.signupapi`, docs/signups.md);
* ``WS /ws`` participants, ``WS /ws/console`` console.

Everything with a rule lives elsewhere: the protocol and its deadlines in the
sessions (:mod:`conductor.session`), the show, the ticker's policy and the
feed in the core (:mod:`conductor.service`); their effects are executed by
the :class:`~conductor.runtime.Runtime` (store writes off the event loop).
The two websockets are raw ASGI endpoints (:mod:`conductor.endpoint`): inbound
frames are stamped with server time as soon as they arrive; outbound frames
go through one bounded :class:`~conductor.hub.Outbox` per socket, so nothing
awaits a slow peer while handling another.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import WebSocketRoute

from flashmob.contract.secret import STATE_FILE, resolve_group_secret

from . import backplane, files, seats, signupapi
from . import messages as m
from .alarms import Alarms
from .bundle import MANIFEST, Bundle, load_bundle
from .clock import MAX_OFFSET_US, ServerClock
from .collector import Collector
from .headers import SecurityHeaders
from .connlimits import DEFAULT_HELLO_TIMEOUT_S
from .endpoint import SocketEndpoint
from .loginthrottle import LoginThrottle
from .ntp import NtpWorker
from .redisfollow import Follower
from .runtime import Runtime
from .service import Options
from .reportroute import ReportRenderer, ReportRoute
from .showlogfile import ShowLogFile, default_path, node_path
from .signupapi import SignupEvent, SignupService
from .signups import SIGNUP_BURST, SIGNUP_RATE_PER_MIN, SignupGate
from .session import CONSOLE_AUTH_TIMEOUT_S, ConsoleSession, ParticipantSession, Session  # noqa: F401
from .statelock import lock_state_file
from .store import SqliteStore
from .tokens import new_console_token
from .webclient import client_dir

log = logging.getLogger("flashmob.conductor.app")

CLIENT_DIR = client_dir()  # flashmob/client_web/ of a wheel, client_web/ of a checkout
DEFAULT_DB_NAME = STATE_FILE
WS_MAX_SIZE = 64 * 1024
"""Frames larger than this are refused by the websocket layer (close 1009)."""
MIN_TOKEN_CHARS = 16
MAX_TOKEN_CHARS = 256  # console_hello.token's limit
OUTBOX_SIZE = 256


@dataclass
class ServerConfig:
    bundle_dir: Path
    db_path: Path | None = None  # default: DEFAULT_DB_NAME inside the bundle folder
    token: str | None = None  # default: FLASHMOB_TOKEN, else generated
    assign: str = "balanced"
    capacity: int | None = None
    max_pending: int = seats.MAX_PENDING  # unconfirmed seats kept (docs/protocol.md, "Seats")
    confirm_timeout_s: float = seats.CONFIRM_TIMEOUT_S  # a pending seat is dropped this long after its last hello
    min_lead_s: float = 5.0
    public_url: str = "http://127.0.0.1:8000"
    ntp_hosts: list[str] = field(default_factory=list)
    ntp_interval_s: float = 180.0
    ntp_wait_s: float = 5.0
    ntp_max_offset_s: float = MAX_OFFSET_US / 1e6  # larger NTP corrections are refused (console alarm)
    client_dir: Path | None = None  # default: the repository's client_web/
    clock: ServerClock | None = None  # injected in tests
    progress: Callable[[int, int], None] | None = None  # bundle verification progress (bytes done, total)
    hello_timeout_s: float = DEFAULT_HELLO_TIMEOUT_S  # a /ws socket must say hello within this
    collect_garbage: bool = True  # full garbage collections only from the ticker (conductor/collector.py)
    showlog_path: Path | None = None  # the show log (docs/report.md); default: the state file's name + .showlog
    report: ReportRenderer | None = None  # renders /api/report (flashmob serve: tools/report's); None: 501
    signup_code: str | None = None  # the invitation code sign-ups need (docs/signups.md); None: none
    signup_event: SignupEvent | None = None  # the event's date and calendar (flashmob serve builds it)
    signup_burst: int = SIGNUP_BURST  # sign-up attempts per address at once ...
    signup_rate_per_min: float = SIGNUP_RATE_PER_MIN  # ... then per minute
    redis_url: str | None = None  # several conductors share the show there (conductor/backplane.py)
    node_id: str | None = None  # this process's name among them (default host-pid)


def build_conductor(cfg: ServerConfig) -> tuple[Runtime, ServerClock, NtpWorker | None]:
    bundle = load_bundle(cfg.bundle_dir, progress=cfg.progress)
    token = cfg.token or os.environ.get("FLASHMOB_TOKEN") or new_console_token()
    if not MIN_TOKEN_CHARS <= len(token) <= MAX_TOKEN_CHARS:
        source = "the console token" if cfg.token else "FLASHMOB_TOKEN"
        raise ValueError(f"{source} must have at least {MIN_TOKEN_CHARS} characters (and at most {MAX_TOKEN_CHARS}; "
                         f"it has {len(token)}): a short token can be guessed; unset it to get a random one")
    clock = cfg.clock or ServerClock(max_offset_us=round(cfg.ntp_max_offset_s * 1e6))
    alarms = Alarms(clock.now_us)
    ntp = NtpWorker(cfg.ntp_hosts, clock, interval_s=cfg.ntp_interval_s, alarms=alarms) if cfg.ntp_hosts else None
    if cfg.redis_url:
        return _build_shared(cfg, bundle, token, clock, alarms, ntp), clock, ntp
    db_path = cfg.db_path or bundle.root / DEFAULT_DB_NAME
    lock = lock_state_file(db_path)  # one conductor per state file, for the life of the process
    showlog: ShowLogFile | None = None
    try:
        store = SqliteStore(db_path)
        secret = resolve_group_secret(bundle.root, os.environ, legacy=lambda: store.stored_secret("group"),
                                      state_file=db_path)
        if secret.migrated:
            log.warning("moved the group secret from the state file %s to %s (flashmob qr reads it there)",
                        db_path, secret.source)
        if secret.stays_in_state:
            log.warning("the group secret stays in the state file %s: %s; flashmob qr cannot sign group URLs "
                        "until a conductor moves it there", db_path, secret.stays_in_state)
        options = Options(assign=cfg.assign, capacity=cfg.capacity, max_pending=cfg.max_pending,
                          group_secret=secret.key, confirm_timeout_us=round(cfg.confirm_timeout_s * 1e6),
                          min_lead_us=round(cfg.min_lead_s * 1e6), public_url=cfg.public_url, console_token=token)
        showlog = ShowLogFile(cfg.showlog_path or default_path(db_path))
        conductor = Runtime(bundle, store, clock.now_us, options, ntp_status=ntp.status if ntp else dict,
                            allow_clock_steps=clock.allow_steps, alarms=alarms,
                            time_served=clock.forbid_backward_steps,
                            collector=Collector() if cfg.collect_garbage else None, showlog=showlog)
    except BaseException:
        if showlog is not None:
            showlog.close()
        lock.release()
        raise
    conductor.state_lock = lock  # type: ignore[attr-defined]  # released with the store
    return conductor, clock, ntp


def _build_shared(cfg: ServerConfig, bundle: Bundle, token: str, clock: ServerClock, alarms: Alarms,
                  ntp: NtpWorker | None) -> Runtime:
    """A conductor on the Redis backplane (no state file: the show is in Redis)."""
    node_id = backplane.check_node_id(cfg.node_id or backplane.default_node_id())
    store = backplane.open_redis(cfg.redis_url, bundle.show_id, capacity=cfg.capacity)
    secret = resolve_group_secret(bundle.root, os.environ, legacy=lambda: None)
    options = Options(assign=cfg.assign, capacity=cfg.capacity, max_pending=cfg.max_pending,
                      group_secret=secret.key, confirm_timeout_us=round(cfg.confirm_timeout_s * 1e6),
                      min_lead_us=round(cfg.min_lead_s * 1e6), public_url=cfg.public_url, console_token=token,
                      shared=True)
    holder: list = []
    showlog = ShowLogFile(cfg.showlog_path or node_path(bundle.root, node_id))  # one per node (docs/report.md)
    try:
        conductor = Runtime(bundle, store, clock.now_us, options, ntp_status=ntp.status if ntp else dict,
                            allow_clock_steps=clock.allow_steps, alarms=alarms,
                            time_served=clock.forbid_backward_steps,
                            collector=Collector() if cfg.collect_garbage else None, shared=store,
                            cluster=lambda: holder[0].cluster if holder else None, showlog=showlog)
    except BaseException:
        showlog.close()
        raise

    def ntp_offset() -> int | None:
        return None if ntp is None else ntp.status().get("server_minus_wall_us")

    follower = Follower(conductor, cfg.redis_url, node_id, ntp_offset_us=ntp_offset)
    holder.append(follower)
    conductor.follower = follower
    conductor.node_id = node_id  # type: ignore[attr-defined]
    return conductor


PLACEHOLDER = """<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>
<body>
<h1>{title}</h1><p>{what}</p><p>The web client is not installed on this conductor
(<code>client_web/</code> is missing); the show is served at
<a href="{manifest}">{manifest}</a>.</p></body></html>"""


def create_app(conductor: Runtime, clock: ServerClock, *, ntp: NtpWorker | None = None,
               client_dir: Path | None = None, hello_timeout_s: float = DEFAULT_HELLO_TIMEOUT_S,
               signups: SignupService | None = None, report: ReportRenderer | None = None) -> FastAPI:
    client_root = (client_dir or CLIENT_DIR).resolve()
    bundle: Bundle = conductor.bundle
    ids = itertools.count(1)
    login_throttle = LoginThrottle()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        conductor.attach_loop(asyncio.get_running_loop())  # writes go to the writer thread from now on
        if conductor.collector is not None:
            conductor.collector.install()
        if ntp is not None:
            ntp.start()
        tasks = [asyncio.create_task(conductor.ticker())]
        if conductor.follower is not None:  # the Redis backplane (conductor/redisfollow.py)
            tasks.append(asyncio.create_task(conductor.follower.run()))
        if signups is not None:
            tasks.append(asyncio.create_task(signups.sweeper()))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if signups is not None:
                await asyncio.to_thread(signups.close)
            if ntp is not None:
                await asyncio.to_thread(ntp.stop)
            await asyncio.to_thread(conductor.close)  # the queued writes, then the store
            if conductor.collector is not None:
                conductor.collector.close()
            lock = getattr(conductor, "state_lock", None)
            if lock is not None:
                lock.release()

    app = FastAPI(title="flashmob conductor", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.conductor = conductor
    app.state.clock = clock
    app.state.ntp = ntp
    app.state.signups = signups
    app.add_middleware(SecurityHeaders)  # CSP and hardening headers on every HTTP response

    # -- websockets (raw ASGI endpoints: conductor/endpoint.py) ---------------------------

    def arrival():  # the connection gate's readers, when the server runs behind it (conductor/gate.py)
        return getattr(app.state, "arrival", None)

    def participant(cid: int, t: int, scope: dict) -> Session:
        return ParticipantSession(conductor.core, cid, opened_us=t, hello_timeout_s=hello_timeout_s)

    def console(cid: int, t: int, scope: dict) -> Session:
        client = scope.get("client")
        return ConsoleSession(conductor.core, cid, peer=client[0] if client else "?", throttle=login_throttle,
                              opened_us=t)

    for path, make, flush in ((m.PARTICIPANT_WS, participant, False), (m.CONSOLE_WS, console, True)):
        app.router.routes.append(WebSocketRoute(path, SocketEndpoint(conductor, clock.now_us, make, ids,
                                                                     outbox_size=OUTBOX_SIZE, arrival=arrival,
                                                                     flush=flush)))

    # -- http -------------------------------------------------------------------------

    surprise = conductor.core.surprise  # None: the groups are no surprise

    def organizers_only(request: Request) -> Response | None:
        """A surprise show's bundle files and group links: refused without the console token."""
        if surprise is None:
            return None
        given = request.headers.get("authorization", "")
        if given.startswith("Bearer ") and conductor.core.check_console_token(given[7:].strip()):
            return None
        return JSONResponse({"error": "the groups of this show are a surprise: its bundle is for the "
                                      "organizers (phones get their own files from their welcome)"},
                            status_code=403, headers={"Cache-Control": "no-store"})

    @app.get("/api/info")
    async def info() -> JSONResponse:
        groups = () if surprise is not None else tuple(g.id for g in bundle.groups)
        payload = m.ApiInfo(show_id=bundle.show_id, title=bundle.title, revision=bundle.revision,
                            manifest_url=conductor.manifest_url, assign=conductor.options.assign,
                            groups=groups, server_time_us=clock.now_us())
        return JSONResponse(m.to_dict(payload), headers={"Cache-Control": "no-store"})

    app.add_api_route("/api/report", ReportRoute(conductor, clock.now_us, report, login_throttle), methods=["GET"])

    @app.api_route("/mine/{participant_id}/{revision}/{path:path}", methods=["GET", "HEAD"])
    async def own_file(request: Request, participant_id: str, revision: str, path: str) -> Response:
        """A surprise show's files of one participant, by their alias paths (conductor/surprise.py)."""
        served = surprise.resolve(participant_id, revision, path) if surprise is not None else None
        if isinstance(served, bytes):
            return Response(served if request.method == "GET" else b"", media_type="application/json",
                            headers={"Cache-Control": files.REVALIDATE, "Content-Length": str(len(served)),
                                     "X-Content-Type-Options": "nosniff"})
        target = files.safe_path(bundle.root, served.path) if served is not None else None
        if target is None:
            return files.not_found()
        return files.file_response(request, target, sha256=served.sha256)

    @app.api_route("/bundle/manifest.json", methods=["GET", "HEAD"])
    async def current_manifest(request: Request) -> Response:
        refused = organizers_only(request)
        if refused is not None:
            return refused
        return files.file_response(request, bundle.root / MANIFEST, cache_control=files.REVALIDATE)

    @app.api_route("/bundle/{revision}/{path:path}", methods=["GET", "HEAD"])
    async def bundle_file(request: Request, revision: str, path: str) -> Response:
        refused = organizers_only(request)
        if refused is not None:
            return refused
        if revision != bundle.revision:
            return JSONResponse({"error": "this show bundle was replaced; reload",
                                 "manifest_url": conductor.manifest_url}, status_code=404,
                                headers={"Cache-Control": "no-store"})
        if path not in bundle.files:
            return files.not_found()
        target = files.safe_path(bundle.root, path)
        if target is None:
            return files.not_found()
        sha = bundle.files[path]
        cache = files.IMMUTABLE if (sha or path == MANIFEST) else files.REVALIDATE
        return files.file_response(request, target, sha256=sha, cache_control=cache)

    @app.api_route("/download/{group}", methods=["GET", "HEAD"])
    async def group_download(request: Request, group: str) -> Response:
        """The stable printed link: 302 to the group's MP3 in the bundle served now."""
        refused = organizers_only(request)
        if refused is not None:
            return refused
        mp3 = bundle.mp3_path(group)
        if mp3 is None:
            return JSONResponse({"error": f"no group {group!r} in this show",
                                 "groups": [g.id for g in bundle.groups]}, status_code=404,
                                headers={"Cache-Control": "no-store"})
        return RedirectResponse(f"/bundle/{bundle.revision}/{quote(mp3, safe='/')}", status_code=302,
                                headers={"Cache-Control": "no-store"})

    def page(name: str, what: str) -> Response:
        return HTMLResponse(PLACEHOLDER.format(title=html.escape(bundle.title), what=what,
                                               manifest=conductor.manifest_url),
                            headers={"Cache-Control": "no-cache"})

    @app.api_route("/", methods=["GET", "HEAD"])
    async def index(request: Request) -> Response:
        target = files.safe_path(client_root, "index.html")
        return files.file_response(request, target) if target else page("index", "Participant page.")

    @app.api_route("/console", methods=["GET", "HEAD"])
    async def console(request: Request) -> Response:
        target = files.safe_path(client_root, "console.html")
        return files.file_response(request, target) if target else page("console", "Organizer console.")

    signupapi.mount(app, signups, client_root, shared=conductor.follower is not None)  # sign-ups (docs/signups.md), before the catch-all

    @app.api_route("/{path:path}", methods=["GET", "HEAD"])
    async def client_file(request: Request, path: str) -> Response:
        target = files.safe_path(client_root, path)
        return files.file_response(request, target) if target else files.not_found()

    return app


def build_app(cfg: ServerConfig) -> FastAPI:
    """Everything from a config: bundle, store, clock, NTP worker, app."""
    conductor, clock, ntp = build_conductor(cfg)
    try:
        signups = build_signup_service(conductor, clock, cfg)
    except BaseException:
        conductor.close()
        lock = getattr(conductor, "state_lock", None)
        if lock is not None:
            lock.release()
        raise
    return create_app(conductor, clock, ntp=ntp, client_dir=cfg.client_dir, hello_timeout_s=cfg.hello_timeout_s,
                      signups=signups, report=cfg.report)


def build_signup_service(conductor: Runtime, clock: ServerClock, cfg: ServerConfig) -> SignupService | None:
    """The sign-ups of the bundle (None: its score has no signups block), on the conductor's state file."""
    return signupapi.build_signups(conductor, clock.now_us, db_path=cfg.db_path, event=cfg.signup_event,
                                   gate=SignupGate(cfg.signup_code, burst=cfg.signup_burst,
                                                   rate_per_min=cfg.signup_rate_per_min),
                                   shared=bool(cfg.redis_url))
