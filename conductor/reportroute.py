"""``GET /api/report``: the after-show report for the console (docs/report.md), the HTTP shell.

* Guarded by the console token as a bearer token (``Authorization: Bearer
  <token>``; never in a URL); wrong tokens count against the address in the
  same :class:`~conductor.loginthrottle.LoginThrottle` as console logins, so
  this route is no faster way to guess it (``429`` while locked out).
* Not while the show is armed or running (``409``): the console offers it once
  the record is ``ended`` or ``aborted``; after a reset to the lobby it is
  still the last show's (``409`` when the log holds none).
* Its logs: this conductor's; a node of several (``--redis``) adds the other
  nodes' logs it finds beside its own (nodes on one machine, or a shared
  folder: ``conductor/showlogfile.py``'s ``node_path``), so one click gives the
  whole show; nodes elsewhere need ``flashmob report --log``.
* The page is rendered by the injected renderer (``flashmob serve`` passes
  ``tools/report``'s: the conductor does not import tools) on a worker
  thread, one rendering at a time; it is kept until the log grows or the
  record changes, so repeated clicks cost nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from .loginthrottle import LoginThrottle
from .showlogfile import node_path

ReportRenderer = Callable[[Path, "list[Path]"], str]
"""``(bundle folder, show log files) -> the report's HTML`` (raises ValueError with a message)."""

NOCACHE = {"Cache-Control": "no-store"}


def _refusal(status: int, error: str) -> Response:
    return JSONResponse({"error": error}, status_code=status, headers=NOCACHE)


class ReportRoute:
    def __init__(self, conductor, now_us: Callable[[], int], renderer: ReportRenderer | None,
                 throttle: LoginThrottle) -> None:
        self.conductor = conductor
        self.now_us = now_us
        self.renderer = renderer
        self.throttle = throttle
        self._lock = asyncio.Lock()
        self._kept: tuple[tuple, str] | None = None

    def _authorized(self, request: Request) -> Response | None:
        peer = request.client.host if request.client else "?"
        now = self.now_us()
        if not self.throttle.allowed(peer, now):
            return _refusal(429, "too many wrong console tokens from this address: retry in "
                                 f"{self.throttle.retry_after_s(peer, now)} s")
        auth = request.headers.get("authorization", "")
        if auth.startswith("Bearer ") and self.conductor.core.check_console_token(auth[7:].strip()):
            return None
        if auth:
            self.throttle.failed(peer, now)
        return _refusal(401, "the console token is required (Authorization: Bearer <token>)")

    def _logs(self) -> list[Path]:
        own = self.conductor.showlog.path
        if getattr(self.conductor, "node_id", None) is None:
            return [own]
        return sorted({own, *own.parent.glob(node_path(own.parent, "*").name)})

    async def __call__(self, request: Request) -> Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        rt = self.conductor
        record = rt.record
        if record.state.value in ("armed", "running"):
            return _refusal(409, f"the report is ready once the show ended; it is {record.state.value}")
        if self.renderer is None or rt.showlog is None:
            return _refusal(501, "this conductor makes no report (run flashmob report BUNDLE -o DIR)")
        async with self._lock:
            rt.flush_showlog()
            paths = self._logs()
            key = (record.revision, tuple((p.name, p.stat().st_size) for p in paths if p.exists()))
            if self._kept is None or self._kept[0] != key:
                try:
                    page = await asyncio.to_thread(self.renderer, rt.bundle.root, paths)
                except ValueError as exc:
                    return _refusal(409, str(exc))
                self._kept = (key, page)
            page = self._kept[1]
        return HTMLResponse(page, headers={**NOCACHE, "Content-Disposition":
                                           f'attachment; filename="report-{rt.bundle.show_id}.html"'})
