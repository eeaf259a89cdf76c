"""Chromium pages: Debian's /usr/bin/chromium, one headless process per page, driven by Playwright.

Playwright cannot download browsers here; it drives the system binary. One
Playwright driver is shared by all Chromium pages of this Python process
(started with the first page, stopped with the last: Playwright's sync API
must not outlive a test module that runs its own asyncio loop).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ._proc import EngineMissing
from .page import Page, PageError

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--autoplay-policy=no-user-gesture-required",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--disable-gpu"]

_lock = threading.Lock()
_pw = {"cm": None, "api": None, "users": 0}


def check() -> None:
    if not Path(CHROMIUM).exists():
        raise EngineMissing(f"{CHROMIUM} is missing: run scripts/ensure-browsers.sh as root (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise EngineMissing("the playwright package is missing (pip install -e '.[dev]')") from None


def acquire_playwright():
    """The shared Playwright driver (started on first use); pair with :func:`release_playwright`."""
    from playwright.sync_api import sync_playwright

    with _lock:
        if _pw["api"] is None:
            _pw["cm"] = sync_playwright()
            _pw["api"] = _pw["cm"].start()
        _pw["users"] += 1
        return _pw["api"]


def release_playwright() -> None:
    with _lock:
        _pw["users"] -= 1
        if _pw["users"] == 0 and _pw["api"] is not None:
            _pw["api"].stop()
            _pw["api"] = _pw["cm"] = None


class ChromiumPage(Page):
    engine = "chromium"

    def __init__(self, url: str, *, env: dict, viewport: tuple[int, int], locale: str | None,
                 microphone: bool = False) -> None:
        super().__init__()
        self.marker = env.get("FLASHMOB_PAGE_ID")
        check()
        self._browser = None
        api = acquire_playwright()
        self._acquired = True
        try:
            # Playwright's headless defaults include --mute-audio: the sound must reach the sink
            # the microphone is the real (PulseAudio) device; only the permission prompt is faked
            args = ARGS + (["--use-fake-ui-for-media-stream"] if microphone else [])
            self._browser = api.chromium.launch(executable_path=CHROMIUM, args=args, env=env,
                                                ignore_default_args=["--mute-audio"])
            self._ctx = self._browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]}, device_scale_factor=1, is_mobile=True,
                has_touch=True, locale=locale, permissions=["microphone"] if microphone else None)
            self._page = self._ctx.new_page()
            self._page.on("pageerror", lambda e: self._errors.append(f"pageerror: {e}"))
            self._page.on("console", self._on_console)
            self._page.goto(url)
        except BaseException:
            self._close()
            raise

    def _on_console(self, m) -> None:
        if m.type == "error":
            url = (m.location or {}).get("url")
            self._errors.append(f"{m.text} ({url})" if url else m.text)

    @property
    def playwright_page(self):
        """The underlying Playwright page (Chromium-only extras: network emulation, tracing)."""
        return self._page

    def _eval_json(self, expression: str, timeout_s: float) -> str:
        from playwright.sync_api import Error

        try:
            return self._page.evaluate(expression)
        except Error as exc:
            raise PageError(f"chromium: {exc.message.splitlines()[0] if exc.message else exc}") from None

    def _click_at(self, x: int, y: int) -> None:
        self._page.mouse.click(x, y)

    def click(self, css: str, timeout_s: float = 10.0) -> None:
        self._page.click(css, timeout=timeout_s * 1000)

    def _navigate(self, url: str | None) -> None:
        if url is None:
            self._page.reload()
        else:
            self._page.goto(url)

    def set_offline(self, offline: bool) -> None:
        self._ctx.set_offline(offline)

    def screenshot(self, path) -> None:
        self._page.screenshot(path=str(path))

    def _close(self) -> None:
        b, self._browser = getattr(self, "_browser", None), None
        if b is not None:
            try:
                b.close()  # Playwright stops the process it launched (its own process group)
            except Exception:
                pass
        if getattr(self, "_acquired", False):
            self._acquired = False
            release_playwright()
