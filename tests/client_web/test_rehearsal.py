"""A rehearsal armed from the console's UI, played by a Chromium and a Firefox phone: marked on
every phone and in the console while the real show's record and seats stay untouched; the
console's preview follows the rehearsal on the console's own device (measured on its media
element and in the sound recorded from its sink) and jumps to any cue; then the real show, unmarked,
whose every group's current cue the preview shows."""

from __future__ import annotations

import statistics
import time

from .conftest import CLICK_EVERY_S
from .test_participant import Ear, ready_phone

MARK_VISIBLE = "!document.getElementById('rehearsal-mark').hidden"
AUDIO_JS = """(() => { const a = document.getElementById('preview-audio');
  return { t: a.currentTime, paused: a.paused, src: a.getAttribute('src') }; })()"""


def test_rehearsal_from_the_console_with_preview(conductor_server, phones):
    from conductor_testkit import TOKEN

    srv = conductor_server()
    crowd = [phones(e, srv) for e in ("chromium", "firefox")]
    for ph in crowd:
        ready_phone(ph)
    real_before = srv.conductor.record
    seats_before = srv.conductor.registry.seats.summary()
    assert seats_before["confirmed"] == 2
    cons = phones("chromium", srv, path=f"/console#token={TOKEN}")
    cp = cons.page
    cp.wait_for_selector("#preview-panel", 15)  # the manifest is loaded: the preview lists the cues
    assert "Applaudissez !" in cp.text("#preview-cues")
    ear = Ear(cons, srv)
    cp.click("#arm-rehearsal")
    cp.fill("#arm-in", "3")
    cp.click("#arm-in-form button")
    cp.wait_for("(s => s && s.rehearsal && s.state === 'armed')(window.flashmobConsole.show)", 10)
    start = cp.evaluate("window.flashmobConsole.show.start_at_us")
    cp.wait_for_selector("#rehearsal-tag", 5)
    for ph in crowd:  # marked on every phone, through the countdown
        ph.page.wait_for("document.body.dataset.screen === 'countdown'", 10)
        ph.page.wait_for(MARK_VISIBLE, 5)
    cp.click("#preview-live")  # the first group (Rouges) as its phones hear it
    for ph in crowd:
        ph.page.wait_for("document.body.dataset.screen === 'play'", 10)
        assert ph.page.evaluate(MARK_VISIBLE)
    time.sleep(3.0)
    a = cp.evaluate(AUDIO_JS)
    show_s = (srv.conductor.now() - start) / 1e6
    print(f"preview following the rehearsal: element at {a['t']:.3f} s, show at {show_s:.3f} s")
    assert not a["paused"] and a["src"].endswith("red/show.mp3")
    assert abs(a["t"] - show_s) < 0.3  # the media law: 0.025-0.16 s measured (the start lags under load)
    # the sound from the console's device: the clicks land on the show's clicks (a coarse follower)
    time.sleep(1.0)
    heard = ear.clicks_us(start + 1_500_000)
    errors = [min((t - (start + k * CLICK_EVERY_S * 1e6) for k in range(40)), key=abs) for t in heard]
    print(f"console heard {len(heard)} clicks, errors {[round(e / 1000) for e in errors]} ms")
    assert len(heard) >= 2 and abs(statistics.median(errors)) < 300_000
    ear.close()
    # what every group hears at the current show time (4-12 s: each group's own walk)
    cp.wait_for("(t => t.includes('Groupe Rouges : marchez') && t.includes('Groupe Bleus : marchez'))"
                "(document.getElementById('preview-now').innerText)", 8)
    assert "show time" in cp.text("#preview-position")
    # the real show: untouched record, no transition, the same seats; the phones' reports say playing
    assert srv.conductor.record == real_before
    assert srv.conductor.store.transition_log(srv.conductor.bundle.show_id) == []
    assert srv.conductor.registry.seats.summary() == seats_before
    assert srv.conductor.core.rehearsing
    # jump to a cue and listen there
    cp.click("#preview-stop")
    cp.click('#preview-cues button[data-ms="12000"]')
    cp.click("#preview-listen")
    cp.wait_for("document.getElementById('preview-audio').currentTime > 12.05", 5)
    b = cp.evaluate(AUDIO_JS)
    assert not b["paused"] and 12.0 < b["t"] < 12.8, b
    cp.click("#preview-stop")
    # abort the rehearsal from the console: it acts on the rehearsal record; then back to the lobby
    cp.click("#abort")
    cp.click("#abort-confirm")
    for ph in crowd:
        ph.page.wait_for("document.body.dataset.screen === 'aborted'", 10)
        assert ph.page.evaluate(MARK_VISIBLE)
    cp.wait_for("!document.getElementById('reset').disabled", 5)
    cp.click("#reset")
    for ph in crowd:
        ph.page.wait_for("document.body.dataset.screen === 'wait'", 10)
        assert not ph.page.evaluate(MARK_VISIBLE)
    assert srv.conductor.rehearsal_record.state.value == "lobby"
    assert srv.conductor.record == real_before
    assert srv.conductor.registry.seats.summary()["confirmed"] == 2
    # then the real show: unmarked everywhere; the preview shows what every group hears at its time
    assert not cp.evaluate("document.getElementById('arm-rehearsal').checked")  # unticked after the arm
    cp.fill("#arm-in", "2")
    cp.click("#arm-in-form button")
    cp.wait_for("(s => s && !s.rehearsal && s.state === 'armed')(window.flashmobConsole.show)", 10)
    for ph in crowd:
        ph.page.wait_for("document.body.dataset.screen === 'play'", 10)
        assert not ph.page.evaluate(MARK_VISIBLE)
    assert cp.evaluate("document.getElementById('rehearsal-tag').hidden")
    cp.wait_for("(t => t.includes('Groupe Rouges : marchez') && t.includes('Groupe Bleus : marchez'))"
                "(document.getElementById('preview-now').innerText)", 10)
    assert [r[1] for r in srv.conductor.store.transition_log(srv.conductor.bundle.show_id)] == ["arm", "started"]
