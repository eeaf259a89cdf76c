"""PCM conventions and pure sample-level operations.

Conventions used by every audio module of the renderer:

* Audio is a numpy ``float32`` array, nominal full scale ``[-1.0, 1.0]``.
  Shape ``(n,)`` is mono; shape ``(n, channels)`` is multichannel, one row per
  sample frame (the layout soundfile uses).
* Positions and lengths are integer sample counts, never float seconds.
* ``int16`` PCM maps to float by dividing by 32768 (so -32768 -> -1.0 exactly);
  float maps back by multiplying by 32767, rounding to nearest and clipping.

All functions here are pure: they never modify their input and do no I/O.
Bad input raises :class:`PcmError`.
"""

from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np
from scipy.signal import firwin, kaiserord, resample_poly

from .errors import AudioError

INT16_SCALE = 32768.0
"""int16 -> float divisor."""

# Anti-aliasing filter of the resampler: pass-band up to 90 % of the lower
# Nyquist frequency, stop-band from that Nyquist frequency on, rejected by
# 90 dB (below 16-bit quantisation noise). scipy's default filter for
# resample_poly has a transition several kHz wide that lets tones just above
# the new Nyquist alias back at about -8 dB.
_RESAMPLE_PASSBAND = 0.90
_RESAMPLE_REJECTION_DB = 90.0


class PcmError(AudioError):
    """An array is not usable PCM audio (wrong type, shape, NaN, bad rate)."""


def as_float32(pcm: np.ndarray) -> np.ndarray:
    """``pcm`` (int16 or float, mono ``(n,)`` or ``(n, ch)``) as float32.

    int16 is scaled by 1/32768; float input is converted (copied only if needed).
    Raises :class:`PcmError` for another dtype, another number of dimensions,
    zero channels, or non-finite samples.
    """
    arr = np.asarray(pcm)
    if arr.ndim not in (1, 2) or (arr.ndim == 2 and arr.shape[1] == 0):
        raise PcmError(f"audio must be shaped (samples,) or (samples, channels); got shape {arr.shape}")
    if arr.dtype == np.int16:
        return arr.astype(np.float32) / np.float32(INT16_SCALE)
    if not np.issubdtype(arr.dtype, np.floating):
        raise PcmError(f"audio samples must be int16 or float; got {arr.dtype}")
    out = arr.astype(np.float32, copy=False)
    if out.size and not np.isfinite(out).all():
        raise PcmError("audio contains NaN or infinite samples")
    return out


def to_int16(pcm: np.ndarray) -> np.ndarray:
    """float audio -> int16, ``round(x * 32767)`` clipped to the int16 range.

    int16 input is returned unchanged (as a copy-free view). Deterministic: no dither.
    """
    arr = np.asarray(pcm)
    if arr.dtype == np.int16:
        return arr
    x = as_float32(arr)
    return np.clip(np.rint(x * np.float32(32767.0)), -32768, 32767).astype(np.int16)


def channel_count(pcm: np.ndarray) -> int:
    """1 for a ``(n,)`` array, else the size of the second axis."""
    return 1 if pcm.ndim == 1 else int(pcm.shape[1])


def to_mono(pcm: np.ndarray) -> np.ndarray:
    """Average of the channels as float32 ``(n,)``; mono input returned as float32."""
    x = as_float32(pcm)
    if x.ndim == 1:
        return x
    return x.mean(axis=1, dtype=np.float64).astype(np.float32)


