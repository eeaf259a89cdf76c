"""The participant page in real headless Chromium against a real conductor.

Three phones join, download and verify a real bundle, enable sound; the
console arms; every phone starts on time. Each phone reports the server time
at which it heard sample 0 (from its audio clock) and, through an AudioWorklet
probe, the server time of every click it rendered: the bundle has clicks at
known samples, so this checks decode, trimming and scheduling, not only plans.
"""

from __future__ import annotations

import time

import pytest

from .conftest import PHONE, SR, click_samples

SPREAD_LIMIT_US = 5_000
CLICK_LIMIT_US = 3_000


def report(page):
    return page.evaluate("window.flashmob && window.flashmob.report()")


def wait_for(page, predicate_js, timeout=15.0):
    # a function, not a string: the conductor's CSP forbids eval, which string predicates use
    page.wait_for_function(f"() => ({predicate_js})", timeout=timeout * 1000, polling=50)


def open_phone(browser, url, *, locale="fr-FR"):
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1, locale=locale, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.on("pageerror", lambda e: print("pageerror:", e))
    page.goto(url)
    return ctx, page


def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=name.startswith("console"))


def join_and_ready(page, artifacts=None, prefix=None):
    page.wait_for_selector("#join-button")
    if artifacts:
        shot(page, artifacts, f"{prefix}-1-join")
    page.click("#join-button")
    page.wait_for_selector("#screen-group:not([hidden])")
    wait_for(page, "window.flashmob.report().verified", 20)
    if artifacts:
        shot(page, artifacts, f"{prefix}-2-group-verified")
    page.click("#enable-sound")
    wait_for(page, "document.body.dataset.screen === 'wait'")
    wait_for(page, "window.flashmob.report().syncBoundUs < 5000")
    if artifacts:
        shot(page, artifacts, f"{prefix}-3-ready")


