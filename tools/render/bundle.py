"""Score -> show bundle (docs/bundle-format.md): the renderer's orchestration.

Steps: read and compile the score; synthesize every line (shared by groups,
cached); recompile with the real speech and asset durations; refuse speech
overruns (unless allowed); render the groups in parallel worker processes;
write captions, covers and ``manifest.json`` last (so a bundle with a
manifest is complete). The output directory is replaced atomically-enough:
files go to ``DIR.partial`` which is renamed to ``DIR`` at the end.

Rendering is deterministic: the same score, assets and settings give a
byte-identical bundle.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, wait
from queue import Empty
from dataclasses import dataclass, field
from typing import Callable

from tools import __version__
from tools.audio_errors import AudioError
from tools.encode import EncodeSettings
from tools.loudness import LoudnessSettings
from tools.score import Diagnostics, ScoreError, compile_score, load_score
from tools.score.model import Score

from .assets import AssetBank
from .cover import cover_png
from .captions import caption_spans
from .group import GroupJob, render_group
from .manifest import build_manifest, show_id
from .overruns import find_overruns
from .silences import silences
from .speech import RealDurations, SpeechBank
from .tags import Mp3Tags, chapters_from_spans

Progress = Callable[[str, str, float], None]   # (group or "speech", stage, fraction)


@dataclass(frozen=True)
class RenderOptions:
    bitrate_kbps: int = 96
    quality: int = 7                       # LAME's; 7 over 5 on the evidence in docs/benchmarks.md
    target_lufs: float = -16.0
    ceiling_dbtp: float = -1.0
    segment_seconds: float = 30.0
    allow_overlap: bool = False
    workers: int = 0                       # 0 = one per group (at most two per CPU core)
    cache_dir: str | None = None           # voice cache (default: tools.voices default)


@dataclass
class RenderResult:
    out_dir: str
    manifest: dict
    warnings: list = field(default_factory=list)


def _sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _synthesizer(score: Score, options: RenderOptions):
    from tools.voices import Synthesizer, VoiceCache, default_cache_dir, default_engines

    cache = VoiceCache(options.cache_dir or default_cache_dir())
    return Synthesizer(default_engines(), cache, score.sample_rate)


def _engine_versions(synth, score: Score) -> dict:
    used = {v.engine for v in score.voices.values()} | {"espeak", "piper"}
    out = {}
    for name in sorted(used):
        try:
            out[name] = synth.engine(name).engine_version()
        except Exception:  # noqa: BLE001 - an engine that is absent simply has no version
            out[name] = "absent"
    return out


_QUEUE = None  # the progress queue of a worker process (set by _init_worker)


def _init_worker(queue) -> None:
    global _QUEUE
    _QUEUE = queue


def _worker(job):
    return render_group(job, lambda stage, frac: _QUEUE.put((job.group.group.id, stage, frac)))


def _start_workers_early() -> None:
    """Start the fork server now: it imports the renderer while this process synthesizes speech."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _context():
    """Worker processes are forked from a fork server that has already imported the renderer:
    starting one costs milliseconds, not the second of imports a spawned interpreter pays, and,
    unlike a plain fork, nothing of the parent (its TTS engines and their threads) is inherited."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tools.render.group"])
    return ctx


class BundleDirError(AudioError):
    """The output directory exists and is not a flashmob bundle: never overwritten."""


def check_output_dir(out_dir: str) -> None:
    """Refuse to replace a directory that is neither empty nor a bundle."""
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise BundleDirError(f"{out_dir} exists and is not a directory")
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        try:
            with open(os.path.join(out_dir, "manifest.json"), encoding="utf-8") as fh:
                ok = json.load(fh).get("format") == "flashmob-bundle"
        except (OSError, ValueError, AttributeError):
            ok = False
        if not ok:
            raise BundleDirError(f"{out_dir} is not empty and holds no flashmob bundle: choose another "
                                 "output directory (flashmob only replaces its own bundles)")


def _replace_bundle(partial: str, out_dir: str) -> None:
    """Swap the new bundle in; the conductor's state files (dot-files) are kept."""
    if os.path.isdir(out_dir):
        for name in os.listdir(out_dir):
            if name.startswith(".flashmob-conductor"):
                os.replace(os.path.join(out_dir, name), os.path.join(partial, name))
        shutil.rmtree(out_dir)
    os.replace(partial, out_dir)


