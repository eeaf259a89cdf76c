"""Firefox pages: Debian's firefox-esr, one headless process per page, over WebDriver BiDi.

No geckodriver package exists, so Selenium cannot drive it; Firefox serves
BiDi itself (``--remote-debugging-port``). Per page: a fresh profile (user.js:
autoplay allowed, nothing phoning home), one user context and one window in
it (tabs of one window stalled the second phone), the viewport set by
``browsingContext.setViewport``. Clicks are ``input.performActions`` pointer
actions: trusted user gestures. Console errors arrive as ``log.entryAdded``.

Firefox needs a PulseAudio server (pass ``pulse=``): without one its
AudioContext stays ``suspended`` forever and no error says why.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
import time
from pathlib import Path

from ._proc import EngineMissing, free_port, spawn, stop
from .bidi import BiDi, BiDiError
from .page import Page, PageError

FIREFOX = "/usr/bin/firefox-esr"

USER_JS = {
    "media.autoplay.default": 0,  # allowed
    "media.autoplay.blocking_policy": 0,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.disabledForTesting": True,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "extensions.update.enabled": False,
    "browser.newtabpage.enabled": False,
    "browser.tabs.warnOnClose": False,
}


def check() -> None:
    if not Path(FIREFOX).exists():
        raise EngineMissing(f"{FIREFOX} is missing: run scripts/ensure-browsers.sh as root "
                            "(apt-get install firefox-esr)")
    try:
        import websockets.sync.client  # noqa: F401
    except ImportError:
        raise EngineMissing("the websockets package is missing (pip install -e '.[dev]')") from None


def _user_js(prefs: dict) -> str:
    import json

    return "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items())


def _dump_stacks(p) -> None:
    """With FLASHMOB_HANG_DUMP=DIR: every thread's stack of the browser's processes, by gdb, to DIR."""
    import os
    import subprocess
    out = os.environ.get("FLASHMOB_HANG_DUMP")
    if not out or p is None or not shutil.which("gdb"):
        return
    pids = [p.pid] + [int(x) for x in subprocess.run(["pgrep", "-s", str(p.pid)], capture_output=True,
                                                      text=True).stdout.split() if int(x) != p.pid]
    Path(out).mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%H%M%S")
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[-120:].decode(errors="replace")
        except OSError:
            continue
        r = subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "info threads", "-ex", "thread apply all bt 40"],
                           capture_output=True, text=True, timeout=120)
        Path(out, f"{stamp}-{pid}.txt").write_text(cmdline + "\n" + r.stdout + r.stderr)


class FirefoxPage(Page):
    engine = "firefox"

    def __init__(self, url: str, *, env: dict, viewport: tuple[int, int], locale: str | None,
                 prefs: dict | None = None, start_timeout_s: float = 30.0, microphone: bool = False) -> None:
        super().__init__()
        self.marker = env.get("FLASHMOB_PAGE_ID")
        check()
        self._p = self._bidi = None
        self._profile = Path(tempfile.mkdtemp(prefix="flashmob-firefox-"))
        try:
            p = dict(USER_JS)
            if locale:
                p["intl.accept_languages"] = locale
            if microphone:  # the real (PulseAudio) device, granted without a prompt
                p.update({"media.navigator.permission.disabled": True, "media.navigator.streams.fake": False})
            p.update(prefs or {})
            (self._profile / "user.js").write_text(_user_js(p))
            port = free_port()
            self._log = open(self._profile / "firefox.log", "wb")
            self._p = spawn([FIREFOX, "--headless", "--no-remote", "--profile", str(self._profile),
                             f"--remote-debugging-port={port}", "about:blank"],
                            env={**env, "MOZ_CRASHREPORTER_DISABLE": "1"}, stdout=self._log, stderr=self._log)
            self._bidi = self._connect(port, start_timeout_s)
            self._bidi.command("session.new", {"capabilities": {"alwaysMatch": {"acceptInsecureCerts": True}}})
            uc = self._bidi.command("browser.createUserContext")["userContext"]
            self._ctx = self._bidi.command("browsingContext.create", {"type": "window", "userContext": uc})["context"]
            self._bidi.on("log.entryAdded", self._on_log)
            self._bidi.command("session.subscribe", {"events": ["log.entryAdded"], "contexts": [self._ctx]})
            self._bidi.command("browsingContext.setViewport", {
                "context": self._ctx, "viewport": {"width": viewport[0], "height": viewport[1]},
                "devicePixelRatio": 1})
            self._navigate(url)
        except BaseException:
            self._close()
            raise

    def _connect(self, port: int, timeout_s: float) -> BiDi:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                return BiDi(f"ws://127.0.0.1:{port}/session")
            except (OSError, Exception) as exc:  # not listening yet
                if self._p.poll() is not None:
                    raise RuntimeError(f"firefox exited ({self._p.returncode}): "
                                       f"{(self._profile / 'firefox.log').read_text(errors='replace')[-800:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"firefox: no BiDi on port {port} after {timeout_s:g} s ({exc})") from None
                time.sleep(0.1)

    def _on_log(self, params: dict) -> None:
        if params.get("level") == "error":
            src = params.get("source", {}).get("context")
            if src in (None, getattr(self, "_ctx", None)):
                self._errors.append(params.get("text") or "")

    def _eval_json(self, expression: str, timeout_s: float) -> str:
        try:
            r = self._bidi.command("script.evaluate", {
                "expression": expression, "target": {"context": self._ctx}, "awaitPromise": True,
                "resultOwnership": "none", "userActivation": False}, timeout=timeout_s)
        except BiDiError as exc:
            raise PageError(f"firefox: {exc}") from None
        except TimeoutError:
            raise TimeoutError(f"firefox: the page did not answer a script in {timeout_s:g} s; "
                               f"{self._liveness()}") from None
        if r.get("type") == "exception":
            d = r.get("exceptionDetails", {})
            raise PageError(f"firefox: {d.get('text')}")
        return r["result"].get("value", "null")

    def _liveness(self) -> str:
        """Why a script got no answer: the page's main thread, or the whole browser?"""
        _dump_stacks(self._p)
        try:
            self._bidi.command("browsingContext.getTree", {"root": self._ctx, "maxDepth": 0}, timeout=5)
            return "the browser still answers: the page's main thread is busy or blocked"
        except Exception as exc:
            alive = self._p is not None and self._p.poll() is None
            return f"the browser does not answer either ({exc}; process {'alive' if alive else 'gone'})"

    def _click_at(self, x: int, y: int) -> None:
        self._bidi.command("input.performActions", {"context": self._ctx, "actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [{"type": "pointerMove", "x": x, "y": y, "duration": 0},
                        {"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]}]})
        self._bidi.command("input.releaseActions", {"context": self._ctx})

    def _navigate(self, url: str | None) -> None:
        if url is None:
            self._bidi.command("browsingContext.reload", {"context": self._ctx, "wait": "complete"}, timeout=60)
        else:
            self._bidi.command("browsingContext.navigate", {"context": self._ctx, "url": url, "wait": "complete"},
                               timeout=60)

    def screenshot(self, path) -> None:
        data = self._bidi.command("browsingContext.captureScreenshot", {"context": self._ctx})["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def _close(self) -> None:
        if self._bidi is not None:
            try:  # Firefox may exit before it answers: wait for the process, not the reply
                self._bidi.command("browser.close", timeout=3)
            except Exception:
                pass
            if self._p is not None:
                try:
                    self._p.wait(3)
                except Exception:
                    pass
            self._bidi.close()
            self._bidi = None
        stop(self._p, timeout=2)
        self._p = None
        if getattr(self, "_log", None):
            self._log.close()
            self._log = None
        shutil.rmtree(self._profile, ignore_errors=True)
