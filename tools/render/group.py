"""Rendering one group: mix -> loudness -> full MP3 + segments (a worker's job).

:func:`render_group` is what each worker process runs. Its inputs are plain
data (:class:`GroupJob`, picklable); speech clips arrive as ``.npy`` files
already synthesized by the parent, so workers never load a TTS model.
Progress is reported through a callback ``progress(stage, fraction)``.

The show is never held in memory: the mixer renders any range on demand, so

1. pass 1 mixes the show chunk by chunk into a loudness meter and a table of
   block peaks (:class:`tools.audio.normalize.LoudnessScan`);
2. the loudness plan (gain, and the limiter's gains where peaks come near the
   ceiling) is made by mixing again only the places that need it;
3. pass 2 mixes the show again chunk by chunk, applies the plan and streams
   it into the MP3 encoder (:class:`tools.audio.encode.Mp3Writer`; ffmpeg encodes
   on one core while this process mixes on the other); the MP3 is decoded and
   measured, and where the codec raised a true peak over the ceiling the PCM
   is lowered there and encoded again (:func:`tools.audio.codec_check.encode_checked`).
   The plan limits the PCM below the ceiling by the codec's measured headroom
   so that this is rare; the manifest's loudness numbers are the decoded MP3's;
4. the segments are cut from the full MP3's own frames
   (:func:`tools.audio.mp3cut.cut_segments`) — one encode, not two. A segment that
   cannot be cut (bitrates too low for the tag's 12-bit delay) is mixed again
   and encoded on its own.

Mixing costs about 1 s per hour of show, so mixing twice is far cheaper
than holding the show (635 MB per hour as float32).

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
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from flashmob.tools.audio.codec_check import codec_headroom_db, encode_checked
from flashmob.tools.audio.encode import EncodeSettings
from flashmob.tools.audio.normalize import LoudnessScan, LoudnessSettings
from flashmob.tools.audio.mp3cut import iter_cut_segments
from flashmob.tools.audio.segments import EncodedSegment, Segment, encode_segment, plan_segments
from flashmob.tools.score.timeline import GroupTimeline

from .assets import AssetBank, builtin_beep
from .captions import webvtt
from .manifest import FileFact, GroupFacts, SegmentFact
from .mix import GroupMixer, Sources
from .tags import Mp3Tags, write_tags

MIX_CHUNK = 1 << 20
"""Frames mixed at a time (23.8 s at 44.1 kHz; a multiple of the 64-frame peak blocks)."""


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


def group_mixer(job: GroupJob) -> GroupMixer:
    """The group's mixer (renders any range of the show, mono float32)."""
    bank = AssetBank(job.asset_paths, job.sample_rate)
    beep = builtin_beep(job.sample_rate)
    sources = Sources(speech=lambda ev: np.load(job.speech_files[ev.id], mmap_mode="r"),
                      asset=bank, beep=lambda: beep)
    return GroupMixer(job.group, job.duration, job.sample_rate, sources)


def mix_group(job: GroupJob, progress: Callable[[str, float], None] = lambda s, f: None) -> np.ndarray:
    """The group's whole mix (mono float32), built chunk by chunk (for tests and tools; the
    renderer itself never holds the whole show)."""
    mixer = group_mixer(job)
    out = np.empty(job.duration, dtype=np.float32)
    for a in range(0, job.duration, MIX_CHUNK):
        out[a:a + MIX_CHUNK] = mixer.render(a, a + MIX_CHUNK)
        progress("mixing", min(1.0, (a + MIX_CHUNK) / job.duration))
    return out


def render_group(job: GroupJob, progress: Callable[[str, float], None] = lambda s, f: None) -> GroupFacts:
    gid, n = job.group.group.id, job.duration
    mixer = group_mixer(job)
    scan = LoudnessScan(job.sample_rate)
    for a in range(0, n, MIX_CHUNK):                       # pass 1: measure
        scan.push(mixer.render(a, a + MIX_CHUNK))
        progress("mixing", min(1.0, (a + MIX_CHUNK) / n))
    progress("loudness", 0.0)
    plan = scan.plan(mixer.render, pcm_loudness(job.loudness, job.encode))
    del scan
    progress("loudness", 1.0)
    checked = encode_checked(mixer.render, n, plan, job.encode, job.loudness.ceiling_dbtp,   # pass 2
                             limiter=job.loudness.limiter_settings(), chunk=MIX_CHUNK,
                             progress=lambda f: progress("encoding", f * 0.95))
    mp3, plan, decoded = checked.mp3, checked.plan, checked.decoded

    def normalized(a: int, b: int) -> np.ndarray:
        return plan.apply(mixer.render(a, b), a)
    segments = plan_segments(n, job.sample_rate, job.segment_seconds)
    facts: dict[int, SegmentFact] = {}
    missing = []
    for seg, enc in zip(segments, iter_cut_segments(mp3, segments)):   # written one at a time
        if enc is None:
            missing.append(seg)
        else:
            facts[seg.index] = _write_segment(job.bundle_dir, gid, enc)
    if missing:                                            # encoded on their own, two at a time
        with ThreadPoolExecutor(max_workers=2) as pool:
            for seg, enc in zip(missing, pool.map(
                    lambda s: encode_segment(normalized(s.start, s.stop), Segment(s.index, 0, s.samples),
                                             job.encode), missing)):
                facts[seg.index] = _write_segment(job.bundle_dir, gid, _placed(enc, seg))
    del plan
    seg_facts = [facts[s.index] for s in segments]
    rel = f"{gid}/{slug(job.title)}-{gid}.mp3"
    path = os.path.join(job.bundle_dir, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(mp3)
    del mp3
    write_tags(path, job.tags)
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    mp3_fact = FileFact(rel, size, h.hexdigest())
    duration_ms = job.duration * 1000 // job.sample_rate
    _write(job.bundle_dir, f"{gid}/captions.vtt", webvtt(job.group, duration_ms, job.title,
                                                              numbered=job.tags.surprise).encode("utf-8"))
    if job.tags.cover_png:
        _write(job.bundle_dir, f"{gid}/cover.png", job.tags.cover_png)
    progress("done", 1.0)
    return GroupFacts(gid, mp3_fact, tuple(seg_facts), f"{gid}/captions.vtt", f"{gid}/cover.png",
                      decoded.integrated_lufs, decoded.true_peak_dbtp)


def pcm_loudness(loudness: LoudnessSettings, encode: EncodeSettings) -> LoudnessSettings:
    """What the PCM is normalized to so that the decoded MP3 meets ``loudness``: the ceiling
    lowered by the codec's headroom (:func:`tools.audio.codec_check.codec_headroom_db`), half the
    loudness tolerance (the other half is for the codec and for other meters)."""
    return replace(loudness, ceiling_dbtp=loudness.ceiling_dbtp - codec_headroom_db(encode),
                   tolerance_lu=loudness.tolerance_lu / 2)


def _write_segment(root: str, gid: str, enc: EncodedSegment) -> SegmentFact:
    rel = f"{gid}/seg/{enc.segment.index:04d}-{enc.sha256[:12]}.mp3"
    _write(root, rel, enc.mp3)
    return SegmentFact(rel, enc.segment.start, enc.segment.samples, len(enc.mp3), enc.sha256,
                       enc.encoder_delay, enc.padding)


def _placed(enc: EncodedSegment, segment: Segment) -> EncodedSegment:
    """A segment encoded from its own samples, described at its place in the timeline."""
    return EncodedSegment(segment, enc.mp3, enc.sha256, enc.encoder_delay, enc.padding)
