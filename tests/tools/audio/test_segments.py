"""flashmob.tools.audio.segments: the plan, and segments encoded on their own (or, in Chromium, cut) decode back into the timeline."""

import hashlib
import os
import shutil

import numpy as np
import pytest

from flashmob.tools.audio.decode import decode_ffmpeg, decode_soundfile
from flashmob.tools.audio.encode import EncodeError, EncodeSettings, encode_mp3
from flashmob.tools.audio.mp3cut import cut_segments
from flashmob.tools.audio.segments import Segment, encode_segments, plan_segments

from .test_mp3cut import program

SR = 44100
DECODERS = {"mpg123": decode_soundfile, "ffmpeg": decode_ffmpeg}


def test_plan_covers_timeline_with_near_equal_segments():
    total = 60 * 60 * SR + 12345
    plan = plan_segments(total, SR)
    assert plan[0].start == 0 and plan[-1].stop == total
    assert all(a.stop == b.start for a, b in zip(plan, plan[1:]))
    assert [s.index for s in plan] == list(range(len(plan)))
    sizes = {s.samples for s in plan}
    assert max(sizes) <= 30 * SR and max(sizes) - min(sizes) <= 1
    assert len(plan) == 121  # 3600.28 s / 30 s, rounded up


def test_plan_of_a_short_timeline_is_one_segment():
    assert plan_segments(5000, SR) == [Segment(0, 0, 5000)]
    assert len(plan_segments(30 * SR, SR)) == 1 and len(plan_segments(30 * SR + 1, SR)) == 2


@pytest.mark.parametrize("bad", [0, 100, -5, 1.5, True])
def test_plan_rejects_too_short_timelines(bad):
    with pytest.raises(EncodeError):
        plan_segments(bad, SR)
    with pytest.raises(EncodeError):
        plan_segments(10_000, SR, max_seconds=0.001)


@pytest.fixture(scope="module", params=["first", "last"])
def timeline(request):
    """3.3 s of a quiet tone cut in 1 s segments, with a click on the first
    (or, in the second run, the last) sample of every segment."""
    n = int(3.3 * SR) + 77
    t = np.arange(n) / SR
    x = (0.05 * np.sin(2 * np.pi * 330 * t)).astype(np.float32)
    plan = plan_segments(n, SR, max_seconds=1.0)
    clicks = [s.start if request.param == "first" else s.stop - 1 for s in plan]
    return x, plan, clicks


@pytest.fixture(scope="module")
def encoded(timeline):
    x, plan, clicks = timeline
    y = x.copy()
    y[clicks] = 0.9
    return y, encode_segments(y, plan, EncodeSettings(bitrate_kbps=128), max_workers=2)


@pytest.mark.parametrize("decoder", DECODERS)
def test_concatenated_segments_reproduce_timeline(decoder, timeline, encoded, tmp_path):
    x, plan, clicks = timeline
    y, segs = encoded
    parts = []
    for es in segs:
        path = tmp_path / f"seg{es.segment.index}.mp3"
        path.write_bytes(es.mp3)
        part, sr = DECODERS[decoder](path)
        assert sr == SR and len(part) == es.segment.samples
        parts.append(part)
    out = np.concatenate(parts)
    assert out.shape == y.shape
    assert len(plan) == 4
    # every click (on the first or last sample of a segment) is found on its exact sample
    for c in clicks:
        lo = max(0, c - 150)
        assert lo + int(np.argmax(np.abs(out[lo : c + 150]))) == c, c
    # away from the clicks, the tone is reproduced in place
    mask = np.ones(len(y), bool)
    for c in clicks:
        mask[max(0, c - 1200) : c + 1200] = False
    err = out[mask] - y[mask]
    assert 10 * np.log10(np.sum(y[mask] ** 2) / np.sum(err**2)) > 20


