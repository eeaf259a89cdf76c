"""Rendering one group: mix -> loudness -> full MP3 + segments (a worker's job).

:func:`render_group` is what each worker process runs. Its inputs are plain
data (:class:`GroupJob`, picklable); speech clips arrive as ``.npy`` files
already synthesized by the parent, so workers never load a TTS model.
Progress is reported through a callback ``progress(stage, fraction)``.

Files written (relative to the bundle root), all content-determined:
``<gid>/<slug>-<gid>.mp3`` (tagged), ``<gid>/seg/<index>-<sha12>.mp3``,
``<gid>/captions.vtt``, ``<gid>/cover.png``.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np

from tools.encode import EncodeSettings, encode_mp3
from tools.loudness import LoudnessSettings, normalize_loudness
from tools.segments import encode_segment, plan_segments
from tools.score.timeline import GroupTimeline

from .assets import AssetBank, builtin_beep
from .captions import webvtt
from .manifest import FileFact, GroupFacts, SegmentFact
from .mix import GroupMixer, Sources
from .tags import Mp3Tags, write_tags

MIX_CHUNK_S = 30


def slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:40] or "show"


@dataclass(frozen=True)
class GroupJob:
    group: GroupTimeline
    duration: int                      # samples
    sample_rate: int
    bundle_dir: str
    title: str
    speech_files: dict[str, str]       # say event id -> .npy clip
    asset_paths: dict[str, str]        # asset id -> absolute path
    encode: EncodeSettings
    loudness: LoudnessSettings
    segment_seconds: float
    tags: Mp3Tags


def _write(root: str, rel: str, data: bytes) -> FileFact:
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
    return FileFact(rel, len(data), hashlib.sha256(data).hexdigest())


def mix_group(job: GroupJob, progress: Callable[[str, float], None]) -> np.ndarray:
    """The group's whole mix (mono float32), built chunk by chunk."""
    bank = AssetBank(job.asset_paths, job.sample_rate)
    beep = builtin_beep(job.sample_rate)
    sources = Sources(speech=lambda ev: np.load(job.speech_files[ev.id], mmap_mode="r"),
                      asset=bank, beep=lambda: beep)
    mixer = GroupMixer(job.group, job.duration, job.sample_rate, sources)
    out = np.empty(job.duration, dtype=np.float32)
    step = MIX_CHUNK_S * job.sample_rate
    for a in range(0, job.duration, step):
        out[a:a + step] = mixer.render(a, a + step)
        progress("mixing", min(1.0, (a + step) / job.duration))
    return out


def render_group(job: GroupJob, progress: Callable[[str, float], None] = lambda s, f: None) -> GroupFacts:
    gid = job.group.group.id
    pcm = mix_group(job, progress)
    progress("loudness", 0.0)
    pcm, report = normalize_loudness(pcm, job.sample_rate, job.loudness, out=pcm)
    progress("loudness", 1.0)
    segments = plan_segments(job.duration, job.sample_rate, job.segment_seconds)
    done = [0]

    def one(seg):
        enc = encode_segment(pcm, seg, job.encode)
        done[0] += 1
        progress("encoding", done[0] / (len(segments) + 1))
        return enc

    with ThreadPoolExecutor(max_workers=2) as pool:
        full = pool.submit(encode_mp3, pcm, job.encode)
        encoded = list(pool.map(one, segments))
        mp3 = full.result()
    seg_facts = []
    for enc in encoded:
        rel = f"{gid}/seg/{enc.segment.index:04d}-{enc.sha256[:12]}.mp3"
        _write(job.bundle_dir, rel, enc.mp3)
        seg_facts.append(SegmentFact(rel, enc.segment.start, enc.segment.samples, len(enc.mp3), enc.sha256,
                                     enc.encoder_delay, enc.padding))
    rel = f"{gid}/{slug(job.title)}-{gid}.mp3"
    path = os.path.join(job.bundle_dir, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(mp3)
    write_tags(path, job.tags)
    with open(path, "rb") as fh:
        tagged = fh.read()
    mp3_fact = FileFact(rel, len(tagged), hashlib.sha256(tagged).hexdigest())
    duration_ms = job.duration * 1000 // job.sample_rate
    _write(job.bundle_dir, f"{gid}/captions.vtt", webvtt(job.group, duration_ms, job.title).encode("utf-8"))
    if job.tags.cover_png:
        _write(job.bundle_dir, f"{gid}/cover.png", job.tags.cover_png)
    progress("done", 1.0)
    return GroupFacts(gid, mp3_fact, tuple(seg_facts), f"{gid}/captions.vtt", f"{gid}/cover.png",
                      report.output_lufs, report.output_true_peak_dbtp)
