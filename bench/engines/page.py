"""What a test or a benchmark can do with one browser page, in any engine.

:class:`Page` is the engine-neutral surface; ``chromium.py``, ``firefox.py``
and ``webkit.py`` implement its four primitives (``_eval_json``, ``_click_at``
or ``click``, ``_navigate``, ``_close``). Everything else is built here once,
so the three engines behave the same:

- :meth:`Page.evaluate` takes a JS *function source* (called with ``*args``)
  or an *expression*; promises are awaited; the value comes back through
  ``JSON.stringify`` (``undefined`` -> ``None``), so the three drivers' own
  serializations never leak out. A page-side exception raises :class:`PageError`.
- :meth:`Page.wait_for` polls a JS predicate (every 50 ms by default).
- :meth:`Page.click` waits for a visible element, then clicks its centre as a
  real, trusted user gesture (what unlocks audio).
"""

from __future__ import annotations

import json
import time

from ._proc import kill_pids, marked_pids, parent_pid

# The page runs this around the caller's source: one calling convention for all engines.
_WRAP = ("(async () => {{ const __f = ({src}); const __v = typeof __f === 'function' ? await __f(...{args}) "
         ": await __f; const __s = JSON.stringify(__v); return __s === undefined ? 'null' : __s; }})()")

_CENTRE_JS = """(sel) => {
  const el = document.querySelector(sel);
  if (!el) return null;
  const st = getComputedStyle(el), r0 = el.getBoundingClientRect();
  if (st.visibility === 'hidden' || st.display === 'none' || r0.width === 0 || r0.height === 0
      || el.closest('[hidden]') || el.disabled) return null;
  el.scrollIntoView({ block: 'center', inline: 'center' });
  const r = el.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
  const top = document.elementFromPoint(x, y);
  if (!top || !(top === el || el.contains(top))) return { covered: true };
  return { x: Math.round(x), y: Math.round(y) };
}"""


_VISIBLE_JS = """(sel) => [...document.querySelectorAll(sel)].some((el) => {
  const st = getComputedStyle(el), r = el.getBoundingClientRect();
  return st.visibility !== 'hidden' && st.display !== 'none' && r.width > 0 && r.height > 0 && !el.closest('[hidden]');
})"""


class PageError(RuntimeError):
    """A script evaluated in the page threw (the message is the page's error)."""


def wrap(source: str, args: tuple) -> str:
    """The expression the engine evaluates for :meth:`Page.evaluate` (a promise of a JSON string)."""
    src = source.strip().rstrip(";")
    return _WRAP.format(src=src, args=json.dumps(list(args)))


class Page:
    """One browser page in its own browser process (see ``open_page``)."""

    engine = "?"

    def __init__(self) -> None:
        self._errors: list[str] = []
        self.marker: str | None = None  # FLASHMOB_PAGE_ID of this page's processes (set by open_page)

    # -- primitives, per engine ---------------------------------------------------------
    def _eval_json(self, expression: str, timeout_s: float) -> str:
        """Evaluate ``expression`` (a promise of a string), return the string; PageError on a throw."""
        raise NotImplementedError

    def _click_at(self, x: int, y: int) -> None:
        raise NotImplementedError

    def _navigate(self, url: str | None) -> None:
        """Load ``url`` (None: reload) and wait for the load event."""
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def _drain_errors(self) -> None:
        """Move errors the engine collected since the last call into ``self._errors``."""

    @property
    def pid(self) -> int | None:
        """PID of this page's top browser process (the oldest one carrying its marker)."""
        pids = self.pids()
        roots = [p for p in pids if parent_pid(p) not in pids]
        return roots[0] if roots else None

    def pids(self) -> list[int]:
        """Every live process of this page's browser (found by the marker in their environment)."""
        return marked_pids(self.marker) if self.marker else []

    # -- the shared surface -----------------------------------------------------------
    def evaluate(self, source: str, *args, timeout_s: float = 30.0):
        """The JSON value of ``source`` (function source called with ``args``, or an expression)."""
        return json.loads(self._eval_json(wrap(source, args), timeout_s))

    def wait_for(self, predicate: str, timeout_s: float = 10.0, poll_s: float = 0.05):
        """Poll the JS ``predicate`` until truthy and return its value; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout_s
        last = None
        while True:
            try:
                v = self.evaluate(predicate, timeout_s=max(1.0, deadline - time.monotonic()))
                last = v
            except PageError as exc:  # the page is navigating, or the predicate reads a missing object
                v, last = None, exc
            if v:
                return v
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.engine}: {predicate!r} still false after {timeout_s:g} s "
                                   f"(last: {str(last)[:200]}; console errors: {self.console_errors()[-3:]})")
            time.sleep(poll_s)

    def wait_for_selector(self, css: str, timeout_s: float = 10.0) -> None:
        """Wait until ``css`` matches a visible element (it may be covered by another)."""
        self.wait_for(f"!!({_VISIBLE_JS})({json.dumps(css)})", timeout_s)

    def click(self, css: str, timeout_s: float = 10.0) -> None:
        """Wait for ``css`` to be visible and uncovered, then click its centre (a trusted user gesture)."""
        deadline = time.monotonic() + timeout_s
        while True:
            c = self.evaluate(_CENTRE_JS, css)
            if c and not c.get("covered"):
                self._click_at(c["x"], c["y"])
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.engine}: no visible, uncovered {css!r} to click after {timeout_s:g} s")
            time.sleep(0.05)

    def fill(self, css: str, text: str) -> None:
        """Set an input's value as typing would (value + input/change events)."""
        ok = self.evaluate("""(sel, text) => { const el = document.querySelector(sel); if (!el) return false;
            el.focus(); el.value = text; el.dispatchEvent(new Event('input', { bubbles: true }));
            el.dispatchEvent(new Event('change', { bubbles: true })); return true; }""", css, text)
        if not ok:
            raise PageError(f"{self.engine}: no element {css!r} to fill")

    def text(self, css: str) -> str:
        return self.evaluate("(sel) => { const el = document.querySelector(sel); return el ? el.innerText : null; }",
                             css)

    def goto(self, url: str) -> None:
        self._drain_errors()
        self._navigate(url)

    def reload(self) -> None:
        self._drain_errors()
        self._navigate(None)

    def url(self) -> str:
        return self.evaluate("location.href")

    def console_errors(self) -> list[str]:
        """Every uncaught error, unhandled rejection and ``console.error`` since the page opened."""
        try:
            self._drain_errors()
        except Exception:  # a closed or navigating page: keep what was collected
            pass
        return list(self._errors)

    def screenshot(self, path) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Close the page and stop its browser: the driver's own shutdown, then SIGKILL to
        any process of this page still alive (by PID, found by its marker)."""
        try:
            self._close()
        finally:
            if self.marker:
                kill_pids(marked_pids(self.marker))

    def __enter__(self) -> "Page":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
