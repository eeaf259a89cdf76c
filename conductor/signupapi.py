"""The sign-up shell: HTTP routes around :class:`~conductor.signups.SignupBook` (docs/signups.md).

Routes (shapes: :mod:`flashmob.contract.signups`):

* ``GET /signup`` the sign-up page (``client_web/signup.html``);
* ``GET /api/signup`` :class:`SignupInfo`; ``POST /api/signup`` a
  :class:`SignupRequest` -> 201 :class:`SignupView` with the private ``key``
  (refusals: 4xx ``{"error", "code"}``; 429 with ``Retry-After``);
* ``GET /api/signup/me``, ``DELETE /api/signup/me`` (cancel and delete),
  ``GET /api/signup/me/calendar`` (the ``.ics``): the private key in the
  ``X-Flashmob-Signup`` header, never in a URL;
* ``GET /api/signups`` :class:`SignupSummary` and ``GET /api/signups.csv``
  (the badge CSV): the console token as ``Authorization: Bearer TOKEN``,
  failed tokens throttled per address like console logins.

:class:`SignupService` owns the book, its store and the gate; decisions and
their writes happen under one lock, the writes on a worker thread; a failed
write reloads the book from the store and answers 503, so memory never
claims what the disk does not hold.  The erasure sweep runs at start and
every :data:`SWEEP_EVERY_S` (:meth:`SignupService.sweeper`).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from flashmob.contract.grouptokens import same_secret
from flashmob.contract.jsonshape import JsonShapeError, check_json
from flashmob.contract.records import RecordError
from flashmob.contract.manifest import MANIFEST
from flashmob.contract.secret import STATE_FILE
from flashmob.contract.signups import (CSV_COLUMNS, KEY_HEADER, GroupCount, SignupFileError, SignupInfo,
                                       SignupSettings, SignupSummary, SignupView, Status, groups_public,
                                       parse_request, read_signup_settings, to_json)
from flashmob.contract.urls import join_url, signup_url

from . import files
from .connlimits import address_key
from .loginthrottle import LoginThrottle
from .show import State
from .signups import Entry, Refused, SignupBook, SignupGate, erase_at_us
from .signupstore import SignupStore, SqliteSignupStore

log = logging.getLogger("flashmob.conductor.signups")

MAX_BODY = 4096
SWEEP_EVERY_S = 600.0
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class SignupEvent:
    """What the conductor knows of the event's date (built by ``flashmob serve`` from the score's
    event block with the print kit's reader; conductor/ never imports tools/)."""

    start_us: int | None = None
    end_us: int | None = None
    calendar: Callable[[str, int], str] | None = None  # (personal join URL, now µs) -> the .ics text


def _error(code: str, message: str, status: int, retry_after_s: int | None = None) -> JSONResponse:
    headers = dict(NO_STORE)
    if retry_after_s is not None:
        headers["Retry-After"] = str(retry_after_s)
    return JSONResponse({"error": message, "code": code}, status_code=status, headers=headers)


