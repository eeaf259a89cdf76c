"""Practice mode on a real page (client_web/js/practiceplayer.js), with the network cut once the
files are verified: what plays is measured on the media element (currentTime against the wall
clock, playbackRate, preservesPitch) and in the sound recorded from the phone's own sink (the
bundle's clicks, 1.5 s apart in the show, must come 1.5 s / rate apart); the captions on screen
and the vibrations the page asks for are checked against the element's position."""

from __future__ import annotations

import statistics
import time

import numpy as np
import pytest

from .test_participant import Ear

CLICK_EVERY_S = 1.5
SINK_RATE = 48_000


def peak_hz(x, rate):
    """The strongest frequency of ``x`` (Hann window, 1 Hz bins or finer)."""
    x = np.asarray(x, dtype=np.float64)
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=max(len(x), rate)))
    spec[:int(50 * len(spec) * 2 / rate)] = 0  # below 50 Hz: not the tone
    return float(np.argmax(spec)) * rate / (2 * (len(spec) - 1))

MEDIA_JS = """(() => { const a = document.getElementById('practice-audio');
  return { t: a.currentTime, rate: a.playbackRate, paused: a.paused,
           pitch: a.preservesPitch ?? a.mozPreservesPitch ?? null,
           caption: document.getElementById('practice-caption').textContent, wall: performance.now() }; })()"""

VIBRATE_LOG_JS = """(() => { window.__vibrations = [];
  navigator.vibrate = (p) => { const a = document.getElementById('practice-audio');
    window.__vibrations.push({ p: Array.isArray(p) ? p : [p], t: a.currentTime,
                               silent: a.paused || a.muted || a.volume === 0 });
    return true; };
  return true; })()"""


@pytest.mark.parametrize("engine", ["chromium", "firefox", "webkit"])
def test_practice_at_2x_offline_plays_in_step(engine, conductor_server, phones):
    srv = conductor_server()
    ph = phones(engine, srv)
    ear = Ear(ph, srv)  # recording before the page opens its audio output
    p = ph.page
    p.wait_for_selector("#join-button", 20)
    p.click("#join-button")
    p.wait_for("window.flashmob.report().verified", 30)
    ph.gate.cut()  # no server from here on: practice needs only the verified files
    p.evaluate(VIBRATE_LOG_JS)
    p.click("#practice-open")
    p.wait_for("document.body.dataset.screen === 'practice'", 5)
    labels = p.evaluate("[...document.getElementById('practice-from').options].map(o => [o.value, o.text])")
    assert ["4000", "0:04 · Groupe Rouges : marchez vers la fontaine"] in labels or \
        ["4000", "0:04 · Groupe Bleus : marchez vers la fontaine"] in labels, labels
    p.evaluate("(() => { const s = document.getElementById('practice-from'); s.value = '4000';"
               " s.dispatchEvent(new Event('change')); return true; })()")
    p.click('#practice-rates button[data-rate="2"]')
    tapped = time.monotonic_ns() // 1000
    p.click("#practice-play")
    p.wait_for("window.flashmob.practice.state().phase === 'playing'", 8)
    played_from = time.monotonic_ns() // 1000
    time.sleep(0.4)
    a = p.evaluate(MEDIA_JS)
    time.sleep(2.0)
    b = p.evaluate(MEDIA_JS)
    speed = (b["t"] - a["t"]) / ((b["wall"] - a["wall"]) / 1000)
    print(f"{engine}: practice at 2x: media element {a['t']:.3f} -> {b['t']:.3f} s in "
          f"{(b['wall'] - a['wall']) / 1000:.3f} s of wall time = {speed:.3f}x; playbackRate {b['rate']}, "
          f"preservesPitch {b['pitch']}")
    if engine == "webkit" and b["t"] == a["t"] and not b["paused"]:
        # known: WebKitGTK's element now and then freezes (currentTime still, "playing") right after the
        # lead-in's seek back; 3 runs of 15 at load average 8-9 (docs/playback.md, "Practice mode")
        pytest.xfail(f"WebKitGTK froze at {b['t']:.3f} s while playing at 2x")
    assert not b["paused"] and b["rate"] == 2 and b["pitch"] is True
    assert 1.8 < speed < 2.2  # currentTime is coarse (tens of ms); the clicks below are the fine measure
    assert 4.0 <= a["t"] < 6.0  # started at the chosen cue
    # the caption on screen is the cue at the element's position
    p.wait_for("document.getElementById('practice-audio').currentTime > 12.3", 8)
    c = p.evaluate(MEDIA_JS)
    assert c["caption"] == "Applaudissez !", c
    # the sound: clicks (every 1.5 s of show time) come every 0.75 s of wall time
    time.sleep(1.0)
    # (a pitch-keeping stretch smears most 6-sample clicks to peaks of 0.14-0.2 over the 0.04 tone)
    heard = ear.rec.onsets_mono_us(after_mono_us=played_from, threshold=0.1)
    lead_in = [t for t in ear.rec.onsets_mono_us(after_mono_us=tapped, threshold=0.1) if t < played_from - 50_000]
    assert lead_in == [], f"clicks heard during the silent lead-in: {lead_in}"
    gaps = [(y - x) / 1e6 for x, y in zip(heard, heard[1:])]
    print(f"{engine}: {len(heard)} clicks heard, gaps {[round(g, 3) for g in gaps]}")
    period = CLICK_EVERY_S / 2
    assert gaps and all(abs(g / period - round(g / period)) * period < 0.05 for g in gaps), gaps  # the 2x grid
    # (Chromium's gaps grew to 0.82-0.94 s now and then at load average 6-8: its stretch starved of CPU)
    if engine != "webkit":  # WebKitGTK's stretch (GStreamer scaletempo) drops most 6-sample clicks in some runs
        assert len(gaps) >= 4
        assert abs(statistics.median(gaps) - period) < 0.03
    # the pitch: the group's tone (220 Hz red, 330 Hz blue) is heard at its pitch, not an octave up
    tone = {"red": 220.0, "blue": 330.0}[p.evaluate("window.flashmob.report().group")]
    heard_hz = peak_hz(ear.rec.samples()[-SINK_RATE:], SINK_RATE)
    print(f"{engine}: tone {tone} Hz heard at {heard_hz:.1f} Hz at 2x")
    assert abs(heard_hz - tone) < 5
    # vibrations: the lead-in's three seconds, then cue c3 (12 s, [100, 50, 100]) at half length, in step
    vib = p.evaluate("window.__vibrations")
    print(f"{engine}: vibrations {vib}")
    assert [v["p"] for v in vib[:3]] == [[80], [80], [300]] and all(v["silent"] for v in vib[:3])
    cue = [v for v in vib[3:] if v["p"] == [50, 25, 50]]
    assert len(cue) == 1 and 12.0 <= cue[0]["t"] < 12.25, vib
    ear.close()
    # 1.5x, switched while playing: the element's speed follows
    p.click('#practice-rates button[data-rate="1.5"]')
    time.sleep(0.3)
    a = p.evaluate(MEDIA_JS)
    time.sleep(1.5)
    b = p.evaluate(MEDIA_JS)
    speed = (b["t"] - a["t"]) / ((b["wall"] - a["wall"]) / 1000)
    print(f"{engine}: practice at 1.5x: {speed:.3f}x")
    assert b["rate"] == 1.5 and 1.35 < speed < 1.65 and b["pitch"] is True
    p.click("#practice-stop")
    p.click("#practice-close")
    p.wait_for("document.body.dataset.screen === 'group'", 5)
