"""Render benchmark: a synthetic 60-minute, 3-group, 200-cue score with a music bed.

    python -m bench.render                 # the full benchmark (3 x 60 min)
    python -m bench.render --minutes 1     # a quick run (the CI smoke uses this)
    python -m bench.render --jobs 1        # one process: also prints the warm render's CPU time

Measures, with a warm voice cache (a first render warms it and is not
timed): wall time, realtime factor (show minutes rendered per wall minute,
all groups), peak RSS of the whole process tree (sampled every 50 ms), and
in the same run the yardstick: the ffmpeg command line encoding the same
PCM (each group's mix, written to a raw float file beforehand) with the same
settings, one file after another. Prints a table. Results and their reading:
docs/benchmarks.md, "Renderer".
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORDS = ("walk slowly towards the fountain and raise your left hand then turn around and wave at "
         "someone wearing your colour count your steps breathe in breathe out freeze like a statue").split()


def synthetic_score(minutes: int, groups: int, cues: int, seed: int = 7) -> str:
    """YAML text of a long show: `cues` say/sound cues spread over `minutes`."""
    rng = random.Random(seed)
    ids = [f"g{i}" for i in range(groups)]
    lines = ["flashmob: 1", f"title: Bench {minutes} min", "language: en",
             "voices:", "  v: {engine: espeak, voice: en-us}", "voice: v", "groups:"]
    lines += [f"  {g}: {{name: Group {i}}}" for i, g in enumerate(ids)]
    lines += ["assets:", f"  pad: {ROOT}/scores/assets/pad-loop.flac", f"  gong: {ROOT}/scores/assets/gong.flac",
              "cues:", "  - id: bed", "    at: 0", "    music: pad", "    loop: true", "    fade_in: 3s"]
    span = minutes * 60 - 10
    times = sorted(rng.sample(range(5 * 10, span * 10, 1), cues))
    last_say: dict[str, float] = {}
    for t10 in times:
        t = t10 / 10
        who = [g for g in ids if rng.random() < 0.6] or [ids[0]]
        if rng.random() < 0.25 or any(t - last_say.get(g, -99) < 6 for g in who):
            lines += [f"  - at: {t:g}", "    sound: gong", "    gain: -6", f"    groups: [{', '.join(who)}]"]
            continue
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))).capitalize() + "."
        lines += [f"  - at: {t:g}", f"    say: {text}", f"    groups: [{', '.join(who)}]"]
        for g in who:
            last_say[g] = t
    lines += [f"  - at: {minutes * 60}", "    end: true", ""]
    return "\n".join(lines)


class TreeRss:
    """Peak of the summed RSS of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int, period: float = 0.05):
        self.pid, self.period, self.peak, self._stop = pid, period, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _children(self) -> dict[int, list[int]]:
        kids: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open(f"/proc/{name}/stat") as fh:
                        ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
                except OSError:
                    continue
                kids.setdefault(ppid, []).append(int(name))
        return kids

    def _rss(self) -> int:
        kids, total, todo = self._children(), 0, [self.pid]
        while todo:
            pid = todo.pop()
            todo += kids.get(pid, [])
            try:
                with open(f"/proc/{pid}/statm") as fh:
                    total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            except OSError:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.period)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def ffmpeg_yardstick(bundle: str, score_path: str, workdir: str, bitrate: int, quality: int) -> float:
    """Seconds for the ffmpeg CLI to encode every group's PCM, one after another."""
    from flashmob.tools.audio.decode import decode_soundfile, ffmpeg_exe
    import json

    manifest = json.load(open(os.path.join(bundle, "manifest.json"), encoding="utf-8"))
    raws = []
    for g in manifest["groups"]:
        pcm, _ = decode_soundfile(os.path.join(bundle, g["mp3"]["path"]))  # the same-length, same-level PCM
        raw = os.path.join(workdir, f"{g['id']}.f32")
        pcm.astype("<f4").tofile(raw)
        raws.append(raw)
    start = time.monotonic()
    for raw in raws:
        subprocess.run([ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "f32le",
                        "-ar", str(manifest["sample_rate"]), "-ac", "1", "-i", raw, "-c:a", "libmp3lame",
                        "-b:a", f"{bitrate}k", "-compression_level", str(quality), "-y",
                        os.path.join(workdir, "yard.mp3")], check=True)
    return time.monotonic() - start


def _cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children (with --jobs 1: the render and
    its ffmpeg encoders; worker processes forked by the fork server are not our children)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--groups", type=int, default=3)
    ap.add_argument("--cues", type=int, default=200)
    ap.add_argument("--bitrate", type=int, default=96)
    ap.add_argument("--quality", type=int, default=7)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--keep", help="keep the bundle in this directory")
    args = ap.parse_args(argv)
    load_start = os.getloadavg()[0]  # before anything of ours runs: the machine's own load
    sys.path.insert(0, ROOT)
    from flashmob.tools.render.bundle import RenderOptions, render_bundle

    work = tempfile.mkdtemp(prefix="flashmob-bench-")
    try:
        score = os.path.join(work, "bench.yaml")
        with open(score, "w", encoding="utf-8") as fh:
            fh.write(synthetic_score(args.minutes, args.groups, min(args.cues, args.minutes * 50)))
        options = RenderOptions(bitrate_kbps=args.bitrate, quality=args.quality, workers=args.jobs,
                                cache_dir=os.path.join(work, "voices"))
        out = args.keep or os.path.join(work, "bundle")
        t0 = time.monotonic()
        render_bundle(score, out, options)           # warms the voice cache
        cold = time.monotonic() - t0
        with TreeRss(os.getpid()) as rss:
            t0, cpu0 = time.monotonic(), _cpu_seconds()
            render_bundle(score, out, options)
            wall, cpu = time.monotonic() - t0, _cpu_seconds() - cpu0
        yard = ffmpeg_yardstick(out, score, work, args.bitrate, args.quality)
        show_min = args.minutes * args.groups
        rows = [("show", f"{args.groups} groups x {args.minutes} min, {args.cues} cues, music bed"),
                ("settings", f"{args.bitrate} kb/s CBR mono, LAME quality {args.quality}, "
                             f"{args.jobs or min(args.groups, 2 * (os.cpu_count() or 1))} worker processes"),
                ("cold render (voices synthesized)", f"{cold:.1f} s"),
                ("warm render wall time", f"{wall:.1f} s"),
                ("realtime factor (show min / wall min)", f"{show_min * 60 / wall:.0f}x"),
                ("peak RSS, whole process tree", f"{rss.peak / 2**20:.0f} MiB"),
                ("ffmpeg CLI, same PCM, sequential", f"{yard:.1f} s"),
                *([("warm render CPU (this process + its ffmpeg)", f"{cpu:.1f} s")] if args.jobs == 1 else []),
                ("render / ffmpeg encode", f"{wall / yard:.2f}x"),
                ("machine", f"{os.cpu_count()} cores, 1-min load average {load_start:.1f} at start "
                            f"(other users), {os.getloadavg()[0]:.1f} at end (this run included)")]
        width = max(len(k) for k, _ in rows)
        print(f"| {'measure':<{width}} | value |\n|{'-' * (width + 2)}|-------|")
        for k, v in rows:
            print(f"| {k:<{width}} | {v} |")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
