"""The integrated loudness meter of ITU-R BS.1770-4 / EBU R128.

:class:`LoudnessMeter`, :func:`integrated_loudness`: the signal is
K-weighted (high shelf + high pass, coefficients derived for any sample rate
from the filters' analogue parameters), mean squares are collected per
100 ms, 400 ms blocks overlap by 75 %, and the integrated loudness is the
mean of the blocks that pass the absolute (-70 LUFS) and relative (-10 LU)
gates. Channels are summed with weight 1 (mono, stereo). The meter is fed in
chunks and keeps 10 numbers per second per channel, so a 60-minute track is
measured in constant memory. The hop energies it keeps are what the
normalization planner (:mod:`tools.audio.normalize`) rescales and meters
again around the limited spans (:func:`gated_loudness`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.signal import sosfilt

from .errors import AudioError
from .pcm import PcmError, as_float32, check_rate

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
CHUNK = 1 << 20
"""Frames metered (or normalized) at a time."""


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
        channels = 1 if x.ndim == 1 else x.shape[1]
        if channels != self.channels:
            raise LoudnessError(f"meter set up for {self.channels} channel(s), got {channels}")
        if self._zi is None:
            self._zi = np.zeros((2, 2, self.channels))
        sos = k_weighting_sos(self.sample_rate)
        if x.ndim == 1:  # mono: 1-D all the way (a (n, 1) array costs twice the filter itself)
            y, zi = sosfilt(sos, x, zi=self._zi[:, :, 0])
            self._zi = zi[:, :, None]
            sq = y
            np.multiply(y, y, out=sq)
        else:
            y, self._zi = sosfilt(sos, x, axis=0, zi=self._zi)
            sq = (y * y).sum(axis=1)
        if self._partial is not None:
            sq = np.concatenate([self._partial, sq])
        whole = sq.size // self.hop * self.hop
        if whole:
            self._hops.append(sq[:whole].reshape(-1, self.hop).mean(axis=1))
        self._partial = sq[whole:]

    def block_energies(self) -> np.ndarray:
        """Mean square of every 400 ms block (75 % overlap) completed so far."""
        return block_energies(self.hop_energies())

    def hop_energies(self) -> np.ndarray:
        """Channel-summed mean square of the K-weighted signal in every whole 100 ms hop so far."""
        return np.concatenate(self._hops) if self._hops else np.zeros(0)

    def integrated(self) -> float:
        """Gated integrated loudness in LUFS; ``-inf`` when no block passes the gates."""
        return gated_loudness(self.hop_energies())


def block_energies(hops: np.ndarray) -> np.ndarray:
    """Mean square of every 400 ms block (75 % overlap) of 100 ms hop energies."""
    if hops.size < 4:
        return np.zeros(0)
    return (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / 4.0


def gated_loudness(hops: np.ndarray) -> float:
    """BS.1770 gated integrated loudness (LUFS) of 100 ms hop energies; ``-inf`` when nothing passes."""
    z = block_energies(hops)
    with np.errstate(divide="ignore"):
        lk = -0.691 + 10 * np.log10(z)
    z = z[lk > ABSOLUTE_GATE_LUFS]
    if z.size == 0:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(z.mean()) + RELATIVE_GATE_LU
    z = z[-0.691 + 10 * np.log10(z) > relative]
    return float(-0.691 + 10 * np.log10(z.mean()))


def checked_pcm(pcm: np.ndarray) -> np.ndarray:
    """``pcm`` as float32 (:func:`tools.audio.pcm.as_float32`); bad audio raises :class:`LoudnessError`."""
    try:
        return as_float32(pcm)
    except PcmError as e:
        raise LoudnessError(str(e)) from e


def integrated_loudness(pcm: np.ndarray, sample_rate: int, *, chunk: int = CHUNK) -> float:
    """Integrated loudness of ``pcm`` in LUFS (``-inf`` for silence or < 400 ms)."""
    x = checked_pcm(pcm)
    meter = LoudnessMeter(check_rate(sample_rate), 1 if x.ndim == 1 else x.shape[1])
    for i in range(0, x.shape[0], chunk):
        meter.push(x[i : i + chunk])
    return meter.integrated()
