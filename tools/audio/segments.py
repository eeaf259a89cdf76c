"""Cut a timeline into short, independently decodable gapless MP3 segments.

A phone cannot decode a 60-minute show into one Web Audio buffer, so web
playback fetches and decodes short segments and schedules them back to back.
Contract: for the segments of :func:`plan_segments`, decoding every segment
(with a decoder that honours the LAME tag) and concatenating the results in
order gives exactly ``total_samples`` samples, each at its timeline index.
Two ways to make them:

* :func:`tools.audio.mp3cut.cut_segments` (what the renderer uses): segments
  made of the full MP3's own frames, so the show is encoded once. A segment
  decodes to exactly the full MP3's samples ``[start, stop)`` (ffmpeg:
  bit-identical; mpg123: to the last float32 bit) — no codec start/stop
  artefacts at the joins. Its encoder delay is 576 for the first segment and
  up to 4095 for the others (the decoder warm-up it must drop, see
  :func:`tools.audio.mp3cut.cut_segment`).
* :func:`encode_segments`: every segment encoded on its own (encoder delay
  576). The few milliseconds at each boundary carry the codec's start/stop
  artefacts, well below audibility at 128 kb/s. Used for segments that cannot
  be cut (below ~80 kb/s).

Each :class:`EncodedSegment` also carries ``encoder_delay`` and ``padding``
from its LAME tag, so a player whose decoder ignores the tag can trim the
``encoder_delay + 529`` leading samples and keep ``samples`` of them.

This module plans the segments, describes them and encodes them on their
own; the frame surgery that cuts them is :mod:`tools.audio.mp3cut`.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .encode import MIN_SAMPLES, EncodeError, EncodeSettings, encode_mp3
from .mp3info import read_gapless_info

DEFAULT_MAX_SECONDS = 30.0


@dataclass(frozen=True)
class Segment:
    """Samples ``[start, stop)`` of the timeline."""

    index: int
    start: int
    stop: int

    @property
    def samples(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class EncodedSegment:
    """One segment's MP3 and the facts a bundle manifest needs about it."""

    segment: Segment
    mp3: bytes
    sha256: str
    encoder_delay: int
    padding: int

    def manifest_entry(self) -> dict:
        """JSON-ready description: position, length, checksum and gapless counts."""
        s = self.segment
        return {
            "index": s.index,
            "start": s.start,
            "samples": s.samples,
            "bytes": len(self.mp3),
            "sha256": self.sha256,
            "encoder_delay": self.encoder_delay,
            "padding": self.padding,
        }


def plan_segments(total_samples: int, sample_rate: int, max_seconds: float = DEFAULT_MAX_SECONDS) -> list[Segment]:
    """Split ``total_samples`` into the fewest near-equal segments of at most ``max_seconds``.

    Segments are contiguous, in order, cover ``[0, total_samples)`` exactly,
    and differ in length by at most one sample — so there is never a tiny
    last segment (every segment is at least half of ``max_seconds`` unless
    the whole timeline is shorter). Raises :class:`EncodeError` when a
    segment would be shorter than one MP3 frame.
    """
    if isinstance(total_samples, bool) or not isinstance(total_samples, (int, np.integer)) or total_samples < MIN_SAMPLES:
        raise EncodeError(f"a timeline to segment needs at least {MIN_SAMPLES} samples; got {total_samples!r}")
    limit = int(max_seconds * sample_rate)
    if limit < MIN_SAMPLES:
        raise EncodeError(f"segments of {max_seconds} s are shorter than one MP3 frame")
    count = -(-int(total_samples) // limit)
    bounds = [i * int(total_samples) // count for i in range(count + 1)]
    return [Segment(i, bounds[i], bounds[i + 1]) for i in range(count)]


def encode_segment(pcm: np.ndarray, segment: Segment, settings: EncodeSettings = EncodeSettings(),
                   *, encode: Callable[..., bytes] = encode_mp3) -> EncodedSegment:
    """Encode ``pcm[segment.start:segment.stop]`` as its own gapless MP3."""
    if not 0 <= segment.start < segment.stop <= len(pcm):
        raise EncodeError(f"segment {segment.index} [{segment.start}, {segment.stop}) is outside the audio (length {len(pcm)})")
    mp3 = encode(pcm[segment.start : segment.stop], settings)
    info = read_gapless_info(mp3)
    if info.samples != segment.samples:
        raise EncodeError(f"segment {segment.index}: MP3 holds {info.samples} samples, expected {segment.samples}")
    return EncodedSegment(segment, mp3, hashlib.sha256(mp3).hexdigest(), info.encoder_delay, info.padding)


def encode_segments(
    pcm: np.ndarray,
    segments: list[Segment],
    settings: EncodeSettings = EncodeSettings(),
    *,
    max_workers: int | None = None,
    encode: Callable[..., bytes] = encode_mp3,
) -> list[EncodedSegment]:
    """Encode every segment (in parallel: each encode is an ffmpeg process), in order."""
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(lambda s: encode_segment(pcm, s, settings, encode=encode), segments))
