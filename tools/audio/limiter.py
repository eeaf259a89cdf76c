"""A look-ahead true-peak limiter that streams through long tracks.

Contract of :func:`limit`: every output frame is the input frame times a
gain ``g[n]`` in ``(0, 1]`` (the same for all channels), chosen so that the
4x-oversampled peak of the input around ``n`` times ``g[n]`` stays at or
below the ceiling. The gain is smooth — no clicks:

1. ``need[n]`` = the gain (dB, <= 0) that would bring the true-peak envelope
   of frame ``n`` (:func:`tools.audio.truepeak.peak_envelope`) to the ceiling;
2. ``hold[n] = min(need[n .. n+W-1])``: gain reduction starts ``W`` frames
   (the look-ahead, default 5 ms) before a peak;
3. release: the gain rises back towards 0 dB at most ``release_db_per_s``;
4. ``g_db[n]`` = mean of the released values over ``[n-W+1, n]``: a linear
   attack ramp of ``W`` frames, and rounded release corners.

Each step can only lower the gain below ``need``: every window of step 4
contains frames whose ``hold`` covers ``n``, so ``g_db[n] <= need[n]``.
The work is done chunk by chunk with O(chunk) memory, and may be done in
place (``out=x``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d

from .errors import AudioError
from .pcm import PcmError, as_float32, check_rate
from .truepeak import BEFORE, CHUNK, padded_chunks, peak_envelope


SAFETY_MARGIN_DB = 0.05
"""The limiter aims this far below the ceiling: the gain changes within the
interpolator's 12-sample support, which can lift the output's true peak by
up to ~0.01 dB above the aim (measured on noise, square and 11 kHz tones)."""


class LimiterError(AudioError):
    """Bad limiter settings or audio."""


@dataclass(frozen=True)
class LimiterSettings:
    """``ceiling_dbtp``: the true-peak ceiling; look-ahead (attack) in ms; release in dB/s."""

    ceiling_dbtp: float = -1.0
    lookahead_ms: float = 5.0
    release_db_per_s: float = 40.0

    def validate(self) -> "LimiterSettings":
        if not (np.isfinite(self.ceiling_dbtp) and self.ceiling_dbtp <= 0):
            raise LimiterError(f"true-peak ceiling must be a number of dBTP <= 0; got {self.ceiling_dbtp!r}")
        if not 0.1 <= self.lookahead_ms <= 100:
            raise LimiterError(f"limiter look-ahead must be 0.1 to 100 ms; got {self.lookahead_ms!r}")
        if not 1 <= self.release_db_per_s <= 1000:
            raise LimiterError(f"limiter release must be 1 to 1000 dB/s; got {self.release_db_per_s!r}")
        return self


@dataclass
class LimiterStats:
    """What the limiter did: frames whose gain was below 1, and the deepest reduction (dB, <= 0)."""

    limited_frames: int = 0
    max_reduction_db: float = 0.0


class GainSmoother:
    """Steps 2-4 of the module doc, fed ``need`` in chunks; state carried between chunks.

    :meth:`push` returns the smoothed gains (dB) for the next frames in
    order; the output lags the input by ``window - 1`` frames until
    :meth:`push` is called with ``final=True``, which flushes the rest.
    """

    def __init__(self, window: int, release_db_per_frame: float):
        self.window = max(1, int(window))
        self.step = float(release_db_per_frame)
        # W-1 frames of unity before the track, run through the same steps, so
        # that the gain is already down at frame 0 when the track starts loud.
        self.pending = np.zeros(self.window - 1)  # need values not yet turned into output
        self.skip = self.window - 1  # outputs of that pre-roll, dropped
        self.released = 0.0  # last released value (dB)
        self.history = np.zeros(self.window - 1)  # last W-1 released values

    def idle(self) -> bool:
        """True when the gain is at unity and nothing pending would lower it."""
        return self.released == 0.0 and not self.pending.any() and not self.history.any()

    def push(self, need_db: np.ndarray, final: bool = False) -> np.ndarray:
        w = self.window
        need_db = np.asarray(need_db, np.float64)
        if self.skip == 0 and self.idle() and not need_db.any():
            return np.zeros(need_db.size + (w - 1 if final else 0))  # fast path: unity gain
        buf = np.concatenate([self.pending, need_db])
        if final:
            buf = np.concatenate([buf, np.zeros(w - 1)])  # unity gain after the end
        ready = len(buf) - (w - 1)
        if ready <= 0:
            self.pending = buf
            return np.zeros(0)
        # forward-looking minimum: hold[i] = min(buf[i : i + w])
        hold = minimum_filter1d(buf, size=w, origin=-(w // 2), mode="nearest")[:ready]
        self.pending = buf[ready:]
        idx = np.arange(ready, dtype=np.float64) * self.step
        released = idx + np.minimum(self.released + self.step, np.minimum.accumulate(hold - idx))
        np.minimum(released, 0.0, out=released)  # unity at most
        self.released = float(released[-1])
        joined = np.concatenate([self.history, released])
        sums = np.cumsum(np.concatenate([[0.0], joined]))
        smooth = (sums[w:] - sums[:-w]) / w
        self.history = joined[len(joined) - (w - 1) :] if w > 1 else np.zeros(0)
        dropped = min(self.skip, smooth.size)
        self.skip -= dropped
        return smooth[dropped:]


def limit(
    pcm: np.ndarray,
    sample_rate: int,
    settings: LimiterSettings = LimiterSettings(),
    *,
    gain_db: float = 0.0,
    out: np.ndarray | None = None,
    chunk: int = CHUNK,
    stats: LimiterStats | None = None,
) -> np.ndarray:
    """Apply ``gain_db`` then limit true peaks to ``settings.ceiling_dbtp``.

    Returns ``out`` (a new float32 array when None; may be ``pcm`` itself
    for in-place processing). ``stats``, when given, is filled in.
    """
    settings.validate()
    rate = check_rate(sample_rate)
    try:
        x = as_float32(pcm)
    except PcmError as e:
        raise LimiterError(str(e)) from e
    if out is None:
        out = np.empty_like(x)
    elif out.shape != x.shape or out.dtype != np.float32:
        raise LimiterError("limiter output array must be float32 with the input's shape")
    stats = stats if stats is not None else LimiterStats()
    pre = np.float32(10 ** (gain_db / 20))
    ceiling = 10 ** ((settings.ceiling_dbtp - SAFETY_MARGIN_DB) / 20)
    # In-place safety: frames are written at least window - 1 frames behind the
    # chunk being read, which must stay clear of its BEFORE frames of context.
    window = max(BEFORE + 1, round(settings.lookahead_ms * rate / 1000))
    smoother = GainSmoother(window, settings.release_db_per_s / rate)
    written = 0
    staged: list[np.ndarray] = []  # scaled input frames waiting for their gain
    for start, stop, padded in padded_chunks(x, chunk):
        padded *= pre
        env = peak_envelope(padded, floor=ceiling)
        need = np.zeros(env.shape[0])
        over = np.flatnonzero(env > ceiling)
        need[over] = 20 * np.log10(ceiling / env[over].astype(np.float64))
        staged.append(padded[BEFORE : BEFORE + stop - start])
        gains = smoother.push(need, final=stop == x.shape[0])
        written = _apply(staged, gains, out, written, stats)
    return out


def _apply(staged: list[np.ndarray], gains_db: np.ndarray, out: np.ndarray, written: int, stats: LimiterStats) -> int:
    """Multiply the oldest staged frames by ``gains_db`` into ``out`` from ``written``."""
    if gains_db.size == 0:
        return written
    reduced = np.flatnonzero(gains_db < 0.0)
    g = np.ones(gains_db.size, np.float32)
    if reduced.size:
        stats.limited_frames += int(reduced.size)
        stats.max_reduction_db = min(stats.max_reduction_db, float(gains_db[reduced].min()))
        g[reduced] = 10 ** (gains_db[reduced] / 20)
    used = 0
    while used < g.size:
        frames = staged[0]
        take = min(frames.shape[0], g.size - used)
        gg = g[used : used + take]
        out[written : written + take] = frames[:take] * (gg if frames.ndim == 1 else gg[:, None])
        written += take
        used += take
        if take == frames.shape[0]:
            staged.pop(0)
        else:
            staged[0] = frames[take:]
    return written


# ---- the same limiter, computed only where it can act ---------------------------------------------

_PIECE = 1 << 15     # frames of `need` fed to the smoother at a time
_MERGE_BLOCKS = 256  # candidate runs closer than this many blocks (16384 frames) are read in one piece
_SLACK = 1e-5        # relative margin for float rounding in bounds (x * pre in float32, and back)


@dataclass(frozen=True)
class GainSpan:
    """Linear float32 gains for frames ``[start, start + len(gains))``; 1.0 everywhere else."""

    start: int
    gains: np.ndarray

    @property
    def stop(self) -> int:
        return self.start + self.gains.size


def limiter_spans(
    fetch,
    n: int,
    peaks: np.ndarray,
    sample_rate: int,
    settings: LimiterSettings = LimiterSettings(),
    *,
    gain_db: float = 0.0,
    stats: LimiterStats | None = None,
    bounds: np.ndarray | None = None,
    margin_db: float = 6.0,
) -> list[GainSpan]:
    """The gains :func:`limit` would apply to a track, computed only where it can act.

    ``fetch(a, b)`` returns frames ``[a, b)`` of the ``n``-frame track (float32,
    any channel count), ``peaks`` its :class:`tools.audio.truepeak.BlockPeaks`. A frame
    can need gain reduction only if its true-peak envelope times ``gain_db`` is
    above the ceiling; ``bounds`` (float64, per block, optional) are upper
    bounds of the envelope's largest value in each block, by default
    ``l1_gain()`` times the largest sample peak of the block and its neighbours.
    The envelope is interpolated for the blocks whose bound reaches the
    ceiling only, and ``bounds`` is tightened in place for those blocks (a
    later pass at a gain up to ``margin_db`` higher need not read them again: the
    envelope is computed exactly down to ``margin_db`` below the ceiling). The gain smoother of
    :func:`limit` runs from a few look-ahead windows before the first frame that
    needs reduction until its gain is back to unity (the smoother starts idle
    there, as :func:`limit`'s would be). Everywhere else the gain is exactly 1.
    Returns the spans of frames whose gain may be below 1, in order. Same gains
    as :func:`limit` up to rounding (the float32 envelope is summed in another
    order over a short region than over a long chunk, as :func:`limit`'s own
    result varies with ``chunk``; the smoother's float64 running sums start
    elsewhere): within 1e-5 dB, output samples within 2**-21 relative
    (tests/tools/audio/test_limiter.py).
    """
    from .truepeak import PEAK_BLOCK, block_runs, envelope_bounds, fetch_padded

    settings.validate()
    rate = check_rate(sample_rate)
    stats = stats if stats is not None else LimiterStats()
    pre = np.float32(10 ** (gain_db / 20))
    ceiling = 10 ** ((settings.ceiling_dbtp - SAFETY_MARGIN_DB) / 20)
    window = max(BEFORE + 1, round(settings.lookahead_ms * rate / 1000))
    step = settings.release_db_per_s / rate
    floor = ceiling * 10 ** (-margin_db / 20)
    if bounds is None:
        bounds = envelope_bounds(peaks)
    # 1. the frames whose true peak (times the gain) is above the ceiling, and what they need
    loud = bounds * float(pre) >= ceiling * (1 - _SLACK)
    rows_l, need_l = [], []
    for b0, b1 in block_runs(loud, _MERGE_BLOCKS):
        r0, r1 = b0 * PEAK_BLOCK, min(n, b1 * PEAK_BLOCK)
        padded = fetch_padded(fetch, n, r0, r1)
        padded *= pre
        env = peak_envelope(padded, floor=floor)
        over = np.flatnonzero(env > ceiling)
        if over.size:
            rows_l.append(over + r0)
            need_l.append(20 * np.log10(ceiling / env[over].astype(np.float64)))
        tighten(bounds, b0, env, floor, pre)
    if not rows_l:
        return []
    rows, need = np.concatenate(rows_l), np.concatenate(need_l)
    # 2. the smoother, from idle to idle
    spans: list[GainSpan] = []
    i = 0
    while i < rows.size:
        start = max(0, int(rows[i]) - 2 * window)
        smoother = GainSmoother(window, step)
        pos, pieces = start, []
        while True:
            stop = min(n, pos + _PIECE)
            j = int(np.searchsorted(rows, stop))
            piece = np.zeros(stop - pos)
            piece[rows[i:j] - pos] = need[i:j]
            i = j
            pieces.append(smoother.push(piece, final=stop == n))
            pos = stop
            if stop == n or (smoother.idle() and (i == rows.size or rows[i] >= pos + 2 * window)):
                break
        g_db = np.concatenate(pieces)
        reduced = np.flatnonzero(g_db < 0.0)
        if reduced.size == 0:
            continue
        a, b = int(reduced[0]), int(reduced[-1]) + 1
        g_db = g_db[a:b]
        red = g_db < 0.0
        gains = np.ones(b - a, np.float32)
        gains[red] = 10 ** (g_db[red] / 20)
        stats.limited_frames += int(red.sum())
        stats.max_reduction_db = min(stats.max_reduction_db, float(g_db[red].min()))
        spans.append(GainSpan(start + a, gains))
    return spans


def tighten(bounds: np.ndarray, b0: int, env: np.ndarray, floor: float, pre: np.float32 = np.float32(1.0)) -> None:
    """Lower ``bounds[b0:]`` (per-block envelope bounds) with ``env``, an envelope of the signal
    times ``pre`` from block ``b0`` on, exact above ``floor`` (:func:`tools.audio.truepeak.peak_envelope`)."""
    from .truepeak import PEAK_BLOCK

    nb = -(-env.size // PEAK_BLOCK)
    top = np.zeros(nb * PEAK_BLOCK, np.float32)
    top[: env.size] = env
    top = top.reshape(nb, PEAK_BLOCK).max(axis=1)
    bounds[b0 : b0 + nb] = np.minimum(bounds[b0 : b0 + nb], np.maximum(top, floor) / float(pre) * (1 + _SLACK))


def apply_spans(chunk: np.ndarray, start: int, spans: list[GainSpan], pre: np.float32 = np.float32(1.0),
                *, span_starts: np.ndarray | None = None) -> np.ndarray:
    """``chunk`` (frames ``[start, start + len)``) times ``pre`` times the spans' gains, in place.

    The same float32 operations as :func:`limit`: ``(x * pre) * gain``.
    ``span_starts`` (the spans' starts, for a quick lookup) may be given.
    """
    if pre != 1.0:
        chunk *= pre
    if not spans:
        return chunk
    stop = start + chunk.shape[0]
    starts = span_starts if span_starts is not None else np.array([s.start for s in spans])
    k = max(0, int(np.searchsorted(starts, start, side="right")) - 1)
    for span in spans[k:]:
        if span.start >= stop:
            break
        a, b = max(start, span.start), min(stop, span.stop)
        if a < b:
            g = span.gains[a - span.start : b - span.start]
            chunk[a - start : b - start] *= g if chunk.ndim == 1 else g[:, None]
    return chunk