def render_bundle(score_path: str, out_dir: str, options: RenderOptions = RenderOptions(),
                  progress: Progress = lambda who, stage, frac: None) -> RenderResult:
    """Render ``score_path`` into the bundle directory ``out_dir``.

    Raises ScoreError for score problems (including speech overruns) and
    ``tools.audio_errors.AudioError`` subclasses for audio failures.
    """
    check_output_dir(out_dir)
    diags = Diagnostics()
    score = load_score(score_path, diags)
    if options.workers != 1 and len(score.groups) > 1:
        _start_workers_early()
    asset_paths = {a.id: os.path.join(score.base_dir, a.path) for a in score.assets.values()}
    assets = AssetBank(asset_paths, score.sample_rate)
    asset_us = {}
    for aid in asset_paths:
        asset_us[aid] = assets.duration_us(aid)
    first = compile_score(score, RealDurations.__mro__[1](asset_us), diags)
    synth = _synthesizer(score, options)
    work = tempfile.mkdtemp(prefix="flashmob-render-")
    try:
        bank = SpeechBank.create(score, synth, os.path.join(work, "speech"))
        bank.synthesize_all(first, lambda i, n: progress("speech", f"{i}/{n} lines", i / max(n, 1)))
        real = compile_score(score, RealDurations(bank, asset_us), Diagnostics())
        bank.synthesize_all(real)  # countdown numbers / lines moved by the real durations
        overruns = find_overruns(real)
        if overruns and not options.allow_overlap:
            raise ScoreError([o.diagnostic() for o in overruns])
        diags.items.extend(o.diagnostic("warning") for o in overruns)
        return _render_groups(score, real, bank, asset_paths, out_dir, options, synth, diags, progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _render_groups(score, timeline, bank, asset_paths, out_dir, options, synth, diags, progress) -> RenderResult:
    encode = EncodeSettings(sample_rate=score.sample_rate, channels=1, bitrate_kbps=options.bitrate_kbps,
                            quality=options.quality).validate()
    loud = LoudnessSettings(target_lufs=options.target_lufs, ceiling_dbtp=options.ceiling_dbtp).validate()
    settings = {"encoding": {"codec": "mp3", "bitrate_kbps": encode.bitrate_kbps, "channels": 1,
                             "quality": encode.quality},
                "loudness": {"target_lufs": loud.target_lufs, "ceiling_dbtp": loud.ceiling_dbtp},
                "segment_seconds": options.segment_seconds,
                "engines": _engine_versions(synth, score), "flashmob": __version__}
    with open(score.file, "rb") as fh:
        score_bytes = fh.read()
    sid = show_id(score_bytes, {k: _sha256_file(p) for k, p in sorted(asset_paths.items())}, settings)
    partial = out_dir.rstrip("/") + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    duration_ms = timeline.duration_us // 1000
    jobs = []
    for gt in timeline.groups:
        g = gt.group
        spans = caption_spans(gt, duration_ms)
        tags = Mp3Tags(score.title, g.name, score.organizer.name if score.organizer else None, score.language,
                       sid, g.id, cover_png(score.title, g.name, g.colour), chapters_from_spans(spans, duration_ms))
        speech = {e.id: bank.path(e.text, e.voice, e.clip) for e in gt.events if e.kind == "say"}
        jobs.append(GroupJob(gt, timeline.duration, timeline.sample_rate, partial, score.title, speech,
                             asset_paths, encode, loud, options.segment_seconds, tags))
    # Each group is a pipeline (this process mixes, an ffmpeg process encodes): one worker per group
    # keeps every core busy to the end (3 groups on 2 cores finish together instead of 2 + 1).
    workers = options.workers or min(len(jobs), 2 * (os.cpu_count() or 1))
    facts = {}
    if workers <= 1:
        for job in jobs:
            f = render_group(job, lambda stage, frac, gid=job.group.group.id: progress(gid, stage, frac))
            facts[f.group_id] = f
    else:
        ctx = _context()
        queue = ctx.Queue()

        def drain():
            while True:
                try:
                    progress(*queue.get_nowait())
                except Empty:
                    return

        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                 initargs=(queue,)) as pool:
            futures = [pool.submit(_worker, job) for job in jobs]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=0.1)
                drain()
            for fut in futures:
                f = fut.result()
                facts[f.group_id] = f
        drain()
        queue.close()
    manifest = build_manifest(score, timeline, facts, sid,
                              {gt.group.id: silences(gt, duration_ms) for gt in timeline.groups}, settings)
    with open(os.path.join(partial, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    _replace_bundle(partial, out_dir)
    return RenderResult(out_dir, manifest, diags.warnings)
