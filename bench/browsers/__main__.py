"""``python -m bench.browsers``: start spread of real headless Chromium pages.

    python -m bench.browsers --browsers 8 --profiles wifi --rounds 4
    python -m bench.browsers --browsers 10 --profiles lan,wifi,4g,asym,route-change --rounds 4

N Chromium processes (Debian's /usr/bin/chromium via Playwright), each with
its wall clock skewed by libfaketime (``FAKETIME=±s``, seeded, within ±2 s;
the monotonic clock is left alone, as on a phone whose wall clock is wrong,
so ``performance.timeOrigin`` carries the skew)
and behind its own relay route (profiles cycled over the pages) in front of
one real conductor serving ``client_web/`` and a short real-MP3 bundle.
Each round: a fresh page per browser joins, verifies the bundle, enables
sound, syncs for ``--sync`` seconds; the bench arms the show (console socket,
``--lead`` s) and reads, from each page's own test hook
(``window.flashmob.report().firstSample``), when it heard sample 0; then it
aborts and resets the show.  Prints the spread table (definitions:
``bench/browsers/report.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from .. import machine, procs
from ..netlink.profiles import PROFILES
from ..showbundle import write_audio_bundle
from . import report
from .pageclock import ClockMap, calibrate

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--autoplay-policy=no-user-gesture-required",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--disable-gpu"]
FAKETIME_LIBS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1")

# Only the wall clock is skewed (a phone's clock is wrong, its monotonic clock is not).
# FAKETIME_FORCE_MONOTONIC_FIX=0: with the fix Debian's libfaketime turns on for this
# glibc, Chromium's timed waits stretch by seconds (launch 8-15 s instead of 0.3 s).
FAKETIME_ENV = {"FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_FORCE_MONOTONIC_FIX": "0"}

# The page's clock reading (µs) at which it heard sample 0: the engine's audio clock
# maps the context time of sample 0 to performance time (what serverUsAtCtx does).
HEARD_JS = """(() => {
  const fm = window.flashmob, r = fm.report(), e = fm.st.engine, f = r.firstSample;
  if (!f || !f.confirmed || !e || !e.audioClock) return null;
  const perf = e.audioClock.perfAt(f.ctx) + e.offsetMs();
  return { clientUs: (performance.timeOrigin + perf) * 1000, believedUs: f.serverUs, startAt: r.startAt };
})()"""


def faketime_lib() -> str:
    for p in FAKETIME_LIBS:
        if Path(p).exists():
            return p
    raise procs.PrerequisiteMissing("libfaketime is missing: run scripts/ensure-bench-tools.sh (as root)")


def check_prerequisites() -> str:
    if not Path(CHROMIUM).exists():
        raise procs.PrerequisiteMissing(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise procs.PrerequisiteMissing("the playwright package is missing (pip install -e '.[dev]')") from None
    return faketime_lib()


class Console:
    """The organizer console, over its websocket (straight to the conductor)."""

    def __init__(self, port: int) -> None:
        from websockets.sync.client import connect

        # unread feeds pile up between commands: no bounded queue, no keepalive pings to miss
        self.ws = connect(f"ws://127.0.0.1:{port}/ws/console", open_timeout=10, max_size=None, max_queue=None,
                          ping_interval=None)
        self.send({"type": "console_hello", "token": procs.TOKEN})
        self.expect("console_welcome")
        self.n = 0

    def send(self, obj: dict) -> None:
        self.ws.send(json.dumps(obj))

    def expect(self, kind: str, timeout: float = 10.0, **match) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if msg["type"] == kind and all(msg.get(k) == v for k, v in match.items()):
                return msg
            if msg["type"] == "error" and msg.get("ref") in match.values():
                raise RuntimeError(f"console: {msg['code']}: {msg['message']}")

    def command(self, cmd: dict) -> dict:
        self.n += 1
        ref = f"b{self.n}"
        self.send({**cmd, "ref": ref})
        return self.expect("ack", ref=ref)

    def close(self) -> None:
        self.ws.close()


def wait_all(pages, js: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for page in pages:
        left = max(0.1, deadline - time.monotonic())
        # a function, not a string: the conductor's CSP forbids eval, which string predicates use
        page.wait_for_function(f"() => ({js})", timeout=left * 1000, polling=100)


def run(args, workdir: Path, lib: str) -> list[report.PageResult]:
    from playwright.sync_api import sync_playwright

    bundle = write_audio_bundle(workdir / "bundle")
    epoch = procs.epoch_offset_us()
    profiles = [p for p in args.profiles.split(",") if p]
    r = random.Random(f"skews:{args.seed}")
    skews = [round(r.uniform(-2.0, 2.0), 3) for _ in range(args.browsers)]
    page_profiles = [profiles[i % len(profiles)] for i in range(args.browsers)]
    budget = args.rounds * (args.sync + args.lead + 60) + 120
    conductor, cport = procs.start_conductor(bundle, workdir / "state.sqlite", extra=["--min-lead", "1"])
    started = [conductor]
    results: list[report.PageResult] = []
    try:
        routes = [{"name": f"b{i}", "target": f"127.0.0.1:{cport}", "profile": page_profiles[i],
                   "seed": f"{args.seed}-{i}"} for i in range(args.browsers)]
        relay, rports = procs.start_relay(routes, workdir, seconds=budget, change_at_s=budget / 2)
        started.append(relay)
        console = Console(cport)
        with sync_playwright() as pw:
            browsers = []
            for i in range(args.browsers):
                env = {**os.environ, "LD_PRELOAD": lib, "FAKETIME": f"{skews[i]:+.3f}", **FAKETIME_ENV}
                browsers.append(pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, env=env))
            procs.log(f"{len(browsers)} browsers up")
            for rnd in range(args.rounds):
                procs.log(f"round {rnd}: opening {len(browsers)} pages")
                ctxs, pages = [], []
                for i, b in enumerate(browsers):
                    ctx = b.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
                    page = ctx.new_page()
                    page.goto(f"http://127.0.0.1:{rports[f'b{i}']}/", timeout=60_000)
                    ctxs.append(ctx)
                    pages.append(page)
                for page in pages:
                    page.wait_for_selector("#join-button", timeout=60_000)
                    page.click("#join-button")
                procs.log(f"round {rnd}: joined; downloading and verifying")
                wait_all(pages, "window.flashmob && window.flashmob.report().verified", 90)
                for page in pages:
                    page.click("#enable-sound")
                wait_all(pages, "document.body.dataset.screen === 'wait'", 30)
                procs.log(f"round {rnd}: sound on; syncing {args.sync:g} s")
                time.sleep(args.sync)
                before = [calibrate(p, epoch) for p in pages]
                ack = console.command({"type": "arm", "in_ms": int(args.lead * 1000)})
                start_at = ack["show"]["start_at_us"]
                procs.log(f"round {rnd}: armed, start in {args.lead:g} s")
                try:
                    wait_all(pages, "(r => r.firstSample && r.firstSample.confirmed)(window.flashmob.report())",
                             args.lead + 15)
                except Exception as exc:  # a page that never played is reported as such
                    print(f"  round {rnd}: not every page played: {str(exc).splitlines()[0]}", file=sys.stderr)
                after = [calibrate(p, epoch) for p in pages]
                for i, page in enumerate(pages):
                    heard = page.evaluate(HEARD_JS)
                    cmap = ClockMap(before[i], after[i])
                    err = believed = None
                    if heard and heard["startAt"] == start_at:
                        err = cmap.true_at(heard["clientUs"]) - start_at
                        believed = heard["believedUs"] - start_at
                    results.append(report.PageResult(rnd, i, page_profiles[i], skews[i], err, believed, cmap.bound_us))
                console.command({"type": "abort", "reason": "bench round over"})
                console.command({"type": "reset"})
                for ctx in ctxs:
                    ctx.close()
                done = [x for x in results if x.round == rnd and x.error_us is not None]
                print(f"  round {rnd}: {len(done)}/{len(pages)} pages played; errors (ms) "
                      f"{[round(x.error_us / 1000, 2) for x in done]}", file=sys.stderr, flush=True)
            for b in browsers:
                b.close()
        console.close()
    finally:
        for p in reversed(started):
            p.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.browsers", description=__doc__.split("\n\n")[0])
    p.add_argument("--browsers", type=int, default=8, help="Chromium processes (one page each)")
    p.add_argument("--profiles", default="wifi", help="comma-separated link profiles, cycled over the pages")
    p.add_argument("--rounds", type=int, default=4, help="shows (a fresh page per browser each)")
    p.add_argument("--sync", type=float, default=10.0, help="seconds of clock sync before arming")
    p.add_argument("--lead", type=float, default=5.0, help="arm lead (s)")
    p.add_argument("--seed", default="1")
    p.add_argument("--pages", action="store_true", help="also print every page's result")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    procs.exit_on_sigterm()
    for prof in args.profiles.split(","):
        if prof not in PROFILES:
            p.error(f"unknown profile {prof!r}")
    try:
        lib = check_prerequisites()
    except procs.PrerequisiteMissing as exc:
        print(f"bench.browsers: {exc}", file=sys.stderr)
        return 2
    print(f"machine: {machine.describe(chromium=True)}")
    print(f"command: python -m bench.browsers --browsers {args.browsers} --profiles {args.profiles} "
          f"--rounds {args.rounds} --sync {args.sync:g} --lead {args.lead:g} --seed {args.seed}")
    with tempfile.TemporaryDirectory(prefix="bench-browsers-") as tmp:
        results = run(args, Path(tmp), lib)
    print(f"(load average at the end {machine.loadavg()[0]:.2f})\n")
    print(report.table(results))
    if args.pages:
        print()
        print(report.per_page(results))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=1))
    return 0 if any(r.error_us is not None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