class SignupService:
    def __init__(self, conductor, settings: SignupSettings, store: SignupStore, now: Callable[[], int], *,
                 code: str | None = None, event: SignupEvent | None = None, gate: SignupGate | None = None,
                 manifest_raw: dict | None = None) -> None:
        self.conductor, self.settings, self.store, self.now = conductor, settings, store, now
        self.event = event or SignupEvent()
        self.bundle = conductor.bundle
        self.gate = gate or SignupGate(code)
        self.throttle = LoginThrottle()
        self.show_groups = groups_public(manifest_raw)
        capacity = settings.capacity
        if conductor.options.capacity is not None:  # a place the conductor would refuse is no place
            capacity = min(capacity or conductor.options.capacity, conductor.options.capacity)
        self.capacity = capacity
        self._lock = asyncio.Lock()
        moved = self._carry_over()
        self.book = self._load()
        if moved:
            self._write_now(self.book.reissue())
        self._write_now(self.book.sweep(now(), self.erase_at()))

    def _carry_over(self) -> int:
        """Sign-ups kept under an older show id (the score was edited and rendered again) come to this
        show, with new participant ids: their manage links still work, their badges must be printed again."""
        moved = 0
        for old in self.store.other_shows(self.bundle.show_id):
            n = self.store.move(old, self.bundle.show_id)
            moved += n
            log.warning("%d sign-up(s) of show %s (an earlier render) carried over to show %s with new participant "
                        "ids: export the badge CSV and print the badges again", n, old, self.bundle.show_id)
        return moved

    def _load(self) -> SignupBook:
        entries, stats = self.store.load(self.bundle.show_id)
        return SignupBook(self.bundle.groups, capacity=self.capacity, ask_email=self.settings.email.value,
                          new_key=lambda: secrets.token_urlsafe(24), new_pid=self.conductor.registry.issue_id,
                          entries=entries, stats=stats)

    def _write_now(self, writes: list) -> None:
        self.store.apply(self.bundle.show_id, writes)

    # -- rules --------------------------------------------------------------------------

    def erase_at(self) -> int | None:
        rec = self.conductor.record
        over = rec.changed_at_us if rec.state in (State.ENDED, State.ABORTED) else None
        return erase_at_us(self.settings.keep_days, self.event.end_us, over)

    CLOSED = {"erased": "The show is over: the sign-ups were deleted.",
              "over": "The show is over: sign-ups are closed.",
              "started": "The show has started: sign-ups are closed."}

    def closed(self, now_us: int) -> str | None:
        """Why sign-ups are closed (a key of :attr:`CLOSED`), None while they are open."""
        if self.book.stats.erased_at_us is not None:
            return "erased"
        state = self.conductor.record.state
        if state in (State.ENDED, State.ABORTED):
            return "over"
        if state is not State.LOBBY or (self.event.start_us is not None and now_us >= self.event.start_us):
            return "started"
        return None

    def public_url(self) -> str:
        return self.conductor.options.public_url.rstrip("/")

    def view(self, e: Entry, key: str | None = None) -> SignupView:
        confirmed = e.status is Status.CONFIRMED
        g = self.bundle.group(e.group) if confirmed and e.group and self.show_groups else None
        return SignupView(status=e.status, name=e.name, email=e.email, position=self.book.position(e),
                          participant_id=e.participant_id if confirmed else None,
                          group=g.id if g else None, group_name=g.name if g else None, colour=g.colour if g else None,
                          join_url=join_url(self.public_url(), participant=e.participant_id)
                          if confirmed and e.participant_id else None, key=key)

    def info(self) -> SignupInfo:
        now = self.now()
        closed = self.closed(now)
        ev = self.bundle.manifest.event
        return SignupInfo(open=closed is None, closed=closed, closed_reason=self.CLOSED.get(closed or ""),
                          title=self.bundle.title,
                          language=self.bundle.manifest.language or "en",
                          starts=_iso(self.event.start_us), place=ev.place if ev else None,
                          privacy=self.settings.privacy, email=self.settings.email,
                          code_required=self.gate.code is not None, capacity=self.capacity,
                          places_left=self.book.places_left(), keep_days=self.settings.keep_days)

    def summary(self) -> SignupSummary:
        counts = self.book.counts()
        st = self.book.stats
        return SignupSummary(enabled=True, open=self.closed(self.now()) is None, capacity=self.capacity,
                             confirmed=self.book.confirmed_count, waiting=self.book.waiting_count,
                             cancelled=st.cancelled, promoted=st.promoted,
                             groups=tuple(GroupCount(id=g.id, name=g.name, signups=counts[g.id])
                                          for g in self.bundle.groups),
                             keep_days=self.settings.keep_days, erase_at_us=self.erase_at(),
                             erased=st.erased_at_us is not None)

    def badge_csv(self) -> str:
        """The confirmed sign-ups as ``flashmob qr --badges`` reads them (contract.signups.CSV_COLUMNS)."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(CSV_COLUMNS)
        for e in sorted(self.book.confirmed, key=lambda e: e.seq):
            w.writerow([_csv_safe(e.name), "", e.group if self.show_groups else "", e.participant_id or ""])
        return out.getvalue()

    # -- actions (under the lock; writes off the loop) ------------------------------------

    async def _commit(self, writes: list) -> None:
        try:
            await asyncio.to_thread(self.store.apply, self.bundle.show_id, writes)
        except Exception:
            log.exception("writing sign-ups; reloading them from the state file")
            self.book = self._load()
            raise Refused("unavailable", "The sign-up could not be saved; please try again.", status=503) from None

    async def sign_up(self, body: dict, address: str) -> tuple[str, Entry]:
        now = self.now()
        req = parse_request(body)
        closed = self.closed(now)
        if closed is not None:
            raise Refused("closed", self.CLOSED[closed], status=409)
        self.gate.check(address, req.code, now)
        async with self._lock:
            key, entry, writes = self.book.sign_up(req, now)
            await self._commit(writes)
        return key, entry

    async def cancel(self, key: str) -> Entry | None:
        async with self._lock:
            entry, writes = self.book.cancel(key, self.now())
            if writes:
                await self._commit(writes)
        return entry

    async def sweep(self) -> None:
        async with self._lock:
            writes = self.book.sweep(self.now(), self.erase_at())
            if writes:
                log.warning("deleting every sign-up of show %s: %d days after the show",
                            self.bundle.show_id, self.settings.keep_days)
                await self._commit(writes)

    async def sweeper(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # keep sweeping whatever happens
                log.exception("sign-up erasure sweep")
            await asyncio.sleep(SWEEP_EVERY_S)

    def close(self) -> None:
        self.store.close()


def _iso(t_us: int | None) -> str | None:
    if t_us is None:
        return None
    return dt.datetime.fromtimestamp(t_us / 1e6, dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ first: CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def _body(request: Request) -> dict | None:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            return None
    try:
        obj = json.loads(raw)
        check_json(obj, name="sign-up")  # lone surrogates would fail at the store, nesting at the parser
    except (ValueError, RecursionError, JsonShapeError):
        return None
    return obj if isinstance(obj, dict) else None


SHARED_NODE = ("Sign-ups are taken by one conductor before the show (flashmob serve without --redis); "
               "this conductor is one node of several (docs/signups.md).")


def build_signups(conductor, now: Callable[[], int], *, db_path: Path | None = None,
                  gate: SignupGate | None = None, event: SignupEvent | None = None,
                  shared: bool = False) -> SignupService | None:
    """The sign-up service of a conductor whose bundle has a sign-up settings file (None: no sign-ups).

    A node of several (``shared``, ``--redis``) takes none: the book lives in one process's
    state file, and several nodes would each keep their own. Their ids stay valid on every
    node (they are signed with the group secret all nodes share).

    Raises :class:`~flashmob.contract.signups.SignupFileError` for a settings file that is not one."""
    root = conductor.bundle.root
    settings = read_signup_settings(root)
    if settings is not None and shared:
        if gate is not None and gate.code:
            raise SignupFileError("--signup-code was given to a --redis node: " + SHARED_NODE)
        log.warning("%s", SHARED_NODE)
        return None
    if settings is None:
        if gate is not None and gate.code:
            raise SignupFileError("--signup-code was given but this show has no sign-ups: add a signups block "
                                  "to the score (docs/score-format.md) and render it again")
        return None
    try:
        raw = json.loads((root / MANIFEST).read_bytes())
    except (OSError, ValueError):
        raw = None
    return SignupService(conductor, settings, SqliteSignupStore(db_path or root / STATE_FILE), now, gate=gate,
                         event=event, manifest_raw=raw if isinstance(raw, dict) else None)


def mount(app: FastAPI, svc: SignupService | None, client_root: Path, *, shared: bool = False) -> None:
    """Add the sign-up routes to ``app`` (before its catch-all client file route); without a
    service (the show has no sign-ups, or this is a ``--redis`` node) every sign-up route
    answers 404 ``disabled``, saying which, except the console's summary: 204, no panel."""
    if svc is None:
        why = SHARED_NODE if shared else "This show has no sign-ups (no signups block in its score)."

        @app.api_route("/api/signups", methods=["GET", "HEAD"])
        async def no_summary() -> Response:
            # The console polls this on every show: "none" is an answer, not an error (a 404
            # would be logged as a failed resource in the organizer's browser console).
            return Response(status_code=204, headers={**NO_STORE, "X-Flashmob-Signups": "disabled"})

        @app.api_route("/api/signup{rest:path}", methods=["GET", "HEAD", "POST", "DELETE"])
        @app.api_route("/api/signups{rest:path}", methods=["GET", "HEAD"])
        async def no_signups(rest: str) -> Response:
            return _error("disabled", why, 404)
        return

    def peer(request: Request) -> str:
        return address_key(request.client.host if request.client else None)

    def key_of(request: Request) -> str | None:
        key = request.headers.get(KEY_HEADER, "")
        return key if 22 <= len(key) <= 64 and key.isascii() else None

    def console_ok(request: Request) -> Response | None:
        addr, now = peer(request), svc.now()
        if not svc.throttle.allowed(addr, now):
            return _error("unauthorized", "too many wrong console tokens; wait a minute", 429,
                          svc.throttle.retry_after_s(addr, now))
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not same_secret(auth[7:], svc.conductor.options.console_token):
            svc.throttle.failed(addr, now)
            return _error("unauthorized", "the console token is missing or wrong", 401)
        return None

    @app.api_route("/signup", methods=["GET", "HEAD"])
    async def signup_page(request: Request) -> Response:
        target = files.safe_path(client_root, "signup.html")
        return files.file_response(request, target) if target else files.not_found()

    @app.get("/api/signup")
    async def signup_info() -> Response:
        return JSONResponse(to_json(svc.info()), headers=NO_STORE)

    @app.post("/api/signup")
    async def signup_post(request: Request) -> Response:
        body = await _body(request)
        if body is None:
            return _error("bad_request", f"expected a JSON object of at most {MAX_BODY} bytes", 400)
        try:
            key, entry = await svc.sign_up(body, peer(request))
        except RecordError as exc:
            return _error("bad_request", exc.message, 400)
        except Refused as exc:
            return _error(exc.code, exc.message, exc.status, exc.retry_after_s)
        return JSONResponse(to_json(svc.view(entry, key)), status_code=201, headers=NO_STORE)

    @app.get("/api/signup/me")
    async def signup_me(request: Request) -> Response:
        key = key_of(request)
        entry = svc.book.find(key) if key else None
        if entry is None:
            return _error("unknown", "No sign-up for this link: it was cancelled, or deleted after the show.", 404)
        return JSONResponse(to_json(svc.view(entry)), headers=NO_STORE)

    @app.delete("/api/signup/me")
    async def signup_cancel(request: Request) -> Response:
        key = key_of(request)
        try:
            entry = await svc.cancel(key) if key else None
        except Refused as exc:
            return _error(exc.code, exc.message, exc.status)
        if entry is None:
            return _error("unknown", "No sign-up for this link: it was cancelled, or deleted after the show.", 404)
        return JSONResponse({"deleted": True}, headers=NO_STORE)

    @app.get("/api/signup/me/calendar")
    async def signup_calendar(request: Request) -> Response:
        key = key_of(request)
        entry = svc.book.find(key) if key else None
        if entry is None:
            return _error("unknown", "No sign-up for this link.", 404)
        if svc.event.calendar is None:
            return _error("no_date", "The score's event block gives no date and time: no calendar file.", 404)
        view = svc.view(entry)
        text = svc.event.calendar(view.join_url or signup_url(svc.public_url()), svc.now())
        return Response(text, media_type="text/calendar; charset=utf-8",
                        headers={**NO_STORE, "Content-Disposition": 'attachment; filename="flashmob.ics"'})

    @app.get("/api/signups")
    async def signups_summary(request: Request) -> Response:
        refused = console_ok(request)
        return refused or JSONResponse(to_json(svc.summary()), headers=NO_STORE)

    @app.get("/api/signups.csv")
    async def signups_csv(request: Request) -> Response:
        refused = console_ok(request)
        if refused:
            return refused
        return Response(svc.badge_csv(), media_type="text/csv; charset=utf-8",
                        headers={**NO_STORE, "Content-Disposition": 'attachment; filename="signups.csv"'})
