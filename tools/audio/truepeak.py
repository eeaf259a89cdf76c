"""True-peak estimation by 4x oversampling (ITU-R BS.1770-4, Annex 2).

A DAC or a lossy decoder reconstructs the continuous waveform, whose peaks
between samples can exceed the largest sample by several dB. The true peak
is estimated by interpolating three extra points between every pair of
samples with a 49-tap windowed-sinc low-pass (a Nyquist filter: the original
samples pass through unchanged) and taking the largest absolute value.

:func:`peak_envelope` gives, for each sample frame ``n``, the largest
absolute value of the reconstructed waveform over ``[n, n + 1)`` (all
channels): the input of the true-peak limiter. :func:`true_peak` reduces it
to one number, streaming through the audio in chunks so a 60-minute track
needs only a few megabytes of working memory.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.signal import firwin

from .pcm import as_float32

OVERSAMPLING = 4
TAPS = 49
BEFORE, AFTER = 5, 6
"""Context samples the interpolator needs before and after each sample."""

CHUNK = 1 << 18


@lru_cache(maxsize=1)
def interpolation_matrix() -> np.ndarray:
    """``(BEFORE + 1 + AFTER, 3)`` float32 weights; column ``p - 1`` interpolates ``x`` at ``n + p/4``.

    Built from ``h`` = 49-tap Kaiser-windowed sinc, cut-off at the original
    Nyquist frequency, gain 4: ``y_p[n] = sum_j h[p + 24 - 4j] x[n + j]``
    for ``j`` in ``[-5, 6]``.
    """
    h = firwin(TAPS, 1.0 / OVERSAMPLING, window=("kaiser", 5.0)) * OVERSAMPLING
    centre = (TAPS - 1) // 2
    m = np.zeros((BEFORE + 1 + AFTER, OVERSAMPLING - 1))
    for p in range(1, OVERSAMPLING):
        for row, j in enumerate(range(-BEFORE, AFTER + 1)):
            k = p + centre - OVERSAMPLING * j
            if 0 <= k < TAPS:
                m[row, p - 1] = h[k]
    return m.astype(np.float32)


def _frame_peaks(x: np.ndarray) -> np.ndarray:
    """Per-frame max of |x| over channels, as ``(n,)`` float32."""
    a = np.abs(x)
    return a if a.ndim == 1 else a.max(axis=1)


def peak_envelope(padded: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """True-peak envelope of ``padded[BEFORE : len - AFTER]``.

    ``padded`` is float32 ``(n + BEFORE + AFTER,)`` or ``(..., channels)``
    holding the samples to measure plus their context (zeros at the ends of
    a track). Returns ``(n,)`` float32: for each sample, the largest absolute
    value of the sample itself and of the three interpolated points after it,
    over all channels.

    ``floor`` is a speed-up: the result is exact wherever it exceeds
    ``floor``; elsewhere it may be the sample peak alone (still <= floor).
    Interpolation is skipped where ``max|x|`` over the filter's support times
    the filter's L1 gain cannot exceed ``floor`` — most of a normalized track.
    """
    n = padded.shape[0] - BEFORE - AFTER
    if n <= 0:
        return np.zeros(0, np.float32)
    m = interpolation_matrix()
    frame_peaks = _frame_peaks(padded)
    out = frame_peaks[BEFORE : BEFORE + n].copy()
    rows = None
    if floor > 0.0:
        rows = _candidate_rows(frame_peaks, n, floor / _l1_gain())
        if rows.size == 0:
            return out
    dense = rows is None or rows.size * 8 > n
    channels = [padded] if padded.ndim == 1 else [padded[:, c] for c in range(padded.shape[1])]
    for ch in channels:
        ch = np.ascontiguousarray(ch)
        if dense:  # every row: shifted multiply-adds (faster than np.convolve here)
            inter = _interpolate_all(ch, m, n)
            if rows is None:
                np.maximum(out, inter, out=out)
            else:
                out[rows] = np.maximum(out[rows], inter[rows])
        else:  # few rows: gather their windows
            windows = np.lib.stride_tricks.sliding_window_view(ch, BEFORE + 1 + AFTER)
            out[rows] = np.maximum(out[rows], np.abs(windows[rows] @ m).max(axis=1))
    return out


def _interpolate_all(ch: np.ndarray, m: np.ndarray, n: int) -> np.ndarray:
    """max over phases of |interpolated value| for all ``n`` rows of one channel."""
    phases = np.zeros((m.shape[1], n), np.float32)
    tmp = np.empty(n, np.float32)
    for j in range(m.shape[0]):
        xs = ch[j : j + n]
        for p in range(m.shape[1]):
            np.multiply(xs, m[j, p], out=tmp)
            phases[p] += tmp
    return np.abs(phases).max(axis=0)


_BLOCK = 64


def _candidate_rows(frame_peaks: np.ndarray, n: int, level: float) -> np.ndarray:
    """Rows (output samples) whose interpolation support may hold a sample above ``level``.

    Works on blocks of 64 samples: a block is kept when it or a neighbour
    block reaches ``level`` (the support, 12 samples, never spans more than
    a block and its neighbours).
    """
    blocks = -(-frame_peaks.size // _BLOCK)
    padded = np.zeros(blocks * _BLOCK, np.float32)
    padded[: frame_peaks.size] = frame_peaks
    loud = padded.reshape(blocks, _BLOCK).max(axis=1) >= level
    if not loud.any():
        return np.zeros(0, np.intp)
    near = loud.copy()
    near[1:] |= loud[:-1]
    near[:-1] |= loud[1:]
    starts = np.flatnonzero(near) * _BLOCK  # in padded-input coordinates == output row + BEFORE
    rows = (starts[:, None] + np.arange(_BLOCK)).ravel() - BEFORE
    return rows[(rows >= 0) & (rows < n)]


@lru_cache(maxsize=1)
def _l1_gain() -> float:
    """Largest possible |interpolated value| for input bounded by 1 (a little margin added)."""
    return float(np.abs(interpolation_matrix()).sum(axis=0).max()) * 1.0001


def padded_chunks(x: np.ndarray, chunk: int = CHUNK):
    """Yield ``(start, stop, padded)`` covering ``x`` in chunks, with interpolation context.

    Context outside the track is silence (zeros). Every yielded array is a copy.
    """
    n = x.shape[0]
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        lo, hi = max(0, start - BEFORE), min(n, stop + AFTER)
        body = x[lo:hi].astype(np.float32)
        pad = [(BEFORE - (start - lo), AFTER - (hi - stop))] + [(0, 0)] * (x.ndim - 1)
        yield start, stop, np.pad(body, pad)


def true_peak(pcm: np.ndarray, *, chunk: int = CHUNK) -> float:
    """Largest absolute value of the 4x oversampled waveform (linear, 0.0 for silence)."""
    x = as_float32(pcm)
    best = 0.0
    for _, _, padded in padded_chunks(x, chunk):
        env = peak_envelope(padded, floor=max(best, float(_frame_peaks(padded).max(initial=0.0))))
        if env.size:
            best = max(best, float(env.max()))
    return best


def true_peak_dbtp(pcm: np.ndarray, *, chunk: int = CHUNK) -> float:
    """True peak in dBTP (dB relative to full scale); ``-inf`` for silence."""
    tp = true_peak(pcm, chunk=chunk)
    return float(20.0 * np.log10(tp)) if tp > 0 else float("-inf")


PEAK_BLOCK = 64
"""Frames per block of :class:`BlockPeaks` (the same size the envelope's candidate search uses)."""


def l1_gain() -> float:
    """Bound of the interpolator: ``|true peak| <= l1_gain() * max|x|`` over a sample's 12-sample support."""
    return _l1_gain()


class BlockPeaks:
    """Per block of :data:`PEAK_BLOCK` frames, the largest ``|x|`` and the largest step
    ``|x[k] - x[k - 1]|`` (all channels), fed in chunks.

    A 60-minute mono track keeps 2 x 2.5 M float32 numbers (20 MB): enough to
    bound the true-peak envelope of every block without the audio
    (:func:`envelope_bounds`), so the 4x interpolation (and a limiter) run only
    where a gain can bring it near a ceiling.
    """

    def __init__(self, block: int = PEAK_BLOCK):
        self.block = block
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self._rest = np.zeros(0, np.float32)
        self._rest_steps = np.zeros(0, np.float32)
        self._last = None  # the previous chunk's last frame

    def push(self, pcm: np.ndarray) -> None:
        x = np.asarray(pcm, np.float32)
        if x.shape[0] == 0:
            return
        first = np.zeros_like(x[:1]) if self._last is None else self._last  # silence before the track
        steps = _frame_peaks(np.diff(x, axis=0, prepend=first))
        self._last = x[-1:].copy()
        a = _frame_peaks(x)
        if self._rest.size:
            a = np.concatenate([self._rest, a])
            steps = np.concatenate([self._rest_steps, steps])
        whole = a.size // self.block * self.block
        if whole:
            self._parts.append((a[:whole].reshape(-1, self.block).max(axis=1),
                                steps[:whole].reshape(-1, self.block).max(axis=1)))
        self._rest, self._rest_steps = a[whole:].copy(), steps[whole:].copy()

    def _all(self, k: int) -> np.ndarray:
        parts = [p[k] for p in self._parts]
        rest = (self._rest, self._rest_steps)[k]
        if rest.size:
            parts.append(rest.max(keepdims=True))
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def result(self) -> np.ndarray:
        """Per-block peaks so far (the last block may be partial)."""
        return self._all(0)

    def steps(self) -> np.ndarray:
        """Per-block largest step between consecutive frames, counting the steps from and to
        the silence around the track (the first and last frames' own values)."""
        out = self._all(1)
        if out.size:
            out[-1] = max(out[-1], float(_frame_peaks(self._last).max()))
        return out


def fetch_padded(fetch, n: int, start: int, stop: int) -> np.ndarray:
    """Frames ``[start - BEFORE, stop + AFTER)`` of a track of ``n`` frames read with
    ``fetch(a, b)``, silence outside the track: the input :func:`peak_envelope` wants (a copy)."""
    lo, hi = max(0, start - BEFORE), min(n, stop + AFTER)
    body = np.asarray(fetch(lo, hi), np.float32)
    out = np.zeros((stop - start + BEFORE + AFTER,) + body.shape[1:], np.float32)
    at = BEFORE - (start - lo)
    out[at : at + body.shape[0]] = body
    return out


def block_runs(mask: np.ndarray, merge: int = 0) -> list[tuple[int, int]]:
    """``[b0, b1)`` runs of True blocks; runs separated by at most ``merge`` False blocks are joined."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > merge + 1)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    stops = np.concatenate([idx[breaks], [idx[-1]]]) + 1
    return list(zip(starts.tolist(), stops.tolist()))


def near_blocks(loud: np.ndarray) -> np.ndarray:
    """``loud`` widened by one block each side (a sample's interpolation support
    never reaches past the neighbouring blocks)."""
    near = loud.copy()
    near[1:] |= loud[:-1]
    near[:-1] |= loud[1:]
    return near


def envelope_bounds(peaks: np.ndarray, steps: np.ndarray | None = None) -> np.ndarray:
    """Per block, an upper bound (float64) of the true-peak envelope from the block
    statistics of :class:`BlockPeaks` (``P``: largest ``|x|``, ``D``: largest step, each
    taken over the block and its neighbours, which hold every interpolation support):

    * ``l1_gain() * P`` (any signal), and
    * ``P + step_gain() * D``: an interpolated point is a weighted sum of 12 samples whose
      weights sum to at most 1, and each sample is within ``|j| * D`` of the one nearest
      the point. Tight for the smooth signals most of a mix is made of.
    """
    p = _dilated(np.asarray(peaks, np.float32))
    out = p * l1_gain()
    if steps is not None:
        np.minimum(out, p + _dilated(np.asarray(steps, np.float32)) * step_gain(), out=out)
    return out


def _dilated(a: np.ndarray) -> np.ndarray:
    """Float64 max of each element and its neighbours."""
    out = a.astype(np.float64)
    np.maximum(out[1:], a[:-1], out=out[1:])
    np.maximum(out[:-1], a[1:], out=out[:-1])
    return out


@lru_cache(maxsize=1)
def step_gain() -> float:
    """Largest ``sum_j |h_j| * |j - c|`` over the three phases, ``c`` the sample nearest the
    interpolated point (phase 2 lies half-way: either), with a little margin for float32
    rounding; and the weights' sum must not exceed 1."""
    m = interpolation_matrix().astype(np.float64)
    j = np.arange(-BEFORE, AFTER + 1)
    assert np.abs(m.sum(axis=0)).max() <= 1.0
    return max(float((np.abs(m[:, p]) * np.abs(j - c)).sum()) for p, c in ((0, 0), (1, 0), (2, 1))) * 1.0001
