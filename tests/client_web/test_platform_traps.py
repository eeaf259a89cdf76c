"""The platforms' traps (client_web/js/lifecycle.js, platform.js), simulated in the three engines and
judged by the sound.

No engine here can be made to take a phone call, lock its screen or freeze a page in the
back-forward cache, so the page's AudioContext and document are made to do what a phone's do,
mid-show, on a real conductor, while the phone's PulseAudio sink is recorded
(``bench.acoustic``'s recorder, as test_participant.py):

1. **interruption** (iOS: a call, Siri, an alarm): the context reads ``'interrupted'`` and is
   really suspended (``suspend()``: no sound comes out), its ``resume()`` refused; after 1.5 s the
   interruption ends ``'suspended'`` (resume still refused without a gesture), then a tap;
2. **frozen clock** (a refused resume on iOS, a frozen page): the context says ``'running'`` while
   it is suspended for 1.5 s, then a tap resumes it;
3. **back-forward cache**: ``pagehide`` (persisted), hidden, the context stops, 1.5 s later
   ``pageshow`` (persisted) and visible;
4. **wake lock refused** (power saving): during the countdown the lock is released by the
   platform while visible and refused on every request after; hidden/visible asks again.

After each, the clicks heard from the resume on must lie within ``TRAP_LIMIT_US`` (issue 16:
5 ms after re-anchoring) of their place in the show, or of where the same phone was heard
before the traps (Gecko's and WebKitGTK's output paths offset what they play, docs/playback.md:
issue 12's, not the trap's); a miss inside 100 ms ends as xfail with the numbers
(test_participant.py's rule), beyond it - the old schedule playing late by the interruption -
the test fails. Numbers are printed, with
the phone's own offset before the traps, for docs/playback.md ("The platforms' traps").
"""

from __future__ import annotations

import os
import statistics
import time

import pytest

from .conftest import ENGINES, SR, click_samples
from .test_participant import OUTER_LIMIT_US, Ear, arm, check, end_with_known_misses, ready_phone

WINDOW_US = 6_500_000  # judged after each resume: the page anchors as at a first start (1 s + up to 3 s)
TRAP_LIMIT_US = 5_000  # issue 16: the start/position error after re-anchoring, by the sound

INSTALL_JS = """() => {
  const ctx = window.flashmob.st.ctx;
  const T = window.__traps = { allow: false, blocked: false, fake: null };
  const realState = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Object.getPrototypeOf(ctx)), 'state')
    || Object.getOwnPropertyDescriptor(Object.getPrototypeOf(ctx), 'state');
  Object.defineProperty(ctx, 'state', { configurable: true, get() { return T.fake ?? realState.get.call(ctx); } });
  const realResume = ctx.resume.bind(ctx);
  ctx.resume = () => (T.blocked && !T.allow
    ? Promise.reject(new DOMException('interrupted', 'InvalidStateError')) : realResume());
  T.setVisible = (v) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (v ? 'visible' : 'hidden') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => !v });
    document.dispatchEvent(new Event('visibilitychange'));
  };
  T.page = (type, persisted) => {
    let ev;
    try { ev = new PageTransitionEvent(type, { persisted }); } catch (e) {
      ev = new Event(type); Object.defineProperty(ev, 'persisted', { value: persisted });
    }
    window.dispatchEvent(ev);
  };
  T.tap = () => {
    T.allow = true;
    try {
      let ev;
      try { ev = new PointerEvent('pointerdown', { bubbles: true }); } catch (e) { ev = new Event('pointerdown', { bubbles: true }); }
      document.body.dispatchEvent(ev);
    } finally { T.allow = false; }
  };
  T.stop = async (fake) => { T.blocked = true; T.fake = fake; await ctx.suspend(); ctx.dispatchEvent(new Event('statechange')); };
  // a wake lock the test controls: granted, or refused as in power saving
  const wl = T.wakeLock = { refuse: false, n: 0, lock: null, async request() {
    wl.n++;
    if (wl.refuse) throw new DOMException('power saving', 'NotAllowedError');
    const l = new EventTarget();
    l.released = false;
    l.release = async () => { if (!l.released) { l.released = true; l.dispatchEvent(new Event('release')); } };
    wl.lock = l;
    return l;
  } };
  Object.defineProperty(navigator, 'wakeLock', { configurable: true, value: wl });
  return true;
}"""


