"""Real browser pages in the three engines phones run: Chromium (Blink), Firefox (Gecko), WebKitGTK.

    with Display() as x, PulseServer(tmp / "pulse") as pa:
        sink = pa.null_sink("phone0", rate=48000)
        page = open_page("webkit", url, sink=sink, pulse=pa, display=x)
        page.click("#join-button"); page.wait_for("window.flashmob.report().verified", 20)

One browser process per page, so each page plays into its own PulseAudio sink
(``PULSE_SINK``) and can run with its own libfaketime-skewed wall clock. See
README.md in this directory for the API and what each engine needs.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from ._proc import MARKER, EngineMissing
from .display import Display
from .page import Page, PageError
from .pulse import PulseServer

ENGINES = ("chromium", "firefox", "webkit")
FAKETIME_LIBS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                 "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1")
# Only the wall clock is skewed (a phone's clock is wrong, its monotonic clock is not).
# FAKETIME_FORCE_MONOTONIC_FIX=0: with the fix Debian's libfaketime turns on for this
# glibc, Chromium's timed waits stretch by seconds. FAKETIME_DONT_RESET: child processes
# (renderers, content processes) keep the parent's offset instead of restarting it.
FAKETIME_ENV = {"FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_FORCE_MONOTONIC_FIX": "0",
                "FAKETIME_DONT_RESET": "1"}

__all__ = ["Display", "PulseServer", "Page", "PageError", "EngineMissing", "ENGINES", "open_page", "check",
           "faketime_lib"]


def faketime_lib() -> str:
    for p in FAKETIME_LIBS:
        if Path(p).exists():
            return p
    raise EngineMissing("libfaketime is missing: run scripts/ensure-browsers.sh as root (apt-get install faketime)")


def check(engine: str) -> None:
    """Raise EngineMissing (saying how to install it) unless ``engine`` can run here."""
    if engine == "chromium":
        from .chromium import check as c
    elif engine == "firefox":
        from .firefox import check as c
    elif engine == "webkit":
        from .webkit import check as c
    else:
        raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
    c()


def page_env(*, sink: str | None = None, pulse: PulseServer | None = None, display=None,
             faketime: str | None = None, env_extra: dict | None = None) -> dict:
    """The environment a page's browser process starts with."""
    env = dict(os.environ)
    env[MARKER] = uuid.uuid4().hex
    for k in ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE", "FAKETIME", "LD_PRELOAD"):
        env.pop(k, None)
    if pulse is not None:
        env.update(pulse.env)
    if sink is not None:
        if pulse is None:
            raise ValueError("sink= needs pulse= (the PulseServer the sink lives on)")
        env["PULSE_SINK"] = sink
    if display is not None:
        env["DISPLAY"] = display if isinstance(display, str) else display.display
    if faketime is not None:
        env.update({"LD_PRELOAD": faketime_lib(), "FAKETIME": faketime, **FAKETIME_ENV})
    env.update(env_extra or {})
    return env


def open_page(engine: str, url: str, *, sink: str | None = None, pulse: PulseServer | None = None,
              display=None, viewport: tuple[int, int] = (390, 844), faketime: str | None = None,
              env_extra: dict | None = None, locale: str | None = None, microphone: str | None = None) -> Page:
    """Start one browser process of ``engine`` with one page at ``url`` (loaded when this returns).

    ``sink``: the PulseAudio sink its sound goes to (needs ``pulse``); ``display``: a
    :class:`Display` or ``":N"`` (WebKit needs one); ``faketime``: a libfaketime spec
    (``"+0.0123"``) skewing only its wall clock; ``env_extra``: more environment variables
    (e.g. ``GST_PLUGIN_FEATURE_RANK``); ``microphone``: a PulseAudio source (e.g. a sink's
    monitor) that ``getUserMedia({audio})`` records - a real device, granted without a prompt
    (Chromium ``--use-fake-ui-for-media-stream``, Firefox ``media.navigator.permission.disabled``,
    WebKit ``--enable-media-stream=true``: an automation session grants capture by itself).
    """
    if microphone is not None:
        if pulse is None:
            raise ValueError("microphone= needs pulse= (the PulseServer the source lives on)")
        env_extra = {**(env_extra or {}), "PULSE_SOURCE": microphone}
    env = page_env(sink=sink, pulse=pulse, display=display, faketime=faketime, env_extra=env_extra)
    mic = microphone is not None
    if engine == "chromium":
        from .chromium import ChromiumPage
        return ChromiumPage(url, env=env, viewport=viewport, locale=locale, microphone=mic)
    if engine == "firefox":
        from .firefox import FirefoxPage
        return FirefoxPage(url, env=env, viewport=viewport, locale=locale, microphone=mic)
    if engine == "webkit":
        from .webkit import WebKitPage
        return WebKitPage(url, env=env, viewport=viewport, locale=locale, microphone=mic)
    raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
