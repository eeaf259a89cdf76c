"""``python -m bench.acoustic.readings``: record each engine's raw audio-clock readings.

For each engine and PulseAudio rate, one page (bench/engines) on the conductor's
participant page creates an AudioContext (at the device's rate, and forced to
48 kHz), plays silence, and samples every ``--every-ms`` for ``--seconds``:
``performance.now()`` before and after, ``currentTime``, ``getOutputTimestamp()``,
``outputLatency``, ``baseLatency``.  The readings are written as JSON fixtures
(tests/js/fixtures/readings-ENGINE-PARATE-CTXRATE.json) that the audioclock unit
tests replay: what each engine really reports, not what a mock would.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from .. import procs

SAMPLE_JS = """async (rate, seconds, everyMs) => {
  const AC = window.AudioContext || window.webkitAudioContext;
  const ctx = rate ? new AC({ sampleRate: rate, latencyHint: 'playback' }) : new AC({ latencyHint: 'playback' });
  const osc = ctx.createOscillator(), g = ctx.createGain();
  g.gain.value = 0; osc.connect(g).connect(ctx.destination); osc.start();
  await Promise.race([ctx.resume().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
  if (ctx.state !== 'running') { const st = ctx.state; await Promise.race([ctx.close(), new Promise((r) => setTimeout(r, 1000))]); return { info: { sampleRate: ctx.sampleRate, state: st }, readings: [] }; }
  const out = [], t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const before = performance.now();
    const ct = ctx.currentTime;
    const ts = typeof ctx.getOutputTimestamp === 'function' ? ctx.getOutputTimestamp() : null;
    const after = performance.now();
    out.push({ before, after, currentTime: ct, contextTime: ts ? ts.contextTime : null,
               performanceTime: ts ? ts.performanceTime : null,
               outputLatency: typeof ctx.outputLatency === 'number' ? ctx.outputLatency : null,
               baseLatency: typeof ctx.baseLatency === 'number' ? ctx.baseLatency : null, state: ctx.state });
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const info = { sampleRate: ctx.sampleRate, userAgent: navigator.userAgent };
  await ctx.close();
  return { info, readings: out };
}"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.acoustic.readings", description=__doc__.split("\n\n")[0])
    p.add_argument("--engines", default="chromium,firefox,webkit")
    p.add_argument("--rates", default="44100,48000")
    p.add_argument("--ctx-rates", default="0,48000", help="0: the device's rate (no sampleRate option)")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--every-ms", type=float, default=25.0)
    p.add_argument("--out", default=str(procs.ROOT / "tests" / "js" / "fixtures"))
    args = p.parse_args(argv)
    from bench.engines import Display, PulseServer, open_page

    from ..showbundle import write_stub_bundle

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, Display() as display:
        tmp = Path(tmp)
        bundle = write_stub_bundle(tmp / "bundle", duration_s=10)
        conductor, port = procs.start_conductor(bundle, tmp / "state.sqlite")
        try:
            for rate in [int(r) for r in args.rates.split(",")]:
                with PulseServer(tmp / f"pulse{rate}", default_rate=rate) as pa:
                    for eng in args.engines.split(","):
                        sink = pa.null_sink(f"{eng}{rate}", rate=rate)
                        page = open_page(eng, f"http://127.0.0.1:{port}/", sink=sink, pulse=pa, display=display)
                        try:
                            for cr in [int(c) for c in args.ctx_rates.split(",")]:
                                res = page.evaluate(SAMPLE_JS, cr, args.seconds, args.every_ms,
                                                    timeout_s=args.seconds + 30)
                                res["info"].update(engine=eng, paRate=rate, requestedRate=cr or None)
                                name = out / f"readings-{eng}-{rate}-{cr or 'device'}.json"
                                name.write_text(json.dumps(res, indent=None, separators=(",", ":")) + "\n")
                                print(f"{name.name}: {len(res['readings'])} readings, ctx {res['info']['sampleRate']} Hz",
                                      flush=True)
                        finally:
                            page.close()
        finally:
            conductor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
