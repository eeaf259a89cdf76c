"""A phone's data and battery budget, measured on the wire (issue 16, item 5).

One phone per engine, behind its own gate (``bench.engines.gate``), whose meter
(``bench.engines.wiremeter``) parses every HTTP response and counts websocket
bytes as they pass - what the page downloads, not what it says it did:

1. first visit: join, download and verify the group's files; the page says the
   show is stored for offline use;
2. a show: the websocket traffic (clock sync, status) per minute while it plays,
   and the wake lock time (``report().platform``);
3. second visit (a reload with network): **zero** audio/mpeg bytes on the wire;
   then the same phone on the ``<audio>`` player: it plays the kept file (a blob:
   URL), again zero MP3 bytes.

The numbers are printed (``BUDGET``) and recorded in docs/playback.md ("Data and
battery") with the 60-minute extrapolation.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from .conftest import ENGINES, DURATION_S
from .test_participant import arm, ready_phone

MP3 = "audio/mpeg"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pids) -> float:
    """User + system CPU seconds of live processes (``/proc/<pid>/stat``), the ones gone count 0."""
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / TICK


def manifest_bytes(ph, group: str) -> int:
    """The group's file sizes as the manifest states them (segments, full MP3, captions, cover)."""
    return ph.page.evaluate(
        "(g) => { const m = window.flashmob.st.manifest; const x = m.groups.find((y) => y.id === g);"
        " return (x.segments || []).reduce((a, s) => a + s.bytes, 0) + (x.mp3 ? x.mp3.bytes : 0); }", group)


@pytest.mark.parametrize("engine", ENGINES)
def test_data_budget_and_no_second_download(engine, conductor_server, phones):
    srv = conductor_server()
    ph = phones(engine, srv, path="/")
    meter = ph.gate.meter
    p = ph.page

    # 1. first visit
    ready_phone(ph)
    p.wait_for("!document.getElementById('offline-ready').hidden", 10)
    stored_text = p.text("#offline-ready")
    first = meter.report()
    group = ph.report()["group"]
    audio_bytes = manifest_bytes(ph, group)
    print(f"{engine}: first visit {first['http_bytes']} B over {first['responses']} responses; by type "
          f"{json.dumps(first['by_type'])}; the group's audio per the manifest {audio_bytes} B; page says {stored_text!r}")
    assert first["by_type"].get(MP3, 0) >= audio_bytes, "the first visit downloads the audio"
    assert "MB" in stored_text or "Mo" in stored_text, stored_text

    # 2. a show: websocket traffic while it plays, wake lock time
    console = srv.console()
    pids = p.pids()
    c_rest0 = cpu_s(pids)
    time.sleep(3.0)
    rest_cpu = (cpu_s(pids) - c_rest0) / 3.0
    up0, down0 = meter.ws_bytes()
    c0 = cpu_s(pids)
    t0 = time.monotonic()
    start = arm(console, 3000)
    p.wait_for("document.body.dataset.screen === 'play'", 10)
    play_s = 8.0
    time.sleep(play_s)
    up1, down1 = meter.ws_bytes()
    span = time.monotonic() - t0
    play_cpu = (cpu_s(pids) - c0) / span
    rep = ph.report()
    plat = rep["platform"]
    per_min = {"up": round((up1 - up0) / span * 60), "down": round((down1 - down0) / span * 60)}
    print(f"{engine}: websocket while armed and playing ({span:.1f} s): {up1 - up0} B up, {down1 - down0} B down "
          f"= {per_min} B/min; sync samples {rep['syncSamples']}; wake lock {plat['wakeLock']}; "
          f"engine tick gap max {rep.get('runs') and ph.page.evaluate('window.flashmob.st.engine.report.tickGapMs')} ms; "
          f"CPU of the browser's {len(pids)} processes: {rest_cpu:.3f} s/s at rest (sound on, waiting), "
          f"{play_cpu:.3f} s/s armed and playing (load average {os.getloadavg()[0]:.1f})")
    assert start

    # 3. second visit: a reload with network downloads no audio
    mark = meter.mark()
    p.reload()
    p.wait_for("window.flashmob.report().verified", 30)
    p.wait_for("!document.getElementById('offline-ready').hidden", 10)
    time.sleep(1.0)
    again = meter.report(since=mark)
    print(f"{engine}: second visit {again['http_bytes']} B over {again['responses']} responses; by type "
          f"{json.dumps(again['by_type'])}; by path {json.dumps(again['by_path'])}")
    assert again["by_type"].get(MP3, 0) == 0, f"{engine}: the second visit downloaded audio: {again['by_path']}"

    # ... and on the <audio> player, it plays the kept file
    mark = meter.mark()
    p.goto(ph.gate.url + "/?engine=media")
    p.wait_for("window.flashmob.report().verified", 30)
    p.wait_for("['rejoin', 'group', 'end', 'play', 'wait'].includes(document.body.dataset.screen)", 10)
    if p.evaluate("document.body.dataset.screen") == "rejoin":
        p.click("#rejoin-button")
    elif p.evaluate("document.body.dataset.screen") == "group":
        p.click("#enable-sound")
    p.wait_for("window.flashmob.report().engine === 'media'", 10)
    src = p.evaluate("document.getElementById('fallback-audio').src")
    playing_until = start + (DURATION_S - 2) * 1_000_000
    if srv.conductor.now() < playing_until:
        time.sleep(min(3.0, (playing_until - srv.conductor.now()) / 1e6))
    media = meter.report(since=mark)
    print(f"{engine}: media player on a stored show: src {src[:40]}; {media['http_bytes']} B, by type "
          f"{json.dumps(media['by_type'])}")
    assert src.startswith("blob:"), src
    assert media["by_type"].get(MP3, 0) == 0, f"{engine}: the <audio> player downloaded the MP3: {media['by_path']}"
    console.close()