def check_rate(sample_rate: int, what: str = "sample rate") -> int:
    """``sample_rate`` as a positive int, else :class:`PcmError`."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise PcmError(f"{what} must be a positive whole number of Hz; got {sample_rate!r}")
    return int(sample_rate)


def resample(pcm: np.ndarray, rate_from: int, rate_to: int) -> np.ndarray:
    """Band-limited polyphase resampling from ``rate_from`` to ``rate_to`` Hz.

    Output length is ``ceil(n * rate_to / rate_from)``; sample 0 of the output
    is at the time of sample 0 of the input (zero-phase FIR, no delay).
    Identity (same object, as float32) when the rates are equal.
    Deterministic: a pure function of the samples and the two rates.
    """
    rate_from = check_rate(rate_from, "source sample rate")
    rate_to = check_rate(rate_to, "target sample rate")
    x = as_float32(pcm)
    if rate_from == rate_to:
        return x
    if x.shape[0] == 0:
        return np.zeros(x.shape, np.float32)
    g = gcd(rate_from, rate_to)
    up, down = rate_to // g, rate_from // g
    taps = _resampling_filter(rate_from * up, min(rate_from, rate_to) / 2.0)
    y = resample_poly(x.astype(np.float64), up, down, axis=0, window=taps)
    return y.astype(np.float32)


@lru_cache(maxsize=16)
def _resampling_filter(rate_up: int, nyquist: float) -> np.ndarray:
    """Odd-length, linear-phase low-pass FIR at the intermediate rate ``rate_up``."""
    half = rate_up / 2.0
    width = (1.0 - _RESAMPLE_PASSBAND) * nyquist
    numtaps, beta = kaiserord(_RESAMPLE_REJECTION_DB, width / half)
    numtaps |= 1
    cutoff = (1.0 + _RESAMPLE_PASSBAND) / 2.0 * nyquist
    return firwin(numtaps, cutoff / half, window=("kaiser", beta))


def db_to_gain(db: float) -> float:
    """Amplitude factor for a gain in decibels (``10 ** (db / 20)``)."""
    return float(10.0 ** (float(db) / 20.0))


def apply_gain_db(pcm: np.ndarray, db: float) -> np.ndarray:
    """A float32 copy of ``pcm`` scaled by ``db`` decibels (no clipping)."""
    if not np.isfinite(db):
        raise PcmError(f"gain must be a finite number of dB; got {db!r}")
    return (as_float32(pcm) * np.float32(db_to_gain(db))).astype(np.float32)


def peak(pcm: np.ndarray) -> float:
    """Largest absolute sample value (0.0 for empty audio)."""
    x = as_float32(pcm)
    return float(np.max(np.abs(x))) if x.size else 0.0


def normalize_peak(pcm: np.ndarray, peak_dbfs: float) -> np.ndarray:
    """A copy scaled so its sample peak is ``peak_dbfs`` dB full scale.

    Silent (all-zero) audio is returned unchanged.
    """
    x = as_float32(pcm)
    p = peak(x)
    if p == 0.0:
        return x.copy()
    return (x * np.float32(db_to_gain(peak_dbfs) / p)).astype(np.float32)


def sound_bounds(pcm: np.ndarray, threshold_dbfs: float = -55.0) -> tuple[int, int]:
    """``(start, stop)`` of the part of ``pcm`` that is not silence.

    ``start`` is the index of the first sample frame whose absolute value (any
    channel) reaches ``threshold_dbfs``; ``stop`` is one past the last such
    frame. ``(0, 0)`` when nothing reaches the threshold.
    """
    x = as_float32(pcm)
    level = np.abs(x) if x.ndim == 1 else np.abs(x).max(axis=1)
    loud = np.flatnonzero(level >= np.float32(db_to_gain(threshold_dbfs)))
    if loud.size == 0:
        return 0, 0
    return int(loud[0]), int(loud[-1]) + 1


def trim_silence(pcm: np.ndarray, threshold_dbfs: float = -55.0) -> np.ndarray:
    """``pcm`` without its leading and trailing silence (see :func:`sound_bounds`).

    The first returned sample is the onset: a cue placed at sample ``t`` of a
    timeline hears the sound start exactly at ``t``. Entirely silent input
    gives an empty array.
    """
    x = as_float32(pcm)
    start, stop = sound_bounds(x, threshold_dbfs)
    return x[start:stop].copy()
