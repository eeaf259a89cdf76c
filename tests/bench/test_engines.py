"""bench.engines: each engine's page plays into its own PulseAudio sink, really.

One page per engine, all on one private PulseAudio and one Xvfb (started and
stopped here, by PID). The page starts a 440 Hz oscillator on a click (a real
user gesture); the test records the sink's monitor with ``parec`` and checks
the tone is there (decoded samples, not the page's word), that the only
playback stream on that sink belongs to this page's processes, and that the
page's processes are gone after ``close()``.
"""

from __future__ import annotations

import os
import subprocess
import time

import numpy as np
import pytest

from bench.engines import ENGINES, Display, EngineMissing, PageError, PulseServer, check, open_page
from bench.engines._proc import marked_pids

PAGE = """<!doctype html><meta name="viewport" content="width=device-width">
<link rel="stylesheet" href="tone.css"><button id="go">go</button>
<script src="tone.js"></script>"""
CSS = "#go { width: 200px; height: 80px; }"
# The conductor serves every page with a strict CSP (conductor/headers.py): so does this server.
CSP = "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'"
SCRIPT = """window.state = 'idle';
document.getElementById('go').addEventListener('click', async () => {
  const ctx = new AudioContext(); window.ctx = ctx;
  const o = ctx.createOscillator(); o.frequency.value = 440; o.connect(ctx.destination); o.start();
  await ctx.resume(); window.state = ctx.state;
  console.error('deliberate error ' + ctx.sampleRate);
});"""
RATE = 48000


def tone_samples(raw) -> int:
    return int(np.count_nonzero(np.abs(np.fromfile(raw, np.float32)) > 0.05))


def serve_with_csp(root):
    """A loopback HTTP server of ``root`` whose every response carries CSP."""
    import functools
    import http.server
    import threading

    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self):
            self.send_header("Content-Security-Policy", CSP)
            super().end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    d = tmp_path_factory.mktemp("engines")
    (d / "tone.html").write_text(PAGE)
    (d / "tone.js").write_text(SCRIPT)
    (d / "tone.css").write_text(CSS)
    srv = serve_with_csp(d)
    try:
        with Display() as x, PulseServer(d / "pulse") as pa:
            yield x, pa, f"http://127.0.0.1:{srv.server_address[1]}/tone.html"
    finally:
        srv.shutdown()


def require(engine: str) -> None:
    try:
        check(engine)
    except EngineMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {exc}")
        pytest.skip(str(exc))


@pytest.mark.parametrize("engine", ENGINES)
def test_page_sound_reaches_its_own_sink(rig, engine, tmp_path):
    require(engine)
    x, pa, url = rig
    raw = tmp_path / "monitor.f32"
    sink = pa.null_sink(f"tone_{engine}", rate=RATE)
    page = open_page(engine, url, sink=sink, pulse=pa, display=x)
    try:
        assert page.evaluate("(a, b) => a * b", 6, 7) == 42
        assert page.evaluate("Promise.resolve({a: [1, null]})") == {"a": [1, None]}
        assert page.evaluate("undefined") is None
        assert page.evaluate("async () => { await new Promise(r => setTimeout(r, 10)); return 'later'; }") == "later"
        assert page.wait_for("document.getElementById('go') !== null", 5) is True
        # the page's CSP is in force (an inline script does not run), and evaluate works anyway
        assert page.evaluate("""() => new Promise((resolve) => {
            window.inline = 'blocked';
            const s = document.createElement('script');
            s.textContent = "window.inline = 'ran'";
            document.head.appendChild(s);
            setTimeout(() => resolve(window.inline), 50);
        })""") == "blocked"
        with pytest.raises(PageError, match="boom"):
            page.evaluate("() => { throw new Error('boom') }")
        out = raw.open("wb")  # a file, not a pipe: an unread pipe fills and stalls parec
        rec = subprocess.Popen(["parec", "-d", f"{sink}.monitor", "--format=float32le", f"--rate={RATE}",
                                "--channels=1", "--raw", "--latency-msec=20"],
                               env={**os.environ, **pa.env}, stdout=out)
        try:
            page.click("#go")
            assert page.wait_for("window.state !== 'idle' && window.state", 15) == "running"
            deadline = time.monotonic() + 20  # generous: the 2 cores are shared with other work
            while time.monotonic() < deadline and tone_samples(raw) < RATE // 2:
                time.sleep(0.2)
            streams = [s for s in pa.sink_inputs() if s["sink"] == sink]
            pids = page.pids()
        finally:
            rec.terminate()
            rec.wait(5)
            out.close()
        assert len(streams) == 1, streams
        assert int(streams[0]["pid"]) in pids, (streams, pids)
        a = np.fromfile(raw, np.float32)
        a = a[np.abs(a) > 0.05]  # the part after the tone started
        assert a.size >= RATE // 2, f"{a.size} non-silent samples on {sink}.monitor"
        assert 0.6 < float(np.sqrt(np.mean(a ** 2))) < 0.75  # a full-scale sine: RMS 0.707
        assert any("deliberate error" in e for e in page.console_errors()), page.console_errors()
    finally:
        marker = page.marker
        page.close()
    deadline = time.monotonic() + 10  # WebKit's web and network processes exit after the browser
    while marked_pids(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marked_pids(marker) == [], "processes of the closed page are still alive"
