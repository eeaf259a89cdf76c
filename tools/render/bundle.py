"""Score -> show bundle (docs/bundle-format.md): the renderer's orchestration.

Steps: read and compile the score; synthesize every line (shared by groups,
cached); recompile with the real speech and asset durations; refuse speech
overruns (unless allowed); render the groups in parallel worker processes;
write captions, covers and ``manifest.json`` last (so a bundle with a
manifest is complete).

The output is never half-written: files go to a hidden temporary folder
beside ``DIR`` (``.DIR.partial-PID-xxxx``), swapped with ``DIR`` in one
atomic ``renameat2(RENAME_EXCHANGE)`` when complete (two renames where the
kernel lacks it); a previous bundle stays intact until then. Any failure or
Ctrl-C removes the temporary folder; worker processes (each the leader of
its own process group, with its ffmpeg encoder inside) are killed at once.
Temporary folders left by a killed render are removed by the next one.

Rendering is deterministic: the same score, assets and settings give a
byte-identical bundle.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import multiprocessing
import os
import select
import shutil
import signal
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, wait
from queue import Empty
from dataclasses import dataclass, field
from typing import Callable

from tools import __version__
from tools.audio_errors import AudioError
from tools.encode import EncodeSettings
from tools.loudness import LoudnessSettings
from tools.probe import probe_assets
from tools.score import Diagnostics, EstimatedDurations, ScoreError, compile_score, load_score
from tools.score.limits import speech_fit_errors
from tools.score.model import Score

from .cover import cover_png
from .estimate import RenderPlan, plan_of
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
    quality: int = 5
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


def _init_worker(queue, parent_pid: int) -> None:
    """A worker leads its own process group (its ffmpeg joins it) so the parent can kill both at once;
    it ignores SIGINT (the parent alone handles Ctrl-C) and kills its group when the parent dies, for
    the workers the parent could not know of (one being started as Ctrl-C arrived)."""
    global _QUEUE
    _QUEUE = queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.setpgid(0, 0)
    threading.Thread(target=_die_with, args=(parent_pid,), daemon=True, name="die-with-parent").start()


def _die_with(pid: int) -> None:
    """Block until process ``pid`` exits (a pidfd: exact, no polling), then kill this process group."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        fd = None
    except (OSError, AttributeError):  # no pidfd (old kernel): poll
        while _pid_alive(pid):
            time.sleep(0.2)
        fd = None
    if fd is not None:
        select.select([fd], [], [])
    os.killpg(0, signal.SIGKILL)


def _worker(job):
    return render_group(job, lambda stage, frac: _QUEUE.put((job.group.group.id, stage, frac)))


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Kill every worker process and its ffmpeg at once (each worker leads its own process group)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):  # not yet its own group leader: kill it alone
            try:
                proc.kill()
            except Exception:  # noqa: BLE001 - already gone
                pass


def stop_fork_server() -> None:
    """Kill the fork server this process started, if any (after Ctrl-C: it may be busy importing the
    renderer for a second or two before it would notice that this process is gone)."""
    from multiprocessing import forkserver

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


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


_PARTIAL = ".{name}.partial-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _partial_dir(out_dir: str) -> str:
    """A fresh hidden folder beside ``out_dir`` (same file system, so the final rename is atomic);
    folders of earlier renders whose process is gone are removed first."""
    parent, name = os.path.split(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    prefix = _PARTIAL.format(name=name)
    for entry in os.listdir(parent):
        if entry.startswith(prefix):
            pid = entry[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)
    path = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent)
    mask = os.umask(0o022)
    os.umask(mask)
    os.chmod(path, 0o777 & ~mask)   # mkdtemp makes it private; a bundle is readable like any folder made here
    return path


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: str, b: str) -> bool:
    """Atomically swap two paths (Linux renameat2); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def _replace_bundle(partial: str, out_dir: str) -> None:
    """Swap the complete new bundle in; the conductor's state files (dot-files) are kept."""
    if not os.path.isdir(out_dir):
        os.replace(partial, out_dir)
        return
    for name in os.listdir(out_dir):
        if name.startswith(".flashmob-conductor"):
            shutil.copy2(os.path.join(out_dir, name), os.path.join(partial, name))
    if not _exchange(partial, out_dir):
        old = partial + "-old"
        os.replace(out_dir, old)
        os.replace(partial, out_dir)
        partial = old
    shutil.rmtree(partial, ignore_errors=True)   # the previous bundle


def render_bundle(score_path: str, out_dir: str, options: RenderOptions = RenderOptions(),
                  progress: Progress = lambda who, stage, frac: None,
                  announce: Callable[[RenderPlan], None] = lambda plan: None) -> RenderResult:
    """Render ``score_path`` into the bundle directory ``out_dir``.

    Raises ScoreError for score problems (including unreadable assets, lines
    that cannot fit their slot and speech overruns) and
    ``tools.audio_errors.AudioError`` subclasses for audio failures; on any
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
    first = compile_score(score, EstimatedDurations(asset_us), diags)
    fit = speech_fit_errors(first, options.allow_overlap)
    if fit:
        raise ScoreError(diags.items + fit)
    announce(plan_of(first, os.cpu_count() or 1))
    if options.workers != 1 and len(score.groups) > 1:
        _start_workers_early()
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
    partial = _partial_dir(out_dir)
    try:
        return _render_into(partial, score, timeline, bank, asset_paths, out_dir, options, settings, sid,
                            diags, progress, encode, loud)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _render_into(partial, score, timeline, bank, asset_paths, out_dir, options, settings, sid, diags, progress,
                 encode, loud) -> RenderResult:
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

        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(queue, os.getpid()))
        try:
            futures = [pool.submit(_worker, job) for job in jobs]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=0.1)
                drain()
            for fut in futures:
                f = fut.result()
                facts[f.group_id] = f
        except BaseException:
            _kill_workers(pool)
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        drain()
        queue.close()
    manifest = build_manifest(score, timeline, facts, sid,
                              {gt.group.id: silences(gt, duration_ms) for gt in timeline.groups}, settings)
    with open(os.path.join(partial, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    _replace_bundle(partial, out_dir)
    return RenderResult(out_dir, manifest, diags.warnings)
