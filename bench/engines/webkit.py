"""WebKit pages: WebKitGTK's MiniBrowser under Xvfb, one driver session (process) per page, via Selenium.

Debian's ``webkit2gtk-driver`` (WebKitWebDriver) drives MiniBrowser from
``libwebkit2gtk-4.1-0``; Selenium's ``webdriver.WebKitGTK`` talks to it with
``SE_OFFLINE=true`` (Selenium Manager must never try to download anything).
MiniBrowser has no headless mode (pass ``display=``) and runs with
``--automation --autoplay-policy=allow``; as root the web process sandbox is
off (``WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1``). MP3 goes through
GStreamer (mpg123audiodec from gstreamer1.0-plugins-good); sound goes through
GStreamer's pulsesink when ``pulse=`` is given.

WebKitWebDriver has neither BiDi nor a log endpoint: console errors are
collected by a script injected after every navigation (errors thrown before
the load event of a navigation are not seen).
"""

from __future__ import annotations

import os
from pathlib import Path

from ._proc import EngineMissing, stop
from .page import Page, PageError

DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER_DIRS = ("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1", "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1")

# Selenium Manager reads this from the environment of this process: never download a driver.
os.environ["SE_OFFLINE"] = "true"

COLLECT_JS = """(() => {
  if (window.__flashmobErrors) return;
  const errs = window.__flashmobErrors = [];
  addEventListener('error', e => errs.push(`${e.message} at ${e.filename}:${e.lineno}`));
  addEventListener('unhandledrejection', e => errs.push(`unhandled rejection: ${e.reason && e.reason.stack || e.reason}`));
  const ce = console.error.bind(console);
  console.error = (...a) => { errs.push(a.map(String).join(' ')); ce(...a); };
})()"""
DRAIN_JS = "(window.__flashmobErrors || []).splice(0)"


def minibrowser() -> str:
    for d in MINIBROWSER_DIRS:
        p = Path(d) / "MiniBrowser"
        if p.exists():
            return str(p)
    raise EngineMissing("WebKitGTK's MiniBrowser is missing: run scripts/ensure-browsers.sh as root "
                        "(apt-get install webkit2gtk-driver)")


def check() -> None:
    if not Path(DRIVER).exists():
        raise EngineMissing(f"{DRIVER} is missing: run scripts/ensure-browsers.sh as root "
                            "(apt-get install webkit2gtk-driver)")
    minibrowser()
    try:
        import selenium.webdriver  # noqa: F401
    except ImportError:
        raise EngineMissing("the selenium package is missing (pip install -e '.[dev]')") from None


class WebKitPage(Page):
    engine = "webkit"

    def __init__(self, url: str, *, env: dict, viewport: tuple[int, int], locale: str | None,
                 microphone: bool = False) -> None:
        super().__init__()
        self.marker = env.get("FLASHMOB_PAGE_ID")
        check()
        if not env.get("DISPLAY"):
            raise ValueError("webkit pages need an X display: pass display= (bench.engines.Display)")
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        self._driver = None
        env = {**env, "SE_OFFLINE": "true"}
        if os.geteuid() == 0:
            env["WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS"] = "1"
        if locale:
            env["LANGUAGE"] = locale.replace("-", "_")
        opts = Options()
        opts.binary_location = minibrowser()
        opts.add_argument("--automation")
        opts.add_argument("--autoplay-policy=allow")
        if microphone:  # capture from GStreamer's pulsesrc; an automation session grants it
            opts.add_argument("--enable-media-stream=true")
        self._service = Service(executable_path=DRIVER, env=env, popen_kw={"start_new_session": True})
        try:
            self._driver = webdriver.WebKitGTK(options=opts, service=self._service)
            self._driver.set_script_timeout(60)
            self._set_viewport(viewport)
            self._navigate(url)
        except BaseException:
            self._close()
            raise

    def _set_viewport(self, viewport: tuple[int, int]) -> None:
        w, h = viewport
        self._driver.set_window_size(w, h)
        inner = self._driver.execute_script("return [innerWidth, innerHeight]")
        if inner != [w, h]:  # the window has decorations: grow it by their size
            self._driver.set_window_size(2 * w - inner[0], 2 * h - inner[1])

    @property
    def driver(self):
        """The Selenium driver (WebKit-only extras)."""
        return self._driver

    def _eval_json(self, expression: str, timeout_s: float) -> str:
        from selenium.common.exceptions import WebDriverException

        self._driver.set_script_timeout(max(1.0, timeout_s))
        try:
            r = self._driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                f"({expression}).then(s => done({{ ok: s }}), e => done({{ err: e && e.message !== undefined "
                f"? `${{e.name}}: ${{e.message}}` : String(e) }}));")
        except WebDriverException as exc:
            raise PageError(f"webkit: {exc.msg}") from None
        if r is None:
            raise PageError("webkit: the script returned nothing (page navigated?)")
        if "err" in r:
            raise PageError(f"webkit: {r['err']}")
        return r["ok"]

    def _click_at(self, x: int, y: int) -> None:
        from selenium.webdriver.common.actions.action_builder import ActionBuilder

        ab = ActionBuilder(self._driver)
        ab.pointer_action.move_to_location(x, y).click()
        ab.perform()

    def _navigate(self, url: str | None) -> None:
        if url is None:
            self._driver.refresh()
        else:
            self._driver.get(url)
        self._driver.execute_script(COLLECT_JS)

    def _drain_errors(self) -> None:
        if self._driver is not None:
            self._errors.extend(self._driver.execute_script(f"return {DRAIN_JS}") or [])

    def screenshot(self, path) -> None:
        self._driver.save_screenshot(str(path))

    def _close(self) -> None:
        d, self._driver = self._driver, None
        if d is not None:
            try:
                d.quit()
            except Exception:
                pass
        stop(getattr(self._service, "process", None))  # WebKitWebDriver leads MiniBrowser's process group
