"""The MP3 as a listener's decoder plays it: measured after decoding, its raised peaks put right.

MP3 coding adds noise, and where the signal's true peak is near the ceiling
the decoded waveform can go above it: measured on the renderer's content, by
up to 0.27 dB at 96 kb/s and quality 7, 0.58 dB at quality 5, 1.2-2.1 dB at
32 kb/s, 0.01-0.06 dB from 192 kb/s up (bench/codec_headroom.py,
docs/benchmarks.md "Codec headroom"). So a normalized track is encoded and
checked like this (:func:`encode_checked`):

1. the loudness plan limits the PCM to the ceiling minus the codec's
   headroom for the settings (:func:`codec_headroom_db`, measured), so that
   most decoded peaks stay under the ceiling;
2. the MP3 is decoded (libmpg123, the decoder of the ``soundfile`` wheel)
   and measured in one streaming pass (:class:`DecodedMeter`): integrated
   loudness (BS.1770, :class:`tools.audio.meter.LoudnessMeter`), true peak
   (4x oversampling, :mod:`tools.audio.truepeak`) and every frame whose true-peak
   envelope is above the ceiling minus :data:`METER_MARGIN_DB`;
3. if there are such frames, the PCM's gain is lowered only around them
   (:func:`correction_stage`: the excess plus :data:`CORRECTION_MARGIN_DB`,
   held over one MPEG-1 frame each side, with the limiter's look-ahead and
   release) and the track is encoded and checked again, at most
   :data:`MAX_ENCODES` encodes in all.

The numbers returned are those of the decoded MP3 (what the manifest
states), whatever the outcome. The loudness of the track is not changed by
the codec once LAME's output scale is undone (:func:`tools.audio.encode.lame_scale`):
measured, decoded and PCM agree within 0.01 LU.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .encode import EncodeError, EncodeSettings, Mp3Writer
from .limiter import GainSmoother, GainSpan, LimiterSettings
from .meter import LoudnessMeter
from .normalize import LoudnessPlan, LoudnessStage
from .truepeak import AFTER, BEFORE, _dilated, block_runs, l1_gain, peak_envelope

CODEC_HEADROOM_DB = {32: (2.7, 2.1), 40: (2.8, 1.5), 48: (2.4, 1.2), 56: (2.1, 1.4), 64: (2.2, 1.2),
                     80: (1.2, 1.2), 96: (1.2, 0.9), 112: (1.0, 0.7), 128: (0.7, 0.8), 160: (0.6, 0.4),
                     192: (0.3, 0.3), 224: (0.2, 0.2), 256: (0.2, 0.2), 320: (0.2, 0.2)}
"""dB below the ceiling the PCM is limited to, per bitrate (kb/s): ``(LAME quality 0-6, 7-9)``.
From ``python -m bench.codec_headroom`` (docs/benchmarks.md, "Decoded loudness and true
peak"): ``r``, the largest rise of the decoded true peak over the PCM's on the render
benchmark's show (espeak speech, gongs, music bed; 3 groups x 5 min) at qualities 2 and 5
(first column) or 7, and 9 at 32-128 kb/s (second); qualities 0, 1, 3, 4, 6, 8 unmeasured.
An hour has more peaks, so a larger largest rise: measured over 60 minutes at q7 it is
``min(2.7 r, r + 0.45)`` at most (64, 96 and 128 kb/s: 1.06, 0.72, 0.28 dB against 0.64,
0.27, 0.13 over 5 minutes). Each entry is that plus 0.1 dB, rounded up to 0.1 dB. What a
show's content raises further, step 3 corrects."""

METER_MARGIN_DB = 0.02
"""Decoded true peaks are kept this far under the ceiling: another 4x interpolator (scipy's
``resample_poly``) reads 0.006 dB more than :mod:`tools.audio.truepeak` on the same decoded MP3."""

CORRECTION_MARGIN_DB = 0.3
"""A corrected spot is lowered this much more than its excess: the next encode's noise differs."""

SPREAD = 1152
"""Frames each side of a decoded overshoot where the PCM is lowered: one MPEG-1 frame (two
576-sample granules, whose overlapping transforms spread a sample's coding error)."""

MAX_ENCODES = 3

_CHUNK = 1 << 18


class CodecCheckError(EncodeError):
    """The encoded MP3 could not be decoded again."""


def codec_headroom_db(settings: EncodeSettings) -> float:
    """:data:`CODEC_HEADROOM_DB` for ``settings``' bitrate (the nearest measured one) and quality."""
    nearest = min(CODEC_HEADROOM_DB, key=lambda k: (abs(k - settings.bitrate_kbps), k))
    return CODEC_HEADROOM_DB[nearest][0 if settings.quality <= 6 else 1]


@dataclass(frozen=True)
class DecodedReport:
    """What decoding the MP3 gives: ``frames`` decoded, integrated loudness (LUFS), true peak
    (dBTP), and ``overshoots``: the frames whose true-peak envelope exceeds the check's
    limit, with the envelope's value there (linear)."""

    frames: int
    integrated_lufs: float
    true_peak_dbtp: float
    overshoot_frames: np.ndarray = field(repr=False)
    overshoot_values: np.ndarray = field(repr=False)


class DecodedMeter:
    """Streaming measure of decoded audio: :meth:`push` consecutive chunks, then :meth:`result`.

    ``limit`` (linear) is the level above which frames are reported as overshoots. The
    true-peak envelope is exact wherever it reaches ``limit`` or the largest value so far
    (:func:`tools.audio.truepeak.peak_envelope`'s ``floor``), so the true peak is exact.
    """

    def __init__(self, sample_rate: int, channels: int, limit: float):
        self.limit = float(limit)
        self.meter = LoudnessMeter(sample_rate, channels)
        self.frames = 0
        self._best = 0.0
        self._buf: np.ndarray | None = None  # BEFORE frames of context, then frames not yet enveloped
        self._done = 0  # frames whose envelope is computed
        self._over: list[np.ndarray] = []
        self._values: list[np.ndarray] = []

    def push(self, chunk: np.ndarray) -> None:
        x = np.asarray(chunk, np.float32)
        if self._buf is None:
            self._buf = np.zeros((BEFORE,) + x.shape[1:], np.float32)
        self.meter.push(x)
        self.frames += x.shape[0]
        self._envelope(np.concatenate([self._buf, x]))

    def _envelope(self, buf: np.ndarray) -> None:
        """Envelope of the frames of ``buf`` that have their context. Only the 1024-frame blocks
        whose sample peak (with the neighbour blocks') times the interpolator's L1 gain reaches
        the floor are interpolated; nowhere else can the envelope reach it."""
        m = buf.shape[0] - BEFORE - AFTER
        if m <= 0:
            self._buf = buf
            return
        body = buf[BEFORE : BEFORE + m]
        self._best = max(self._best, float(body.max()), -float(body.min()))
        floor = min(self.limit, self._best)
        for b0, b1 in block_runs(_dilated(_block_peaks(buf)) * l1_gain() >= floor):
            r0, r1 = max(0, b0 * _COARSE - BEFORE), min(m, b1 * _COARSE - BEFORE)
            if r0 >= r1:
                continue
            env = peak_envelope(buf[r0 : r1 + BEFORE + AFTER], floor=floor)
            self._best = max(self._best, float(env.max()))
            over = np.flatnonzero(env > self.limit)
            if over.size:
                self._over.append(over + r0 + self._done)
                self._values.append(env[over])
        self._done += m
        self._buf = buf[m:]

    def result(self) -> DecodedReport:
        """The report; the audio is taken to end here (silence after it)."""
        if self._buf is not None:
            tail = np.zeros((AFTER,) + self._buf.shape[1:], np.float32)
            self._envelope(np.concatenate([self._buf, tail]))
        self._buf = None
        frames = np.concatenate(self._over) if self._over else np.zeros(0, np.int64)
        values = np.concatenate(self._values) if self._values else np.zeros(0, np.float32)
        tp = 20 * math.log10(self._best) if self._best > 0 else float("-inf")
        return DecodedReport(self.frames, self.meter.integrated(), tp, frames, values)


_COARSE = 1024


def _block_peaks(x: np.ndarray) -> np.ndarray:
    """Largest ``|x|`` of every :data:`_COARSE`-frame block (all channels; the last may be short),
    by two reductions and no temporary the size of ``x``."""
    whole = x.shape[0] // _COARSE * _COARSE
    axes = (1,) if x.ndim == 1 else (1, 2)
    blocks = x[:whole].reshape((-1, _COARSE) + x.shape[1:])
    out = np.maximum(blocks.max(axis=axes), -blocks.min(axis=axes))
    if whole < x.shape[0]:
        out = np.append(out, np.abs(x[whole:]).max())
    return out


def measure_mp3(mp3: bytes, settings: EncodeSettings, limit_dbtp: float) -> DecodedReport:
    """Decode ``mp3`` (libmpg123 through ``soundfile``, gapless) and measure it, in chunks."""
    import soundfile as sf

    meter = DecodedMeter(settings.sample_rate, settings.channels, 10 ** (limit_dbtp / 20))
    try:
        with sf.SoundFile(io.BytesIO(mp3)) as f:
            for block in f.blocks(blocksize=_CHUNK, dtype="float32", always_2d=settings.channels > 1):
                meter.push(block)
    except (RuntimeError, sf.LibsndfileError) as e:
        raise CodecCheckError(f"the MP3 just encoded cannot be decoded: {e}") from e
    return meter.result()


def correction_stage(report: DecodedReport, n: int, sample_rate: int, aim_dbtp: float,
                     limiter: LimiterSettings = LimiterSettings()) -> LoudnessStage:
    """A stage that lowers the PCM around each of ``report``'s overshoots so that, encoded
    again, it comes out near ``aim_dbtp``: by the overshoot's excess over ``aim_dbtp``, held
    over :data:`SPREAD` frames each side, with the limiter's look-ahead (attack) and release.
    Gain 1 everywhere else; frames ``[0, n)``."""
    if report.overshoot_frames.size == 0:
        return LoudnessStage(np.float32(1.0), ())
    window = max(BEFORE + 1, round(limiter.lookahead_ms * sample_rate / 1000))
    step = limiter.release_db_per_s / sample_rate
    need = 20 * np.log10(10 ** (aim_dbtp / 20) / report.overshoot_values.astype(np.float64))
    tail = int(math.ceil(-need.min() / step)) + 2 * window
    order = np.argsort(report.overshoot_frames, kind="stable")
    frames, need = report.overshoot_frames[order], need[order]
    # one region per run of overshoots whose lowered stretches would touch
    breaks = np.flatnonzero(np.diff(frames) > 2 * SPREAD + 2 * window + tail) + 1
    spans = []
    for idx in np.split(np.arange(frames.size), breaks):
        start = max(0, int(frames[idx[0]]) - SPREAD - 2 * window)
        stop = min(n, int(frames[idx[-1]]) + SPREAD + tail)
        want = np.zeros(stop - start)
        for f, d in zip(frames[idx], need[idx]):
            a, b = max(0, f - SPREAD - start), min(stop - start, f + SPREAD + 1 - start)
            np.minimum(want[a:b], d, out=want[a:b])
        gains_db = GainSmoother(window, step).push(want, final=True)[: stop - start]
        spans.append(GainSpan(start, (10 ** (gains_db / 20)).astype(np.float32)))
    return LoudnessStage(np.float32(1.0), tuple(spans))


@dataclass(frozen=True)
class CheckedMp3:
    """:func:`encode_checked`'s result: the MP3, the plan that made it, its decoded measure."""

    mp3: bytes
    plan: LoudnessPlan
    decoded: DecodedReport
    encodes: int


def encode_checked(source: Callable[[int, int], np.ndarray], n: int, plan: LoudnessPlan,
                   settings: EncodeSettings, ceiling_dbtp: float, *, limiter: LimiterSettings = LimiterSettings(),
                   chunk: int = 1 << 20, progress: Callable[[float], None] = lambda f: None) -> CheckedMp3:
    """Encode ``plan`` applied to ``source`` (``source(a, b)``: frames ``[a, b)`` of the track
    before the plan, a new array each call) until the decoded MP3's true peak is at most
    ``ceiling_dbtp - METER_MARGIN_DB`` (steps 2-3 of the module doc; at most
    :data:`MAX_ENCODES` encodes). ``progress(fraction)`` follows the first encode."""
    limit = ceiling_dbtp - METER_MARGIN_DB
    for encodes in range(1, MAX_ENCODES + 1):
        with Mp3Writer(settings) as writer:
            for a in range(0, n, chunk):
                writer.write(plan.apply(source(a, min(n, a + chunk)), a))
                if encodes == 1:
                    progress(min(1.0, (a + chunk) / n))
            mp3 = writer.finish()
        decoded = measure_mp3(mp3, settings, limit)
        if decoded.frames != n:
            raise CodecCheckError(f"the MP3 just encoded decodes to {decoded.frames} frames, not {n}")
        if decoded.overshoot_frames.size == 0 or encodes == MAX_ENCODES:
            break
        fix = correction_stage(decoded, n, settings.sample_rate, limit - CORRECTION_MARGIN_DB, limiter)
        plan = LoudnessPlan(plan.stages + (fix,), plan.report)
    return CheckedMp3(mp3, plan, decoded, encodes)