def heard_errors(ear, start_us, t0_us, t1_us):
    """Clicks heard between conductor times t0 and t1: heard minus their place in the show (µs)."""
    expected = [start_us + s * 1_000_000 // SR for s in click_samples()]
    return [round(t - min(expected, key=lambda e: abs(e - t))) for t in ear.clicks_us(t0_us) if t <= t1_us]


def wait_until(srv, conductor_us):
    time.sleep(max(0.0, (conductor_us - srv.conductor.now()) / 1e6))


@pytest.mark.parametrize("engine", ENGINES)
def test_platform_traps_by_the_sound(engine, conductor_server, phones):
    srv = conductor_server()
    ph = phones(engine, srv, path="/?probe=1")
    ear = Ear(ph, srv)  # before the page opens its audio (test_participant.py)
    p = ph.page
    misses: list[str] = []
    try:
        ready_phone(ph)
        assert p.evaluate(INSTALL_JS) is True
        console = srv.console()
        start = arm(console, 5000)
        S = 1_000_000

        # 4. the wake lock, during the countdown: granted on a tap, released by the platform while
        # visible (power saving) and refused from then on; a return to visible asks again
        # (the engine's own lock, where it gave one, is released by the platform: the page asks the fake)
        p.evaluate("() => { const l = window.flashmob.st.wakeLock; if (l) l.release(); else window.__traps.tap(); }")
        p.wait_for("window.__traps.wakeLock.lock !== null && window.flashmob.report().platform.wakeLock.held", 5)
        p.evaluate("() => { window.__traps.wakeLock.refuse = true; window.__traps.wakeLock.lock.release(); }")
        p.wait_for("!document.getElementById('wakelock').hidden", 5)
        p.evaluate("() => { window.__traps.setVisible(false); window.__traps.setVisible(true); }")
        p.wait_for("window.__traps.wakeLock.n >= 3", 5)
        wl = p.evaluate("() => window.flashmob.report().platform.wakeLock")
        print(f"{engine}: wake lock {wl}")
        assert wl["refused"] >= 2 and wl["released"] >= 1 and not wl["held"], wl
        assert p.evaluate("document.getElementById('wakelock').hidden") is False, "the hint must show"
        p.evaluate("() => { window.__traps.wakeLock.refuse = false; window.__traps.setVisible(false);"
                   " window.__traps.setVisible(true); }")
        p.wait_for("window.flashmob.report().platform.wakeLock.held", 5)
        p.wait_for("document.getElementById('wakelock').hidden", 5)

        results = {}
        wait_until(srv, start + 3 * S)
        results["before (wake lock refused in the countdown)"] = heard_errors(ear, start, start - S // 2, start + 3 * S)

        # 1. interruption at 3.3 s: 'interrupted' 1.5 s, then 'suspended', then a tap
        wait_until(srv, start + 3_300_000)
        p.evaluate("() => window.__traps.stop('interrupted')")
        time.sleep(1.5)
        p.evaluate("() => { window.__traps.fake = null; window.flashmob.st.ctx.dispatchEvent(new Event('statechange')); }")
        time.sleep(0.3)
        assert p.evaluate("() => window.flashmob.st.ctx.state") == "suspended", "resumed without a gesture"
        p.evaluate("() => { window.__traps.tap(); window.__traps.blocked = false; }")
        resumed = srv.conductor.now()
        wait_until(srv, resumed + WINDOW_US)
        results["interruption"] = heard_errors(ear, start, resumed, resumed + WINDOW_US)

        # 2. frozen clock: 'running' while suspended for 1.5 s, then a tap
        p.evaluate("() => window.__traps.stop('running')")
        time.sleep(1.5)
        p.evaluate("() => { window.__traps.fake = null; window.__traps.tap(); window.__traps.blocked = false; }")
        resumed = srv.conductor.now()
        wait_until(srv, resumed + WINDOW_US)
        results["frozen clock"] = heard_errors(ear, start, resumed, resumed + WINDOW_US)

        # 3. back-forward cache: pagehide, hidden, stopped; 1.5 s later pageshow and visible
        p.evaluate("async () => { window.__traps.page('pagehide', true); window.__traps.setVisible(false);"
                   " await window.__traps.stop('running'); }")
        time.sleep(1.5)
        p.evaluate("() => { const T = window.__traps; T.fake = null; T.allow = true; T.page('pageshow', true);"
                   " T.setVisible(true); T.allow = false; T.blocked = false; }")
        resumed = srv.conductor.now()
        end = start + 28 * S
        wait_until(srv, min(end, resumed + WINDOW_US))
        results["back-forward cache"] = heard_errors(ear, start, resumed, min(end, resumed + WINDOW_US))

        rep = ph.report()
        stops = rep["outputStops"]
        print(f"{engine}: output stops {stops}; runs {[(r['run'], round(r['errorS'] * 1e6)) for r in rep['runs']]}; "
              f"load average {os.getloadavg()[0]:.1f}")
        assert rep["machineError"] is None, rep["machineError"]
        base = results["before (wake lock refused in the countdown)"]
        assert base, f"{engine}: no click heard before the traps"
        ref = statistics.median(base)
        # after re-anchoring, each trap's clicks within TRAP_LIMIT_US of their place in the show, or of
        # where the same phone was heard before the traps (Gecko's and WebKitGTK's output paths offset
        # what they play, docs/playback.md: issue 12's, not the trap's; Chromium's stamps are true, so its
        # own error before the traps is not an offset to keep); a miss inside 100 ms is recorded (xfail
        # with the numbers, as test_participant.py); beyond, the old schedule played (late by the
        # interruption) or the re-anchor went wrong: a failure
        for what, errs in results.items():
            own = [round(e - ref) for e in errs]
            print(f"{engine} {what}: clicks heard off by {errs} µs; minus the phone's offset before the traps "
                  f"({ref:.0f} µs): {own} µs")
            if what.startswith("before"):
                continue
            assert errs, f"{engine} {what}: no click heard in {WINDOW_US / 1e6} s after the resume"
            assert all(abs(e) <= OUTER_LIMIT_US for e in errs), f"{engine} {what}: the old schedule played: {errs} µs"
            worst = min(max(map(abs, errs)), max(map(abs, own)))
            check(worst <= TRAP_LIMIT_US, worst, engine, f"{what}: clicks heard after re-anchoring",
                  f"{errs} µs from the show, {own} µs from the phone's own offset, limit {TRAP_LIMIT_US} µs, "
                  f"load average {os.getloadavg()[0]:.1f}", misses)
        print(f"{engine}: runs {[(r['run'], r.get('source'), r.get('boundUs'), round(r['errorS'] * 1e6)) for r in rep['runs']]}")
        # the third: the pageshow declares it, unless the engine saw the clock stand still first (here the
        # page's timers run on during the simulated freeze; a real one freezes them too)
        whys = [s["why"] for s in stops]
        assert whys[:2] == ["interrupted", "frozen"] and len(whys) == 3 and whys[2] in ("pageshow", "frozen"), stops
        console.close()
    finally:
        ear.close()
    end_with_known_misses(misses)
