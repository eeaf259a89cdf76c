""""Check my sound" in the three engines: the output latency a page measures with its
own microphone, against the sound (docs/playback.md, "The sound check").

Each phone's microphone is its own output looped back with a delay
(``Phone.loop_microphone``: sink monitor -> ``module-loopback`` -> a second null
sink -> a remap source). Two recorders time the chirps on the conductor's clock:
one on the phone's sink (the *acoustic truth*: when the sound comes out, as in
``bench.acoustic``) and one on the loop's sink (when the "microphone" hears it: the
loop's real delay, which stands for the air between a phone's speaker and its
microphone and which no browser can see). The page is told that air path is 0 and
reports, per chirp, the performance time at which it rendered the chirp and the output
latency it derives (round trip minus the input latency its platform reports, or by
capture timestamps). Page times are put on the recorders' clock through
``performance.timeOrigin`` (the wall clock; no NTP daemon here) rather than the
page's clock sync, so the sync's own ±1 ms stays out of the truth.
Asserted, per engine: the check gives a result, its error (the derived latency minus
the loop's measured delay, against the acoustic truth) lies within the uncertainty the
page states, the accepted offset is applied and remembered for the output; and the
error is within ``LIMIT_MS``. That last one is met only where the platform times its
capture (Blink: MediaStreamTrackProcessor's capture timestamps), and there in 7 of 11
runs on this shared machine (the stamps are -4.6..+4.9 ms off the sound): a Chromium
miss within the stated bound ends xfail with its numbers, as test_participant.py does
for issue 12's targets. Gecko and WebKit report
nothing about their capture path (no ``getSettings().latency``, no capture timestamps)
and a round trip cannot be split into output and input: they miss it by their unreported
capture latency (docs/playback.md, "The sound check"),
an expected failure of exactly that assertion (:class:`LatencyMiss`, strict: it fails
the day they pass).
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from .conftest import ENGINES

LIMIT_MS = 3.0
SOUND_LIMIT_MS = 5.0  # a click heard vs when it should be (test_participant.py SOUND_LIMIT_US)
LOOP_MS = 40  # module-loopback latency_msec: the "air" between speaker and microphone
SINK_RATE = 48_000
PROBE = {"seconds": 0.25, "f0": 1000.0, "f1": 7000.0, "amplitude": 0.5}  # client_web/js/soundcheck.js PROBE


def chirp(rate: int) -> np.ndarray:
    """soundcheck.js ``chirp`` at ``rate`` (the same continuous signal at the sink's rate)."""
    n = round(PROBE["seconds"] * rate)
    t = np.arange(n) / rate
    k = (PROBE["f1"] - PROBE["f0"]) / PROBE["seconds"]
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / (n - 1))
    return PROBE["amplitude"] * w * np.sin(2 * np.pi * (PROBE["f0"] * t + k * t * t / 2))