def test_segments_are_deterministic_and_described(timeline, encoded):
    x, plan, _ = timeline
    y, segs = encoded
    again = encode_segments(y, plan[:1], EncodeSettings(bitrate_kbps=128), max_workers=1)
    assert again[0].mp3 == segs[0].mp3
    entry = segs[1].manifest_entry()
    assert entry["start"] == plan[1].start and entry["samples"] == plan[1].samples
    assert entry["sha256"] == hashlib.sha256(segs[1].mp3).hexdigest() and entry["bytes"] == len(segs[1].mp3)
    assert entry["encoder_delay"] == 576
    frames = -(-(plan[1].samples + 576 + entry["padding"]) // 1152)
    assert frames * 1152 == plan[1].samples + 576 + entry["padding"]


def test_segment_outside_audio_raises():
    with pytest.raises(EncodeError, match="outside"):
        encode_segments(np.zeros(5000, np.float32), [Segment(0, 4000, 6000)], encode=encode_mp3)


# ---- browser decoder (Chromium's decodeAudioData), when Chromium is installed ----

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

_PAGE = """<html><body><script>
window.decodeAll = async (items) => {
  const out = [];
  for (const b64 of items) {
    const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
    const buf = await new OfflineAudioContext(1, 1, 44100).decodeAudioData(bytes.buffer);
    const d = buf.getChannelData(0);
    let best = 0;
    for (let i = 1; i < d.length; i++) if (Math.abs(d[i]) > Math.abs(d[best])) best = i;
    out.push({length: buf.length, rate: buf.sampleRate, loudest: best});
  }
  return out;
};
</script></body></html>"""


def _chromium_decode(mp3s: list[bytes], tmp_path) -> list[dict]:
    """Decode each MP3 with headless Chromium's Web Audio, through the DevTools protocol."""
    import asyncio
    import base64
    import json
    import socket
    import subprocess
    import time
    import urllib.request

    import websockets

    page = tmp_path / "decode.html"
    page.write_text(_PAGE)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--remote-debugging-port={port}",
         f"--user-data-dir={tmp_path / 'profile'}", page.as_uri()],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                tabs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2))
                ws_url = next(t["webSocketDebuggerUrl"] for t in tabs if t["type"] == "page")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        args = json.dumps([base64.b64encode(m).decode() for m in mp3s])

        async def evaluate():
            async with websockets.connect(ws_url, max_size=None) as ws:
                for i in range(1, 100):
                    expr = f"window.decodeAll ? window.decodeAll({args}) : null"
                    await ws.send(json.dumps({"id": i, "method": "Runtime.evaluate",
                                              "params": {"expression": expr, "awaitPromise": True, "returnByValue": True}}))
                    while (msg := json.loads(await ws.recv())).get("id") != i:
                        pass
                    value = msg["result"]["result"].get("value")
                    if value is not None:
                        return value
                    await asyncio.sleep(0.2)
                raise TimeoutError("page never loaded")

        return asyncio.run(asyncio.wait_for(evaluate(), 60))
    finally:
        proc.terminate()
        proc.wait(10)


def test_chromium_decode_audio_data_honours_the_lame_tag(tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Chromium is missing (make test installs it as root: apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    n = 3480 + 1152 * 10  # one of the lengths whose padding ffmpeg gets wrong
    x = np.zeros(n, np.float32)
    x[1234] = 0.9
    plan = [Segment(0, 0, n // 2), Segment(1, n // 2, n)]
    segs = encode_segments(x, plan, max_workers=2)
    full = encode_mp3(x)
    y = program(9.0) * 0.2
    y[[3000, 150_000, 300_001]] = 0.95
    long_plan = plan_segments(len(y), SR, 2.0)
    cut = cut_segments(encode_mp3(y), long_plan)
    results = _chromium_decode([full] + [s.mp3 for s in segs] + [s.mp3 for s in cut], tmp_path)
    assert results[0] == {"length": n, "rate": SR, "loudest": 1234}
    assert [r["length"] for r in results[1:3]] == [s.samples for s in plan]
    assert results[1]["loudest"] == 1234
    # segments cut from the full MP3 (primer frames, delays up to 4095): exact lengths, clicks in place
    assert [r["length"] for r in results[3:]] == [s.samples for s in long_plan]
    for click in (3000, 150_000, 300_001):
        i = next(k for k, s in enumerate(long_plan) if s.start <= click < s.stop)
        assert results[3 + i]["loudest"] == click - long_plan[i].start
