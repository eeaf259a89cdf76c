"""Score -> show bundle (docs/bundle-format.md): the renderer's orchestration.

Steps: read and compile the score; synthesize every line (shared by groups,
cached); recompile with the real speech and asset durations; refuse speech
overruns (unless allowed); render the groups in parallel worker processes;
write captions, covers and ``manifest.json`` last (so a bundle with a
manifest is complete).

The output is never half-written (:mod:`tools.render.outdir`): files go to
a hidden folder beside ``DIR``, swapped with ``DIR`` in one atomic rename
when complete; any failure or Ctrl-C removes that folder, and the worker
processes (:mod:`tools.render.workers`) are killed at once.

Rendering is deterministic: the same score, assets and settings give a
byte-identical bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Callable

from flashmob.contract.duration import samples_to_ms
from flashmob.contract.safety import SAFETY_FILE, safety_json
from flashmob.contract.signups import SIGNUP_FILE, settings_json
from flashmob.tools import __version__
from flashmob.tools.audio.errors import AudioError
from flashmob.tools.audio.encode import EncodeSettings
from flashmob.tools.audio.normalize import LoudnessSettings
from flashmob.tools.render.asset_probe import probe_assets
from flashmob.tools.score import Diagnostics, EstimatedDurations, ScoreError, compile_score, load_score
from flashmob.tools.score.limits import speech_fit_errors
from flashmob.tools.score.model import Score

from .captions import caption_spans
from .cover import cover_png, surprise_cover_png
from .estimate import RenderPlan, plan_of
from .group import GroupJob
from .manifest import build_manifest, safety_record, show_id, signup_record
from .outdir import BundleDirError, check_output_dir, partial_dir, replace_bundle  # noqa: F401 (re-exported)
from .overruns import find_overruns
from .silences import silences
from .speech import RealDurations, SpeechBank
from .tags import Mp3Tags, chapters_from_spans
from .workers import run_jobs, start_workers_early

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
    from flashmob.tools.voices import Synthesizer, VoiceCache, default_cache_dir, default_engines

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


def render_bundle(score_path: str, out_dir: str, options: RenderOptions = RenderOptions(),
                  progress: Progress = lambda who, stage, frac: None,
                  announce: Callable[[RenderPlan], None] = lambda plan: None) -> RenderResult:
    """Render ``score_path`` into the bundle directory ``out_dir``.

    Raises ScoreError for score problems (including unreadable assets, lines
    that cannot fit their slot and speech overruns) and
    ``tools.audio.errors.AudioError`` subclasses for audio failures; on any
    exception (KeyboardInterrupt included) nothing is left behind and a
    previous bundle in ``out_dir`` is untouched. ``announce`` receives what
    will be made, after the checks and before any synthesis or mixing.
    """
    check_output_dir(out_dir)
    diags = Diagnostics()
    score = load_score(score_path, diags)
    probed = probe_assets(score)
    diags.items.extend(probed.diagnostics)
    asset_us = probed.durations_us
    first = compile_score(score, EstimatedDurations(asset_us, probed.clip_durations_us), diags)
    fit = speech_fit_errors(first, options.allow_overlap)
    if fit:
        raise ScoreError(diags.items + fit)
    announce(plan_of(first, os.cpu_count() or 1))
    if options.workers != 1 and len(score.groups) > 1:
        start_workers_early()
    asset_paths = {a.id: os.path.join(score.base_dir, a.path) for a in score.assets.values()}
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
    partial = partial_dir(out_dir)
    try:
        return _render_into(partial, score, timeline, bank, asset_paths, out_dir, options, settings, sid,
                            diags, progress, encode, loud)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _render_into(partial, score, timeline, bank, asset_paths, out_dir, options, settings, sid, diags, progress,
                 encode, loud) -> RenderResult:
    duration_ms = samples_to_ms(timeline.duration, timeline.sample_rate)  # the contract's duration rule
    jobs = []
    for gt in timeline.groups:
        g = gt.group
        spans = caption_spans(gt, duration_ms)
        surprise = score.surprise is not None  # nothing in the files names the group (docs/score-format.md)
        cover = surprise_cover_png(score.title) if surprise else cover_png(score.title, g.name, g.colour)
        tags = Mp3Tags(score.title, g.name, score.organizer.name if score.organizer else None, score.language,
                       sid, g.id, cover, chapters_from_spans(spans, duration_ms), surprise=surprise)
        speech = {e.id: bank.path(e.text, e.voice, e.clip) for e in gt.events if e.kind == "say"}
        jobs.append(GroupJob(gt, timeline.duration, timeline.sample_rate, partial, score.title, speech,
                             asset_paths, encode, loud, options.segment_seconds, tags))
    # Each group is a pipeline (this process mixes, an ffmpeg process encodes): one worker per group
    # keeps every core busy to the end (3 groups on 2 cores finish together instead of 2 + 1).
    workers = options.workers or min(len(jobs), 2 * (os.cpu_count() or 1))
    facts = run_jobs(jobs, workers, progress)
    manifest = build_manifest(score, timeline, facts, sid,
                              {gt.group.id: silences(gt, duration_ms) for gt in timeline.groups}, settings)
    with open(os.path.join(partial, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    if score.safety is not None:  # organizer-only: a dot-file, never served (contract/safety.py)
        with open(os.path.join(partial, SAFETY_FILE), "w", encoding="utf-8") as fh:
            json.dump(safety_json(safety_record(score.safety)), fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    if score.signups is not None:  # read by the conductor, served through /api/signup (contract/signups.py)
        with open(os.path.join(partial, SIGNUP_FILE), "w", encoding="utf-8") as fh:
            json.dump(settings_json(signup_record(score.signups)), fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    replace_bundle(partial, out_dir)
    return RenderResult(out_dir, manifest, diags.warnings)
