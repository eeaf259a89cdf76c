"""Integrated loudness (ITU-R BS.1770-4 / EBU R128) and normalization to a target.

Every group's MP3 of a show is normalized to the same integrated loudness
(default -16 LUFS, the usual target for speech on phones) with true peaks
limited to -1 dBTP (default), so no group is louder than another and lossy
decoding does not clip.

Measurement (:class:`LoudnessMeter`, :func:`integrated_loudness`): the
signal is K-weighted (high shelf + high pass, coefficients derived for any
sample rate from the filters' analogue parameters), mean squares are
collected per 100 ms, 400 ms blocks overlap by 75 %, and the integrated
loudness is the mean of the blocks that pass the absolute (-70 LUFS) and
relative (-10 LU) gates. Channels are summed with weight 1 (mono, stereo).
The meter is fed in chunks and keeps 10 numbers per second per channel, so
a 60-minute track is measured in constant memory.

Normalization (:func:`normalize_loudness`): gain to the target, then the
true-peak limiter of :mod:`tools.limiter`. Limiting lowers loudness a
little, so the output is measured while it is written and, when it misses
the target by more than the tolerance, the gain is corrected and the
limiter runs again on the output (at most ``max_passes`` times).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.signal import sosfilt

from .audio_errors import AudioError
from .limiter import LimiterError, LimiterSettings, LimiterStats, limit
from .pcm import PcmError, as_float32, check_rate
from .truepeak import true_peak_dbtp

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
_CHUNK = 1 << 20


class LoudnessError(AudioError):
    """Bad loudness settings or audio."""


@lru_cache(maxsize=8)
def k_weighting_sos(sample_rate: int) -> np.ndarray:
    """Second-order sections ``(2, 6)`` of the BS.1770 K-weighting filter at ``sample_rate``.

    At 48 kHz these are the coefficients printed in BS.1770-4 (to ~1e-8).
    """
    fs = float(sample_rate)
    # stage 1: high shelf (head acoustics)
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / fs)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0,
             1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    # stage 2: high pass (RLB)
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / fs)
    a0 = 1 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    return np.array([shelf, highpass])


@dataclass
class LoudnessMeter:
    """Streaming BS.1770 meter. Feed :meth:`push` consecutive chunks, then read :meth:`integrated`."""

    sample_rate: int
    channels: int = 1
    _zi: np.ndarray | None = None
    _partial: np.ndarray | None = None  # K-weighted squares of an unfinished 100 ms hop, per channel
    _hops: list = field(default_factory=list)  # arrays of per-hop channel-summed mean squares

    @property
    def hop(self) -> int:
        return self.sample_rate // 10

    def push(self, pcm: np.ndarray) -> None:
        """Add the next chunk (``(n,)`` or ``(n, channels)``)."""
        x = np.asarray(pcm, dtype=np.float64)
        x = x[:, None] if x.ndim == 1 else x
        if x.shape[1] != self.channels:
            raise LoudnessError(f"meter set up for {self.channels} channel(s), got {x.shape[1]}")
        if self._zi is None:
            self._zi = np.zeros((2, 2, self.channels))
        y, self._zi = sosfilt(k_weighting_sos(self.sample_rate), x, axis=0, zi=self._zi)
        sq = (y * y).sum(axis=1)
        if self._partial is not None:
            sq = np.concatenate([self._partial, sq])
        whole = sq.size // self.hop * self.hop
        if whole:
            self._hops.append(sq[:whole].reshape(-1, self.hop).mean(axis=1))
        self._partial = sq[whole:]

    def block_energies(self) -> np.ndarray:
        """Mean square of every 400 ms block (75 % overlap) completed so far."""
        hops = np.concatenate(self._hops) if self._hops else np.zeros(0)
        if hops.size < 4:
            return np.zeros(0)
        return (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / 4.0

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS; ``-inf`` when no block passes the gates."""
        z = self.block_energies()
        with np.errstate(divide="ignore"):
            lk = -0.691 + 10 * np.log10(z)
        z = z[lk > ABSOLUTE_GATE_LUFS]
        if z.size == 0:
            return float("-inf")
        relative = -0.691 + 10 * np.log10(z.mean()) + RELATIVE_GATE_LU
        z = z[-0.691 + 10 * np.log10(z) > relative]
        return float(-0.691 + 10 * np.log10(z.mean()))


def _checked(pcm: np.ndarray) -> np.ndarray:
    try:
        return as_float32(pcm)
    except PcmError as e:
        raise LoudnessError(str(e)) from e


def integrated_loudness(pcm: np.ndarray, sample_rate: int, *, chunk: int = _CHUNK) -> float:
    """Integrated loudness of ``pcm`` in LUFS (``-inf`` for silence or < 400 ms)."""
    x = _checked(pcm)
    meter = LoudnessMeter(check_rate(sample_rate), 1 if x.ndim == 1 else x.shape[1])
    for i in range(0, x.shape[0], chunk):
        meter.push(x[i : i + chunk])
    return meter.integrated()


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


def normalize_loudness(
    pcm: np.ndarray,
    sample_rate: int,
    settings: LoudnessSettings = LoudnessSettings(),
    *,
    out: np.ndarray | None = None,
    chunk: int = _CHUNK,
) -> tuple[np.ndarray, LoudnessReport]:
    """Normalize ``pcm`` to ``settings.target_lufs`` with true peaks <= ``settings.ceiling_dbtp``.

    Returns ``(audio, report)``. ``out`` may be ``pcm`` itself (in place,
    for a float32 input) to avoid a second full-length array. Silent audio
    (no block above -70 LUFS) is returned unchanged with a gain of 0 dB.
    Material that cannot reach the target under the ceiling comes back as
    loud as the limiter allows; ``report.output_lufs`` says how loud.
    """
    settings.validate()
    rate = check_rate(sample_rate)
    x = _checked(pcm)
    channels = 1 if x.ndim == 1 else x.shape[1]
    if out is None:
        out = np.empty_like(x)
    input_lufs = integrated_loudness(x, rate, chunk=chunk)
    if not math.isfinite(input_lufs):
        out[...] = x
        return out, LoudnessReport(input_lufs, input_lufs, true_peak_dbtp(x), 0.0, 0, 0, 0.0)
    lim = settings.limiter_settings()
    source, gain, total_gain, current = x, settings.target_lufs - input_lufs, 0.0, input_lufs
    stats = LimiterStats()
    passes = 0
    for passes in range(1, settings.max_passes + 1):
        pass_stats = LimiterStats()
        limit(source, rate, lim, gain_db=gain, out=out, chunk=chunk, stats=pass_stats)
        stats.limited_frames = max(stats.limited_frames, pass_stats.limited_frames)
        stats.max_reduction_db = min(stats.max_reduction_db, pass_stats.max_reduction_db)
        total_gain += gain
        meter = LoudnessMeter(rate, channels)
        for i in range(0, out.shape[0], chunk):
            meter.push(out[i : i + chunk])
        previous, current = current, meter.integrated()
        miss = settings.target_lufs - current
        if abs(miss) <= settings.tolerance_lu or (passes > 1 and current - previous < 0.05 and miss > 0):
            break  # on target, or the limiter cannot give more loudness
        source, gain = out, miss
    report = LoudnessReport(input_lufs, current, true_peak_dbtp(out, chunk=chunk), total_gain,
                            passes, stats.limited_frames, stats.max_reduction_db)
    return out, report
