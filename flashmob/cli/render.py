"""``flashmob render SCORE -o DIR``: render the show bundle."""

from __future__ import annotations

import os
import signal
import sys
import time

NAME = "render"
HELP = "render a score into a show bundle: one MP3 per group, web segments, captions, covers, manifest"


def configure(parser) -> None:
    parser.add_argument("score", help="the score (YAML)")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="bundle directory to (re)write")
    parser.add_argument("--bitrate", type=int, default=96, metavar="KBPS",
                        help="MP3 constant bitrate in kb/s, shared by all groups (default 96)")
    parser.add_argument("--quality", type=int, default=7, metavar="0-9",
                        help="LAME algorithm quality, 0 best/slowest .. 9 fastest (default 7: no noise "
                             "shaping; at 96 kb/s as good as 5 and faster, docs/benchmarks.md)")
    parser.add_argument("--loudness", type=float, default=-16.0, metavar="LUFS",
                        help="integrated loudness target of every group (default -16)")
    parser.add_argument("--segment-seconds", type=float, default=30.0, metavar="S",
                        help="length of web-playback segments, at most 30 (default 30)")
    parser.add_argument("--allow-overlap", action="store_true",
                        help="accept speech that runs into the next speech of its group (warn only)")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="groups rendered in parallel (default: cores)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


class _Bars:
    """One rich progress bar per group (and one for speech) on stderr."""

    def __init__(self, quiet: bool):
        self.silent = quiet                       # --quiet: nothing at all
        self.lines = not quiet and not sys.stderr.isatty()   # logs: one line per milestone
        self.tasks = {}
        if not quiet and not self.lines:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description:>10}"), BarColumn(), TextColumn("{task.fields[stage]}"),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=False)
            self.progress.start()

    STAGES = {"mixing": (0.0, 0.25), "loudness": (0.25, 0.35), "encoding": (0.35, 0.95), "done": (1.0, 1.0)}

    def __call__(self, who: str, stage: str, frac: float) -> None:
        if self.silent:
            return
        if self.lines:
            if stage == "done" or (who == "speech" and frac >= 1):
                print(f"{who}: {'rendered' if stage == 'done' else stage + ' synthesized'}", file=sys.stderr)
            return
        lo, hi = self.STAGES.get(stage, (0.0, 1.0))
        if who not in self.tasks:
            self.tasks[who] = self.progress.add_task(who, total=1.0, stage="")
        completed = frac if who == "speech" else lo + (hi - lo) * frac
        self.progress.update(self.tasks[who], completed=completed, stage=stage)

    def close(self) -> None:
        if self.tasks or hasattr(self, "progress"):
            self.progress.stop()


def _terminate_as_interrupt():
    """SIGTERM (a service manager, ``kill``) cleans up exactly like Ctrl-C; returns the previous
    handler (None when this is not the main thread, where handlers cannot be set)."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:
        return None


def _close(bars) -> None:
    if bars is not None:
        bars.close()


def run(args) -> int:
    from flashmob.tools.audio.errors import AudioError
    from flashmob.tools.render.bundle import RenderOptions, render_bundle
    from flashmob.tools.score import ScoreError

    from .common import print_diagnostics, report_score_error

    if not 1 <= args.segment_seconds <= 30:
        print("flashmob render: --segment-seconds must be between 1 and 30", file=sys.stderr)
        return 2
    options = RenderOptions(bitrate_kbps=args.bitrate, quality=args.quality, target_lufs=args.loudness,
                            segment_seconds=args.segment_seconds, allow_overlap=args.allow_overlap,
                            workers=args.jobs)
    bars = None
    started = time.monotonic()

    def announce(plan) -> None:
        nonlocal bars
        if not args.quiet:
            print(plan.describe() + " (Ctrl-C stops it; nothing is written until the bundle is complete)",
                  file=sys.stderr, flush=True)
        bars = _Bars(args.quiet)

    def progress(who, stage, frac) -> None:
        if bars is not None:
            bars(who, stage, frac)

    previous = _terminate_as_interrupt()
    try:
        result = render_bundle(args.score, args.output, options, progress, announce)
    except ScoreError as exc:
        _close(bars)
        return report_score_error(exc)
    except AudioError as exc:
        _close(bars)
        print(f"flashmob render: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _close(bars)
        kept = " (the previous bundle there is unchanged)" if os.path.isdir(args.output) else ""
        print(f"flashmob render: interrupted; nothing written to {args.output}{kept}", file=sys.stderr)
        # Everything is cleaned up (workers killed, temporary folders removed): leave now rather than
        # wait for the interpreter's teardown (onnxruntime's thread pool alone takes up to a second).
        from multiprocessing import util

        from flashmob.tools.render.workers import stop_fork_server

        stop_fork_server()
        util._run_finalizers(0)   # unlink the pool's semaphores (else the resource tracker warns of leaks)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    _close(bars)
    print_diagnostics(result.warnings)
    m = result.manifest
    print(f"rendered {len(m['groups'])} group(s), {m['duration']['ms'] / 1000:.1f} s each, in "
          f"{time.monotonic() - started:.1f} s -> {args.output} (show {m['show_id']})", file=sys.stderr)
    print(f"{args.output}/manifest.json")
    return 0