def chirp_onsets_us(rec, epoch_us: int, after_us: float, count: int) -> list[float]:
    """Conductor µs at which frame 0 of each of the ``count`` chirps after ``after_us`` plays in
    ``rec`` (a SinkRecorder): cross-correlation peaks, parabolic sub-sample interpolation."""
    x = rec.samples().astype(np.float64)
    p = chirp(SINK_RATE)
    corr = np.correlate(x, p, mode="valid")
    a = np.abs(corr)
    out = []
    i = 0
    floor = 0.3 * a.max()
    while i < len(a) and len(out) < count:
        if a[i] < floor:
            i += 1
            continue
        j = i + int(np.argmax(a[i:i + SINK_RATE // 10]))  # the peak of this chirp (they are 0.6 s apart)
        frac = 0.0
        if 0 < j < len(a) - 1:
            y0, y1, y2 = a[j - 1], a[j], a[j + 1]
            d = y0 - 2 * y1 + y2
            frac = 0.5 * (y0 - y2) / d if d < 0 else 0.0
        mono = rec.mono_us_at(j + frac)
        if mono is not None and mono + epoch_us >= after_us:
            out.append(mono + epoch_us)
        i = j + SINK_RATE // 4
    return out


class LatencyMiss(AssertionError):
    """The derived output latency is more than LIMIT_MS off the sound."""


UNTIMED_CAPTURE = ("the engine reports nothing about its capture path (no getSettings().latency, no capture "
                   "timestamps): the round trip cannot be split; measured here Gecko's capture path adds 3-57 ms, "
                   "WebKitGTK's 47-195 ms, run to run and with the load, against the page's 100 ± 100 ms prior")


@pytest.mark.parametrize("engine", [
    "chromium",
    pytest.param("firefox", marks=pytest.mark.xfail(strict=True, raises=LatencyMiss, reason=UNTIMED_CAPTURE)),
    pytest.param("webkit", marks=pytest.mark.xfail(strict=True, raises=LatencyMiss, reason=UNTIMED_CAPTURE)),
])
def test_sound_check_measures_the_output_latency(engine, conductor_server, phones):
    from bench.acoustic.recorder import SinkRecorder

    srv = conductor_server()
    ph = phones(engine, srv, path="/?acoustic_ms=0", microphone_delay_ms=LOOP_MS)
    p = ph.page
    p.wait_for_selector("#join-button", 20)
    p.click("#join-button")
    p.wait_for("window.flashmob.report().verified", 30)
    p.click("#enable-sound")
    p.wait_for("document.body.dataset.screen === 'wait'", 15)
    p.wait_for("window.flashmob.report().syncBoundUs < 3000", 20)
    out = SinkRecorder(ph.pulse, ph.sink, SINK_RATE).__enter__()
    air = SinkRecorder(ph.pulse, ph.mic_sink, SINK_RATE).__enter__()
    try:
        out.wait_settled()
        air.wait_settled()
        p.wait_for("window.flashmob.st.engine && window.flashmob.st.engine.audioClock.ready", 10)
        time.sleep(1.5)  # the engine's belief has a few observations
        epoch = srv.conductor.now() - time.monotonic_ns() // 1000
        wall = time.time_ns() // 1000 - time.monotonic_ns() // 1000  # wall µs - monotonic µs
        p.click("#soundcheck-open")
        tries = []
        for _ in range(3):  # a person tries again when the check was unsteady (a loaded machine: glitches)
            before = srv.conductor.now()  # the chirps of this try only
            p.click("#soundcheck-start")
            p.wait_for("['result', 'failed'].includes(window.flashmob.soundcheck.state)", 30)
            time.sleep(0.3)
            last = p.evaluate("window.flashmob.soundcheck.last")
            lat = [ln.strip() for ln in ph.pulse.pactl("list", "sources").splitlines() if "atency" in ln or "Name:" in ln]
            tries.append({"why": (last.get("summary") or {}).get("why") or last.get("error"),
                          "clockMoved": last.get("clockMoved"), "beliefDriftMs": last.get("beliefDriftMs"),
                          "captured": last.get("capturedPerfMs") is not None})
            if p.evaluate("window.flashmob.soundcheck.state") == "result":
                break
            p.wait_for_selector("#soundcheck-start", 5)
    finally:
        out.__exit__(None, None, None)
        air.__exit__(None, None, None)
    assert last and "error" not in last, f"{engine}: the check failed: {last} (tries {tries})"
    assert last["output"], f"{engine}: no output latency (tries {tries}): {last['summary']} trips {last['trips']}"
    n = len(last["renderServerUs"])
    derived = last["output"]["ms"]
    rows = []
    origin = last["timeOrigin"]

    def server_us(perf_ms):  # a page's performance time -> the recorders' (conductor) time
        return (origin + perf_ms) * 1000 - wall + epoch

    # each recorder's onsets, matched to the chirp they belong to (chirps are 0.6 s apart): a chirp
    # one recorder missed (a glitch of the loaded sound server) leaves that chirp out, as the page does
    def matched(onsets, starts_us, window_us):
        return [next((o for o in onsets if s0 - 50_000 <= o < s0 + window_us), None) for s0 in starts_us]

    heard = matched(chirp_onsets_us(out, epoch, before, n),
                    [server_us(t) for t in last["renderPerfMs"][:n]], 550_000)
    in_air = matched(chirp_onsets_us(air, epoch, before, n), [h if h is not None else -1e18 for h in heard], 250_000)
    both = [k for k in range(n) if heard[k] is not None and in_air[k] is not None]
    assert len(both) >= 3, f"{engine}: chirps timed by both recorders {len(both)} of {n} ({heard}, {in_air})"

    # the page's clock sync maps its times too (±its bound); a difference says the mapping is off
    mapping_ms = (server_us(last["renderPerfMs"][0]) - last["renderServerUs"][0]) / 1000
    for k in both:  # each chirp: its own round trip, its own loop delay (module-loopback wanders 3-4 ms)
        truth_ms = (heard[k] - server_us(last["renderPerfMs"][k])) / 1000
        loop_ms = (in_air[k] - heard[k]) / 1000
        if last["output"]["inputSource"] == "capture-timestamps":  # Blink: when the microphone captured it
            c = last["capturedPerfMs"][k]
            mine = None if c is None else c - last["renderPerfMs"][k]
        else:  # the round trip minus the input latency the platform reports (or the default)
            rt = last["trips"][k]["roundTripMs"]
            mine = None if rt is None else rt - last["input"]["ms"]
        rows.append((truth_ms, loop_ms, None if mine is None else mine - loop_ms - truth_ms))
    overall = derived - float(np.median([r[1] for r in rows])) - float(np.median([r[0] for r in rows]))
    msg = (f"{engine}: derived output latency {derived:.2f} ms (round trip {last['summary']['roundTripMs']:.2f}, "
           f"by {last['output']['inputSource']}, input {last['input']}, stated ±{last['output']['uncertaintyMs']:.1f} ms, believed {last['believedMs']:.2f}, "
           f"settings.latency {last['settingsLatencyS']}, sync ±{last['syncBoundUs']} µs, timeOrigin - sync "
           f"{mapping_ms:+.2f} ms); per chirp "
           + "; ".join(f"truth {t:.2f} loop {lo:.2f} error " + ("-" if e is None else f"{e:+.2f}") for t, lo, e in rows)
           + f"; the check's median against the medians {overall:+.2f} ms; sources {lat}")
    print(msg)
    # the page's stated uncertainty holds in every engine
    assert abs(overall) <= last["output"]["uncertaintyMs"] + 1.0, msg
    # accepting applies it, remembered for this output
    p.click("#soundcheck-accept")
    applied = p.evaluate("window.flashmob.report().offset")
    kept = p.evaluate("window.flashmob.keeper.get('offsets')")
    assert applied["ms"] == last["proposedOffsetMs"], applied
    assert any(v["ms"] == applied["ms"] and v["how"] == "measured" for v in kept.values()), kept
    # the check's own result, and every chirp it kept (an outlier it dropped is not its answer)
    if abs(overall) > LIMIT_MS or sum(e is not None and abs(e) <= LIMIT_MS for _, _, e in rows) < 3:
        if engine == "chromium":  # within its stated bound but beyond the target: the numbers, as test_participant does
            pytest.xfail(f"within the stated bound but beyond the ±{LIMIT_MS:g} ms target (issue 16; Blink's capture "
                         f"stamps are -4.6..+4.9 ms off the sound here, load {os.getloadavg()[0]:.1f}): {msg}")
        raise LatencyMiss(msg)


def test_reference_click_lands_on_the_conductors_whole_seconds(conductor_server, phones):
    """The by-ear reference (Chromium): a click on every whole second of the conductor's clock,
    through the show's own map, so every phone of a crowd clicks together; by the sound."""
    from bench.acoustic.recorder import SinkRecorder

    srv = conductor_server()
    ph = phones("chromium", srv)
    p = ph.page
    p.wait_for_selector("#join-button", 20)
    p.click("#join-button")
    p.wait_for("window.flashmob.report().verified", 30)
    p.click("#enable-sound")
    p.wait_for("document.body.dataset.screen === 'wait'", 15)
    p.wait_for("window.flashmob.report().syncBoundUs < 3000", 20)
    p.wait_for("window.flashmob.st.engine && window.flashmob.st.engine.audioClock.ready", 10)
    with SinkRecorder(ph.pulse, ph.sink, SINK_RATE) as rec:
        rec.wait_settled()
        time.sleep(1.0)
        epoch = srv.conductor.now() - time.monotonic_ns() // 1000
        p.click("#screen-wait details summary")
        since = time.monotonic_ns() / 1000  # (the test tone of "enable sound" is older)
        p.click("#soundcheck-ear")
        time.sleep(7.0)
        p.click("#soundcheck-ear")
        bound_ms = p.evaluate("window.flashmob.st.engine.audioClock.boundMs()")
        sync_us = p.evaluate("window.flashmob.clock.errorBound()")
        planned = p.evaluate("window.flashmob.soundcheck.reference")
        heard = [t + epoch for t in rec.onsets_mono_us(after_mono_us=since)]
    errors_ms = [((t + 500_000) % 1_000_000 - 500_000) / 1000 for t in heard]
    msg = f"reference clicks off the whole seconds {errors_ms} ms; page bound {bound_ms:.2f} ms, sync {sync_us} µs"
    print(msg)
    assert len(heard) >= 4, msg
    assert all(abs(e) <= 100 for e in errors_ms), msg  # no click of another second, none lost in a queue
    # a starved render thread on a loaded machine plays a click late (the page cannot know in advance):
    # most clicks within the show's sound limit, else the numbers, as test_participant.py does
    if sum(abs(e) <= SOUND_LIMIT_MS for e in errors_ms) < len(errors_ms) - 1:
        pytest.xfail(f"timing within 100 ms but beyond the targets (issue 12), load {os.getloadavg()[0]:.1f}: {msg}")
