"""Normalization to a target integrated loudness (ITU-R BS.1770-4 / EBU R128).

Every group's MP3 of a show is normalized to the same integrated loudness
(default -16 LUFS, the usual target for speech on phones) with true peaks
limited to -1 dBTP (default), so no group is louder than another and lossy
decoding does not clip.

Measurement: the BS.1770 meter of :mod:`tools.audio.meter` (K-weighting,
100 ms hop energies, gated 400 ms blocks), fed in chunks in constant memory.

Normalization (:func:`normalize_loudness`): gain to the target, then the
true-peak limiter of :mod:`tools.audio.limiter`. Limiting lowers loudness a
little, so the output is measured and, when it misses the target by more
than the tolerance, the gain is corrected (:func:`next_gain`) and the
limiter runs again on the output (at most ``max_passes`` times).

It is done without going over the whole track more than twice
(:class:`LoudnessScan`, :class:`LoudnessPlan`): one pass measures the input
(meter and per-block peaks); the passes of the limiter are computed only
where a block's true-peak bound, times the gain, reaches the ceiling
(:func:`tools.audio.limiter.limiter_spans`); each pass's output loudness is the
previous hop energies times the gain squared, metered again only around the
limited spans; the true peak is interpolated only where it can be the
largest. A second pass applies the plan. Since the plan applies to any
chunk, the track need not be in memory: a renderer can produce it again
from its source (tools/render/group.py mixes twice).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import sosfilt

from .limiter import (SAFETY_MARGIN_DB, LimiterError, LimiterSettings, LimiterStats, apply_spans, limiter_spans,
                      tighten)
from .meter import CHUNK, LoudnessError, LoudnessMeter, checked_pcm, gated_loudness, k_weighting_sos
from .pcm import check_rate
from .truepeak import AFTER, BEFORE, PEAK_BLOCK, BlockPeaks, block_runs, envelope_bounds, fetch_padded, peak_envelope


@dataclass(frozen=True)
class LoudnessSettings:
    """Shared by every group of a show."""

    target_lufs: float = -16.0
    ceiling_dbtp: float = -1.0
    tolerance_lu: float = 0.2
    max_passes: int = 4
    lookahead_ms: float = 5.0
    release_db_per_s: float = 40.0

    def limiter_settings(self) -> LimiterSettings:
        return LimiterSettings(self.ceiling_dbtp, self.lookahead_ms, self.release_db_per_s)

    def validate(self) -> "LoudnessSettings":
        if not (np.isfinite(self.target_lufs) and -70 < self.target_lufs < 0):
            raise LoudnessError(f"loudness target must be between -70 and 0 LUFS; got {self.target_lufs!r}")
        if not 0 < self.tolerance_lu <= 3 or not 1 <= self.max_passes <= 10:
            raise LoudnessError("loudness tolerance must be in (0, 3] LU and passes in 1..10")
        try:
            self.limiter_settings().validate()
        except LimiterError as e:
            raise LoudnessError(str(e)) from e
        return self


@dataclass(frozen=True)
class LoudnessReport:
    """What :func:`normalize_loudness` measured and did."""

    input_lufs: float
    output_lufs: float
    output_true_peak_dbtp: float
    gain_db: float
    passes: int
    limited_frames: int
    max_reduction_db: float


class LoudnessScan:
    """Pass 1 of a normalization, fed the track in chunks: its loudness meter and block peaks.

    Together with random access to the track (``fetch(a, b)``: frames
    ``[a, b)``, e.g. a mixer that renders any range), that is all
    :meth:`plan` needs: the gain to the target and the limiter's gains where
    they are below 1 (:class:`LoudnessPlan`). Memory: 10 numbers per second
    and one per 64 frames — 10 MB for a 60-minute mono track.
    """

    def __init__(self, sample_rate: int, channels: int = 1):
        self.sample_rate = check_rate(sample_rate)
        self.channels = channels
        self.frames = 0
        self.meter = LoudnessMeter(self.sample_rate, channels)
        self.peaks = BlockPeaks()

    def push(self, pcm: np.ndarray) -> None:
        self.meter.push(pcm)
        self.peaks.push(pcm)
        self.frames += np.shape(pcm)[0]

    def plan(self, fetch, settings: LoudnessSettings = LoudnessSettings()) -> "LoudnessPlan":
        """Gains and limiter gains that bring the scanned track to ``settings``.

        ``fetch(a, b)`` returns frames ``[a, b)`` of the scanned track. Same
        passes as :func:`normalize_loudness`; each pass is a
        :class:`LoudnessStage` applied to the previous pass's output.
        """
        settings.validate()
        n, rate = self.frames, self.sample_rate
        bounds = _Bounds(self.peaks.result(), self.peaks.steps())
        hops = self.meter.hop_energies()
        input_lufs = gated_loudness(hops)
        if not math.isfinite(input_lufs):
            tp = _output_true_peak_dbtp(fetch, n, bounds, [])
            return LoudnessPlan((), LoudnessReport(input_lufs, input_lufs, tp, 0.0, 0, 0, 0.0))
        lim = settings.limiter_settings()
        ceiling = 10 ** ((lim.ceiling_dbtp - SAFETY_MARGIN_DB) / 20)
        gain, total_gain, current = settings.target_lufs - input_lufs, 0.0, input_lufs
        stages: list[LoudnessStage] = []
        stats = LimiterStats()
        passes = 0
        for passes in range(1, settings.max_passes + 1):
            source = _staged(fetch, tuple(stages))
            pass_stats = LimiterStats()
            spans = limiter_spans(source, n, bounds.peaks, rate, lim, gain_db=gain, stats=pass_stats,
                                  bounds=bounds.envelope, margin_db=_MARGIN_DB)
            stage = LoudnessStage(np.float32(10 ** (gain / 20)), tuple(spans))
            stats.limited_frames = max(stats.limited_frames, pass_stats.limited_frames)
            stats.max_reduction_db = min(stats.max_reduction_db, pass_stats.max_reduction_db)
            total_gain += gain
            bounds.after(stage)
            hops = _measure_stage(source, n, rate, hops, stage, bounds, ceiling * 10 ** (-_MARGIN_DB / 20))
            stages.append(stage)
            previous, current = current, gated_loudness(hops)
            gain = next_gain(settings, gain, previous, current)
            if gain is None:
                break  # on target, or the limiter cannot give more loudness
        tp = _output_true_peak_dbtp(fetch, n, bounds, stages)
        report = LoudnessReport(input_lufs, current, tp, total_gain, passes, stats.limited_frames,
                                stats.max_reduction_db)
        return LoudnessPlan(tuple(stages), report)


def next_gain(settings: LoudnessSettings, gain: float, previous: float, current: float) -> float | None:
    """The gain (dB) of the next limiter pass after one of ``gain`` dB took the loudness from
    ``previous`` to ``current`` LUFS; None when done: within the tolerance of the target, or
    the pass gave less than a tenth of its gain (the limiter takes it all: the material cannot
    get louder under the ceiling). The limiter takes a share of every dB added, so the miss is
    divided by the share the last pass kept (a secant step, the share taken in [0.25, 1]):
    peaky material reaches the target in 2-3 passes instead of creeping up to it."""
    miss = settings.target_lufs - current
    if abs(miss) <= settings.tolerance_lu:
        return None
    kept = (current - previous) / gain if gain else 1.0
    if miss > 0 and gain > 0 and kept < 0.1:
        return None
    return miss / min(1.0, max(0.25, kept))


class _Bounds:
    """What is known, per 64-frame block, of the signal after the stages so far, without it:
    ``peaks``, its sample peaks (upper bounds; exact where ``exact``), and ``envelope``, upper
    bounds of its true-peak envelope (tightened wherever it was interpolated)."""

    def __init__(self, peaks: np.ndarray, steps: np.ndarray | None = None):
        self.peaks = peaks.astype(np.float32)
        self.envelope = envelope_bounds(self.peaks, steps)
        self.exact = np.ones(self.peaks.size, bool)  # blocks whose `peaks` value is exact

    def after(self, stage: "LoudnessStage") -> None:
        """The bounds of ``stage``'s output. Where the gain is 1, the envelope scales with ``pre``;
        where a span's gain varies, only the sample-peak bound (``l1_gain()`` times peak) holds."""
        gmax = np.ones(self.peaks.size, np.float32)  # largest gain in each block
        touched = np.zeros(self.peaks.size, bool)  # blocks whose interpolation support a span reaches
        for span in stage.spans:
            b0, b1 = -(-span.start // PEAK_BLOCK), span.stop // PEAK_BLOCK  # blocks inside the span
            if b0 < b1:
                inner = span.gains[b0 * PEAK_BLOCK - span.start : b1 * PEAK_BLOCK - span.start]
                gmax[b0:b1] = inner.reshape(b1 - b0, PEAK_BLOCK).max(axis=1)
            touched[max(0, span.start // PEAK_BLOCK - 1) : -(-span.stop // PEAK_BLOCK) + 1] = True
        self.peaks = self.peaks * stage.pre * gmax
        self.envelope = np.where(touched, envelope_bounds(self.peaks), self.envelope * float(stage.pre) * (1 + 1e-5))
        self.exact &= ~touched

    def measured(self, start: int, padded: np.ndarray, floor: float) -> None:
        """Tighten the bounds of the blocks inside ``[start, start + len(padded) - BEFORE - AFTER)``
        with the signal itself (``padded`` with its interpolation context)."""
        n = padded.shape[0] - BEFORE - AFTER
        b0, b1 = -(-start // PEAK_BLOCK), (start + n) // PEAK_BLOCK
        if b0 >= b1:
            return
        lo = b0 * PEAK_BLOCK - start
        body = padded[BEFORE + lo : BEFORE + lo + (b1 - b0) * PEAK_BLOCK]
        mag = np.abs(body) if body.ndim == 1 else np.abs(body).max(axis=1)
        self.peaks[b0:b1] = mag.reshape(b1 - b0, PEAK_BLOCK).max(axis=1)
        self.exact[b0:b1] = True
        env = peak_envelope(padded[lo : lo + (b1 - b0) * PEAK_BLOCK + BEFORE + AFTER], floor=floor)
        tighten(self.envelope, b0, env, floor)


@dataclass(frozen=True)
class LoudnessStage:
    """One pass: ``y = (x * pre) * gain[n]``, the limiter's gains below 1 held in ``spans``
    (:class:`tools.audio.limiter.GainSpan`)."""

    pre: np.float32
    spans: tuple
    _starts: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_starts", np.array([s.start for s in self.spans], np.int64))

    def apply(self, chunk: np.ndarray, start: int) -> np.ndarray:
        return apply_spans(chunk, start, list(self.spans), self.pre, span_starts=self._starts)


@dataclass(frozen=True)
class LoudnessPlan:
    """How the scanned track becomes the normalized one: its stages, applied in order.

    :meth:`apply` works on any chunk, in any order, so the output can be
    produced again from the source, streaming (pass 2), and is the same
    whichever way it is cut.
    """

    stages: tuple
    report: "LoudnessReport"

    def apply(self, chunk: np.ndarray, start: int) -> np.ndarray:
        """Frames ``[start, start + len(chunk))`` of the source, normalized in place."""
        for stage in self.stages:
            stage.apply(chunk, start)
        return chunk


def _staged(fetch, stages: tuple):
    """``fetch`` followed by ``stages``: frames of an intermediate pass's output."""
    if not stages:
        return fetch

    def staged(a: int, b: int) -> np.ndarray:
        y = np.array(fetch(a, b), dtype=np.float32)
        for stage in stages:
            stage.apply(y, a)
        return y

    return staged


_MARGIN_DB = 6.0  # envelopes are computed exactly down to this far below the ceiling (later passes' gains)
_WARM = 10  # K-weighting settles within 1/10 s (impulse response < 1e-11 of its peak after 0.1 s)


def _measure_stage(fetch, n: int, rate: int, hops: np.ndarray, stage: LoudnessStage, bounds: _Bounds,
                   floor: float) -> np.ndarray:
    """Hop energies of ``stage`` applied to the track read by ``fetch`` whose hop energies are
    ``hops``: scaled by ``pre**2`` (the K-weighting is linear), and measured again on the output
    around the limited spans, the filter started a tenth of a second early (by then its state has
    forgotten where it started) and run a tenth of a second past the span (by then the span's
    effect on it has died out). Agrees with metering the output within ~1e-6 LU (the float32
    rounding of ``x * pre``). The re-read output also tightens ``bounds`` where the spans made
    them loose (its envelope, exact above ``floor``)."""
    hop = rate // 10
    out = hops * float(stage.pre) ** 2
    if not stage.spans or hops.size == 0:
        return out
    margin = rate // _WARM
    regions: list[list[int]] = []  # hop ranges to measure again
    for span in stage.spans:
        h0 = span.start // hop
        h1 = min(hops.size, -(-(span.stop + margin) // hop))
        if h0 >= h1:
            continue
        if regions and h0 * hop - margin <= regions[-1][1] * hop:
            regions[-1][1] = max(regions[-1][1], h1)
        else:
            regions.append([h0, h1])
    sos = k_weighting_sos(rate)
    for h0, h1 in regions:
        a, b = max(0, h0 * hop - margin), h1 * hop
        padded = fetch_padded(fetch, n, a, b)
        stage.apply(padded, a - BEFORE)
        bounds.measured(a, padded, floor)
        y64 = padded[BEFORE : BEFORE + b - a].astype(np.float64)
        y64 = y64[:, None] if y64.ndim == 1 else y64
        k = sosfilt(sos, y64, axis=0)
        sq = (k * k).sum(axis=1)[h0 * hop - a :]
        out[h0:h1] = sq.reshape(-1, hop).mean(axis=1)
    return out


def _output_true_peak_dbtp(fetch, n: int, bounds: _Bounds, stages) -> float:
    """True peak (dBTP) of the output of ``stages`` without interpolating all of it: the largest
    output sample is known exactly for most blocks, so only the blocks whose envelope bound
    reaches it are interpolated."""
    best = float(bounds.peaks[bounds.exact].max(initial=0.0))
    plan = LoudnessPlan(tuple(stages), None)
    for b0, b1 in block_runs((bounds.envelope >= best * (1 - 1e-6)) & (bounds.peaks > 0), 64):
        r0, r1 = b0 * PEAK_BLOCK, min(n, b1 * PEAK_BLOCK)
        padded = fetch_padded(fetch, n, r0, r1)
        plan.apply(padded, r0 - BEFORE)
        env = peak_envelope(padded, floor=best)
        best = max(best, float(env.max(initial=0.0)))
    return float(20.0 * np.log10(best)) if best > 0 else float("-inf")


def normalize_loudness(
    pcm: np.ndarray,
    sample_rate: int,
    settings: LoudnessSettings = LoudnessSettings(),
    *,
    out: np.ndarray | None = None,
    chunk: int = CHUNK,
) -> tuple[np.ndarray, LoudnessReport]:
    """Normalize ``pcm`` to ``settings.target_lufs`` with true peaks <= ``settings.ceiling_dbtp``.

    Returns ``(audio, report)``. ``out`` may be ``pcm`` itself (in place,
    for a float32 input) to avoid a second full-length array. Silent audio
    (no block above -70 LUFS) is returned unchanged with a gain of 0 dB.
    Material that cannot reach the target under the ceiling comes back as
    loud as the limiter allows; ``report.output_lufs`` says how loud.

    One pass over the audio measures it (:class:`LoudnessScan`), the plan is
    made where the limiter can act (:meth:`LoudnessScan.plan`), a second pass
    writes the output (:meth:`LoudnessPlan.apply`).
    """
    settings.validate()
    rate = check_rate(sample_rate)
    x = checked_pcm(pcm)
    if out is None:
        out = np.empty_like(x)
    elif out.shape != x.shape or out.dtype != np.float32:
        raise LoudnessError("loudness output array must be float32 with the input's shape")
    scan = LoudnessScan(rate, 1 if x.ndim == 1 else x.shape[1])
    for i in range(0, x.shape[0], chunk):
        scan.push(x[i : i + chunk])
    plan = scan.plan(lambda a, b: x[a:b], settings)
    for i in range(0, x.shape[0], chunk):
        piece = out[i : i + chunk]
        if out is not x:
            piece[...] = x[i : i + chunk]
        plan.apply(piece, i)
    return out, plan.report