def clicks_error_us(rep, start_us, *, after_us=None):
    """For each click the page heard: heard server time minus the ideal one."""
    expected = [start_us + s * 1_000_000 // SR for s in click_samples()]
    out = []
    for c in rep["clicks"]:
        if after_us is not None and c["serverUs"] < after_us:
            continue
        nearest = min(expected, key=lambda e: abs(e - c["serverUs"]))
        out.append(c["serverUs"] - nearest)
    return out


def open_console(browser, srv):
    from conductor_testkit import TOKEN

    ctx = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = ctx.new_page()
    page.on("pageerror", lambda e: print("console pageerror:", e))
    page.goto(f"{srv.url}/console#token={TOKEN}")
    page.wait_for_selector("#main:not([hidden])")
    assert "token" not in page.url, "the token must leave the address bar"
    return ctx, page


def test_three_phones_start_together_rejoin_announce_abort(browser, conductor_server, artifacts):
    srv = conductor_server()
    cctx, console = open_console(browser, srv)
    phones = []
    for i in range(3):
        ctx, page = open_phone(browser, srv.url + "/?probe=1", locale="fr-FR" if i != 1 else "en-US")
        join_and_ready(page, artifacts if i == 0 else None, "phone")
        phones.append((ctx, page))
    groups = {report(p)["group"] for _, p in phones}
    assert groups == {"red", "blue"}, groups

    console.wait_for_function("() => (f => f && f.groups.reduce((a, g) => a + g.ready, 0) === 3)(window.flashmobConsole.feed)",
                              timeout=10_000)
    # ready means confirmed: every page answered its seat challenge from the files it keeps
    assert [report(p)["seat"] for _, p in phones] == ["confirmed"] * 3
    assert len(srv.conductor.store.participants(srv.conductor.bundle.show_id)) == 3
    shot(console, artifacts, "console-1-ready")
    console.fill("#arm-in", "3")
    console.click("#arm-in-form button")
    wait_for(console, "window.flashmobConsole.show && window.flashmobConsole.show.state === 'armed'")
    start = console.evaluate("window.flashmobConsole.show.start_at_us")
    shot(console, artifacts, "console-2-armed")

    page0 = phones[0][1]
    page0.wait_for_selector("#screen-countdown:not([hidden])", timeout=5000)
    shot(page0, artifacts, "phone-4-countdown")
    # network lost after arming: the third phone starts on time anyway
    phones[2][0].set_offline(True)
    for _, page in phones:
        wait_for(page, "(r => r.firstSample && r.firstSample.confirmed)(window.flashmob.report())", 10)
    shot(page0, artifacts, "phone-5-playing")
    firsts = [report(p)["firstSample"]["serverUs"] for _, p in phones]
    spread = max(firsts) - min(firsts)
    offsets = [f - start for f in firsts]
    print(f"sample 0 heard at start + {offsets} µs; spread {spread} µs")
    assert spread <= SPREAD_LIMIT_US, f"spread of the first sample {spread} µs"
    assert all(abs(o) <= SPREAD_LIMIT_US for o in offsets), offsets

    time.sleep(2.0)
    for _, page in phones:
        errs = clicks_error_us(report(page), start)
        print("click errors (µs):", errs)
        assert len(errs) >= 2, errs
        assert all(abs(e) <= CLICK_LIMIT_US for e in errs), errs
    phones[2][0].set_offline(False)

    # reload mid-show: the phone rejoins at the right position
    reload_at = srv.conductor.now()
    page0.reload()
    wait_for(page0, "document.body.dataset.screen === 'play'", 10)
    wait_for(page0, f"window.flashmob.report().clicks.some(c => c.serverUs > {reload_at + 500_000})", 10)
    time.sleep(1.6)
    errs = clicks_error_us(report(page0), start, after_us=reload_at)
    print("after reload, click errors (µs):", errs)
    assert errs and all(abs(e) <= CLICK_LIMIT_US for e in errs), errs
    assert report(page0)["reanchors"] == 0

    shot(console, artifacts, "console-3-running")
    assert "Bienvenue" in console.inner_text("#groups") or "fontaine" in console.inner_text("#groups")

    # urgent announcement takes over the screen
    console.fill("#announce-text", "Stop. Secours à la fontaine.")
    console.select_option("#announce-level", "urgent")
    console.click("#announce-form button")
    for _, page in phones:
        page.wait_for_selector("#urgent:not([hidden])", timeout=5000)
    shot(page0, artifacts, "phone-6-urgent")
    assert "Secours" in page0.inner_text("#urgent-text")
    page0.click("#urgent-ok")

    # abort (confirmed in a dialog): every phone fades out and shows the message
    console.click("#abort")
    console.fill("#abort-reason", "Orage : quittez la place calmement")
    console.click("#abort-confirm")
    for _, page in phones:
        page.wait_for_selector("#screen-aborted:not([hidden])", timeout=5000)
    shot(page0, artifacts, "phone-7-aborted")
    shot(console, artifacts, "console-4-aborted")
    time.sleep(2.0)
    for _, page in phones:
        n = len(report(page)["clicks"])
        time.sleep(1.6)
        assert len(report(page)["clicks"]) == n, "sound continued after the abort"
    console.click("#projector-open")
    shot(console, artifacts, "console-5-projector")
    for ctx, _ in phones + [(cctx, console)]:
        ctx.close()


def test_offline_reload_after_arming_starts_on_time_and_media_fallback(browser, conductor_server, artifacts):
    """Principle 6: armed, then the network dies and the phone reloads: the
    service worker serves the page, localStorage the start time and clock
    model, the Cache API the verified files; it starts on time anyway. A
    second phone forced onto the <audio> fallback follows the show too."""
    srv = conductor_server()
    ctx, page = open_phone(browser, srv.url + "/?probe=1")
    join_and_ready(page)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null || "
                           "navigator.serviceWorker.ready.then(() => true)", timeout=10_000)
    mctx, media = open_phone(browser, srv.url + "/?engine=media")
    join_and_ready(media)
    console = srv.console()
    console.send({"type": "arm", "in_ms": 5000, "ref": "go"})
    start = console.expect("ack", ref="go")["show"]["start_at_us"]
    page.wait_for_selector("#screen-countdown:not([hidden])", timeout=5000)
    time.sleep(0.5)  # let the clock model be stored
    ctx.set_offline(True)
    page.reload()
    page.wait_for_selector("#screen-countdown:not([hidden]), #screen-play:not([hidden])", timeout=8000)
    assert report(page)["online"] is False
    shot(page, artifacts, "phone-8-offline-countdown")
    wait_for(page, "(r => r.firstSample && r.firstSample.confirmed)(window.flashmob.report())", 10)
    first = report(page)["firstSample"]["serverUs"]
    print(f"offline phone: sample 0 heard at start + {first - start} µs")
    assert abs(first - start) <= SPREAD_LIMIT_US
    time.sleep(1.7)
    errs = clicks_error_us(report(page), start)
    print("offline phone click errors (µs):", errs)
    assert len(errs) >= 2 and all(abs(e) <= CLICK_LIMIT_US for e in errs), errs
    # the media fallback plays at the right place (tens of ms)
    wait_for(media, "document.body.dataset.screen === 'play'", 5)
    time.sleep(1.0)
    pos = media.evaluate("document.getElementById('fallback-audio').currentTime")
    expected = (srv.conductor.now() - start) / 1e6
    print(f"media engine: position {pos:.3f} s, expected {expected:.3f} s")
    assert report(media)["engine"] == "media"
    assert abs(pos - expected) < 0.3
    ctx.set_offline(False)
    for c in (ctx, mctx):
        c.close()
    console.close()
