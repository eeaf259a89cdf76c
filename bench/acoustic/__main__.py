"""``python -m bench.acoustic``: when the pages' first sound really comes out, in all three engines.

    python -m bench.acoustic --pages chromium,firefox,webkit --rounds 10
    python -m bench.acoustic --pages chromium*3,firefox*2,webkit*2 --rounds 10
    python -m bench.acoustic --calibrate-only

For each PulseAudio rate of ``--rates`` (the sound server's default-sample-rate
and every sink's rate): a private PulseAudio server with one null sink per
page, a real conductor (``python -m flashmob.conductor serve``) serving a click bundle
rendered by ``flashmob render`` (a click at 0 s and every second: the
renderer's loudness processing leaves each onset one sample sharp, see
``bundle_clicks``), the link relay (bench/netlink, ``--profile``) in front of
it, and one browser process per page (bench/engines), its wall clock skewed by
libfaketime (seeded, within ±2 s), its sound into its own sink.  Each sink's
monitor is recorded (bench/acoustic/recorder.py) and timed against the
conductor's clock; the chain is calibrated first with a native PulseAudio player
(bench/acoustic/calibrate.py) and its resolution printed.  Each round the bench
arms the show (console socket, ``--lead`` s), finds each page's first click in
its recording, reads the page's own account and stated bound, aborts and
resets.  Tables: bench/acoustic/report.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .. import machine, procs
from ..browsers.__main__ import Console
from . import report
from .calibrate import calibrate
from .recorder import SinkRecorder, first_onset_us

SELF_JS = """(() => {
  const r = window.flashmob.report(), f = r.firstSample;
  if (!f || !f.confirmed) return null;
  return { serverUs: f.serverUs, boundUs: f.boundUs ?? null, startAt: r.startAt, source: f.source ?? null,
           ctxRate: f.ctxRate ?? null, candidates: f.candidates ?? {}, faults: f.faults ?? {},
           outputLatency: f.outputLatency ?? null, baseLatency: f.baseLatency ?? null, lateStartS: f.lateStartS ?? 0 };
})()"""


def parse_pages(spec: str) -> list[str]:
    """'chromium*3,firefox' -> ['chromium', 'chromium', 'chromium', 'firefox']."""
    out = []
    for part in spec.split(","):
        name, _, n = part.strip().partition("*")
        out += [name] * int(n or 1)
    return out


def render_bundle(workdir: Path, rate: int) -> Path:
    """A click bundle from a generated score, rendered by the real CLI (flashmob render)."""
    import numpy as np
    import soundfile as sf

    src = workdir / "score"
    src.mkdir(parents=True, exist_ok=True)
    click = np.zeros(int(0.05 * rate), np.float32)
    click[:6] = 0.95
    sf.write(src / "click.wav", click, rate, subtype="FLOAT")
    cues = "".join(f"  - at: {k}s\n    sound: click\n" for k in range(9))
    (src / "score.yaml").write_text(f"flashmob: 1\ntitle: Acoustic clicks\nsample_rate: {rate}\n"
                                    "groups:\n  red: {name: Reds}\nassets:\n  click: click.wav\n"
                                    f"cues:\n{cues}  - at: 10s\n    end: true\n")
    out = workdir / "bundle"
    r = subprocess.run([sys.executable, "-m", "flashmob", "render", str(src / "score.yaml"), "-o", str(out), "-q",
                        "--segment-seconds", "3"], cwd=procs.ROOT, timeout=300, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"flashmob render failed: {r.stderr[-2000:]}")
    return out


def bundle_clicks(bundle: Path) -> float:
    """The decoded bundle's first click onset (samples from the nominal position; soundfile
    decodes gaplessly): how sharp the renderer left it."""
    import soundfile as sf

    from .onsets import reference_offset

    m = json.loads((bundle / "manifest.json").read_text())
    x, sr = sf.read(bundle / m["groups"][0]["mp3"]["path"], dtype="float32")
    return reference_offset(x, sr, sr)  # the click at 1 s (the one at 0 has no silence before it)


def run_rate(args, rate: int, engines: list[str], workdir: Path, bundle: Path, lib_ok: bool) -> tuple[list, object]:
    from bench.engines import Display, PulseServer, open_page

    epoch = procs.epoch_offset_us()
    r = random.Random(f"acoustic:{args.seed}")
    skews = [round(r.uniform(-2.0, 2.0), 3) for _ in engines]
    budget = args.rounds * (args.lead + 12) + 300
    results: list[report.PageRound] = []
    started = []
    pages = []
    recorders = []
    with Display() as display, PulseServer(workdir / f"pulse{rate}", default_rate=rate) as pa:
        sink = pa.null_sink("calibration", rate=rate)
        for attempt in range(3):  # a loaded machine can leave clicks untimed or the chain off: try again
            cal = calibrate(pa, sink, rate, clicks=args.cal_clicks)
            if cal.reliable:
                break
            procs.log(f"{rate} Hz: calibration attempt {attempt + 1}: {cal.heard}/{cal.clicks} clicks timed, "
                      f"median {cal.median_us:+.0f} µs, p5..p95 {cal.p5_us:+.0f} .. {cal.p95_us:+.0f} µs")
        procs.log(f"{rate} Hz: chain calibration: median {cal.median_us:+.0f} µs, p5..p95 {cal.p5_us:+.0f} .. "
                  f"{cal.p95_us:+.0f} µs ({cal.heard}/{cal.clicks} clicks)")
        if args.calibrate_only:
            return results, cal
        if not cal.reliable:
            procs.log(f"{rate} Hz: WARNING: the recording chain is unreliable now (load?): its bias is not "
                      "subtracted; its spread is the resolution of every number below")
        conductor, cport = procs.start_conductor(bundle, workdir / f"state{rate}.sqlite", extra=["--min-lead", "1"])
        started.append(conductor)
        try:
            routes = [{"name": f"p{i}", "target": f"127.0.0.1:{cport}", "profile": args.profile,
                       "seed": f"{args.seed}-{i}"} for i in range(len(engines))]
            relay, rports = procs.start_relay(routes, workdir, seconds=budget, change_at_s=budget * 10)
            started.append(relay)
            console = Console(cport)
            names = [f"{e}{i}" for i, e in enumerate(engines)]
            for name in names:
                pa.null_sink(name, rate=rate)
                rec = SinkRecorder(pa, name, rate)
                rec.__enter__()
                recorders.append(rec)
            for i, eng in enumerate(engines):
                url = f"http://127.0.0.1:{rports[f'p{i}']}/"
                for attempt in range(3):  # a browser can take > 30 s to start on a loaded machine
                    try:
                        # Firefox hangs at startup under libfaketime (NOTES-acoustic.md): unskewed
                        skewed = lib_ok and eng != "firefox"
                        pages.append(open_page(eng, url, sink=names[i], pulse=pa, display=display,
                                               faketime=f"{skews[i]:+.3f}" if skewed else None))
                        if not skewed:
                            skews[i] = 0.0
                        break
                    except Exception as exc:  # noqa: BLE001 - retried, then raised
                        procs.log(f"{rate} Hz: {names[i]} did not start ({str(exc)[:120]}); attempt {attempt + 1}")
                        if attempt == 2:
                            raise
                procs.log(f"{rate} Hz: {names[i]} open (wall clock {skews[i]:+.3f} s)")
            for p in pages:
                p.click("#join-button", timeout_s=60)
            for p in pages:
                p.wait_for("window.flashmob && window.flashmob.report().verified", 90)
            for p in pages:
                p.click("#enable-sound", timeout_s=30)
            for p in pages:
                p.wait_for("document.body.dataset.screen === 'wait'", 30)
            for rec in recorders:
                rec.wait_settled()
            procs.log(f"{rate} Hz: {len(pages)} pages ready; syncing {args.sync:g} s")
            time.sleep(args.sync)
            for rnd in range(args.rounds):
                load1 = os.getloadavg()[0]
                ack = console.command({"type": "arm", "in_ms": int(args.lead * 1000)})
                start_at = ack["show"]["start_at_us"]
                # the page confirms its first sample 0.3 s after it; the click is in the recording by then
                time.sleep(max(0.0, (start_at - (time.monotonic_ns() / 1000 + epoch)) / 1e6) + 1.5)
                line = []
                for i, p in enumerate(pages):
                    try:
                        mine = p.wait_for(SELF_JS, 5)
                    except Exception:
                        mine = None
                    heard = first_onset_us(recorders[i], after_us=start_at - 500_000, epoch_us=epoch)
                    # the chain's bias (native player vs recorder, calibrated above) is taken out
                    bias = cal.median_us if cal.reliable else 0.0
                    acoustic = (None if heard is None or heard > start_at + 1_000_000
                                else heard - start_at - bias)
                    ok = mine and mine.get("startAt") == start_at
                    selfe = mine["serverUs"] - start_at if ok else None
                    bound = mine.get("boundUs") if ok else None
                    cands = {k: v - start_at for k, v in (mine.get("candidates") or {}).items() if v is not None} \
                        if ok else None
                    results.append(report.PageRound(rate, rnd, engines[i], names[i], skews[i], acoustic, selfe, bound,
                                                    load1, mine.get("source") if ok else None, cands))
                    line.append(f"{names[i]} {report._ms(acoustic)}/{report._ms(selfe)}")
                    if acoustic is None and args.debug:
                        near = [round((t + epoch - start_at) / 1000, 1) for t in
                                recorders[i].onsets_mono_us(after_mono_us=start_at - epoch - 2e6)][:4]
                        x = recorders[i].samples()
                        procs.log(f"{names[i]}: no click within 1 s; onsets (ms from start) {near}; "
                                  f"recorded {len(x) / rate:.1f} s, peak {float(np.abs(x).max()) if len(x) else 0:.2f}, "
                                  f"timed runs {len(recorders[i]._line().segments())}")
                    if not ok and args.debug:
                        procs.log(f"{names[i]}: {json.dumps(p.evaluate('window.flashmob.report()'))[:1500]}")
                try:
                    console.command({"type": "abort", "reason": "bench round over"})
                except RuntimeError as exc:  # the 10 s show may have ended while the pages were read
                    if "illegal_transition" not in str(exc):
                        raise
                console.command({"type": "reset"})
                procs.log(f"{rate} Hz round {rnd}: acoustic/self ms: {', '.join(line)} (load {load1:.2f})")
                time.sleep(args.gap)
            console.close()
        finally:
            for p in pages:
                try:
                    p.close()
                except Exception as exc:  # noqa: BLE001 - report and go on closing
                    procs.log(f"closing a page: {exc}")
            for rec in recorders:
                rec.__exit__(None, None, None)
            for proc in reversed(started):
                proc.stop()
    return results, cal


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.acoustic", description=__doc__.split("\n\n")[0])
    p.add_argument("--pages", default="chromium,firefox,webkit", help="engines of the pages, e.g. chromium*3,firefox*2")
    p.add_argument("--rates", default="44100,48000", help="PulseAudio rates to run at")
    p.add_argument("--bundle-rate", type=int, default=48000, help="sample rate of the rendered click bundle")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--sync", type=float, default=6.0, help="seconds of clock sync before the first round")
    p.add_argument("--lead", type=float, default=3.0, help="seconds from arm to start")
    p.add_argument("--gap", type=float, default=1.0, help="seconds between rounds")
    p.add_argument("--profile", default="lan", help="link profile of every page (bench/netlink/profiles.py)")
    p.add_argument("--cal-clicks", type=int, default=30)
    p.add_argument("--calibrate-only", action="store_true")
    p.add_argument("--seed", default="1")
    p.add_argument("--rows", action="store_true", help="also print every page of every round")
    p.add_argument("--debug", action="store_true", help="log the report of a page that reported nothing")
    args = p.parse_args(argv)
    procs.exit_on_sigterm()
    engines = parse_pages(args.pages)
    from bench.engines import EngineMissing, check, faketime_lib

    try:
        for e in sorted(set(engines)):
            check(e)
        faketime_lib()
        lib_ok = True
    except EngineMissing as exc:
        print(f"bench.acoustic: {exc}", file=sys.stderr)
        return 2
    print(machine.describe() if hasattr(machine, "describe") else "")
    print(f"pages: {', '.join(engines)}; rounds {args.rounds}; link {args.profile}; lead {args.lead:g} s; "
          f"load at start {os.getloadavg()[0]:.2f}")
    all_results, cals = [], []
    with tempfile.TemporaryDirectory(prefix="bench-acoustic-") as tmp:
        workdir = Path(tmp)
        bundle = render_bundle(workdir, args.bundle_rate)
        sharp = bundle_clicks(bundle)
        print(f"bundle: flashmob render, {args.bundle_rate} Hz; decoded click onset {sharp:+.2f} samples "
              f"({sharp / args.bundle_rate * 1e6:+.1f} µs) from its nominal sample")
        for rate in [int(x) for x in args.rates.split(",")]:
            res, cal = run_rate(args, rate, engines, workdir, bundle, lib_ok)
            all_results += res
            cals.append(cal)
    print("\nRecording chain (native PulseAudio player -> null sink -> monitor -> onset), recorded - played:")
    print(report.markdown(["rate", "clicks heard", "median µs", "p5 µs", "p95 µs", "max |dev| µs",
                           "anchor spread µs", "bias subtracted"],
                          [[f"{c.rate / 1000:g}k", f"{c.heard}/{c.clicks}", f"{c.median_us:+.0f}", f"{c.p5_us:+.0f}",
                            f"{c.p95_us:+.0f}", f"{c.max_abs_us:.0f}", f"{c.anchor_spread_us:.0f}",
                            "yes" if c.reliable else "no (unreliable)"] for c in cals]))
    if args.calibrate_only:
        return 0
    print("\nPer engine (errors > 0: late; diff = self-reported - acoustic):")
    print(report.engine_table(all_results))
    print("\nCross-check of the readings (what each would have said about sample 0, against the sound):")
    print(report.crosscheck_table(all_results))
    print("\nSpread of the acoustic errors over the pages of a round:")
    print(report.spread_table(all_results))
    if args.rows:
        print()
        print(report.rounds_table(all_results))
    print(f"\nload at end {os.getloadavg()[0]:.2f}")
    return 0 if any(r.acoustic_us is not None for r in all_results) else 1


if __name__ == "__main__":
    sys.exit(main())
