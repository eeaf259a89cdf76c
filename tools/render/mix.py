"""Mixing one group's timeline into PCM, one chunk at a time (pure).

Contract: :class:`GroupMixer` renders any sample range ``[start, end)`` of a
group's show on demand, in mono float32 at the timeline's sample rate, and
rendering the whole show in chunks gives exactly the same samples as in one
piece (no state between chunks). Memory is bounded by the chunk size plus
the decoded clips, never by the show's length — a 60-minute show is mixed
in 30-second pieces.

What it mixes:

* ``say``/``sound``: the clip (from the injected sources) starting on the
  event's exact sample, times its gain;
* ``music``: the asset from the event's start to its end, looped if asked,
  with raised-cosine fades in and out, ducked under the group's speech with
  look-ahead ramps (the duck starts *before* the first word);
* music still playing at the end of the show fades over the ``end`` cue's
  ``fade_out``.

Sources are injected (:class:`Sources`): the mixer never touches files, TTS or
the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from flashmob.tools.score.timeline import GroupTimeline, TimelineEvent

DUCK_ATTACK_S = 0.12     # ramp down, ending where speech starts
DUCK_RELEASE_S = 0.45    # ramp back up, starting where speech ends
DUCK_HOLD_GAP_S = 0.8    # speech gaps shorter than this stay ducked


@dataclass(frozen=True)
class Sources:
    """Where the mixer gets audio (mono float32 at the show's rate)."""

    speech: Callable[[TimelineEvent], np.ndarray]   # the clip of a `say` event
    asset: Callable[[str], np.ndarray]              # an asset by id
    beep: Callable[[], np.ndarray]                  # the built-in countdown beep


def db(gain_db: float) -> float:
    return float(10.0 ** (gain_db / 20.0))


def _raised_cosine(x: np.ndarray) -> np.ndarray:
    """0 -> 1 smoothly for x in [0, 1] (clipped outside)."""
    return (0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))).astype(np.float32)


@dataclass(frozen=True)
class _Clip:
    start: int
    pcm: np.ndarray
    gain: float


@dataclass(frozen=True)
class _Bed:
    start: int
    end: int
    pcm: np.ndarray
    gain: float
    loop: bool
    fade_in: int
    fade_out: int
    duck: float | None        # linear gain under speech, None = no ducking


class GroupMixer:
    """Renders ``[start, end)`` of one group's mix; see module docstring."""

    def __init__(self, group: GroupTimeline, duration: int, sample_rate: int, sources: Sources):
        self.duration = duration
        self.sample_rate = sample_rate
        self.clips: list[_Clip] = []
        self.beds: list[_Bed] = []
        says: list[_Clip] = []
        end_fade = 0
        for ev in group.events:
            if ev.kind == "end":
                end_fade = ev.fade_out
        for ev in group.events:
            if ev.kind == "say":
                says.append(_Clip(ev.start, sources.speech(ev), db(ev.gain_db)))
                self.clips.append(says[-1])
            elif ev.kind == "sound":
                pcm = sources.asset(ev.asset) if ev.asset else sources.beep()
                self.clips.append(_Clip(ev.start, pcm, db(ev.gain_db)))
            elif ev.kind == "music":
                end = min(ev.end, duration)
                fade_out = max(ev.fade_out, end_fade) if end >= duration else ev.fade_out
                self.beds.append(_Bed(ev.start, end, sources.asset(ev.asset), db(ev.gain_db), ev.loop,
                                      ev.fade_in, fade_out, None if ev.duck_db is None else db(ev.duck_db)))
        self.speech = self._speech_spans(says)
        # range lookups (a limiter or a segment re-reads short ranges: 1 ms, not 200 clips, per call)
        order = sorted(range(len(self.clips)), key=lambda i: self.clips[i].start)
        self._by_start = np.array(order, dtype=np.int64)
        self._starts = np.array([self.clips[i].start for i in order], dtype=np.int64)
        self._longest = max((len(c.pcm) for c in self.clips), default=0)
        self._speech_ends = np.array([e for _, e in self.speech], dtype=np.int64)

    def _speech_spans(self, says: list[_Clip]) -> list[tuple[int, int]]:
        """Merged [start, end) spans of speech, gaps shorter than the hold merged."""
        hold = int(DUCK_HOLD_GAP_S * self.sample_rate)
        spans = sorted((c.start, c.start + len(c.pcm)) for c in says)
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s - merged[-1][1] <= hold:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        return [(s, e) for s, e in merged]

    def render(self, start: int, end: int) -> np.ndarray:
        """Mono float32 samples of ``[start, end)`` (clamped to the show)."""
        end = min(end, self.duration)
        n = max(0, end - start)
        out = np.zeros(n, dtype=np.float32)
        if n == 0:
            return out
        for bed in self.beds:
            self._add_bed(out, start, end, bed)
        lo = int(np.searchsorted(self._starts, start - self._longest, side="right"))
        hi = int(np.searchsorted(self._starts, end, side="left"))
        for i in sorted(self._by_start[lo:hi].tolist()):     # the clips that may overlap, in score order
            clip = self.clips[i]
            a, b = max(start, clip.start), min(end, clip.start + len(clip.pcm))
            if a < b:
                out[a - start:b - start] += clip.pcm[a - clip.start:b - clip.start] * clip.gain
        return out

    def _add_bed(self, out: np.ndarray, start: int, end: int, bed: _Bed) -> None:
        a, b = max(start, bed.start), min(end, bed.end)
        n_src = len(bed.pcm)
        if a >= b or n_src == 0:
            return
        p0, n = a - bed.start, b - a                 # position in the bed, sample count
        if bed.loop:
            sig = np.empty(n, dtype=np.float32)
            filled, src = 0, p0 % n_src
            while filled < n:                        # the asset repeated by slices
                take = min(n - filled, n_src - src)
                sig[filled:filled + take] = bed.pcm[src:src + take]
                filled, src = filled + take, 0
        else:
            if p0 >= n_src:
                return
            n = min(n, n_src - p0)
            sig = np.array(bed.pcm[p0:p0 + n], dtype=np.float32)
        sig *= np.float32(bed.gain)
        # fades: only the samples inside a fade are touched
        if bed.fade_in > 0 and p0 < bed.fade_in:
            k = min(n, bed.fade_in - p0)
            sig[:k] *= _raised_cosine(np.arange(p0, p0 + k) / bed.fade_in)
        length = bed.end - bed.start
        if bed.fade_out > 0 and p0 + n > length - bed.fade_out:
            k0 = max(0, length - bed.fade_out - p0)
            sig[k0:] *= _raised_cosine((length - np.arange(p0 + k0, p0 + n)) / bed.fade_out)
        if bed.duck is not None and self.speech:
            depth = self._duck_depth(a, a + n)
            if depth is not None:
                sig *= (1.0 - (1.0 - bed.duck) * depth).astype(np.float32)
        out[a - start:a - start + n] += sig

    def _duck_depth(self, a: int, b: int) -> np.ndarray | None:
        """Ducking depth in [0, 1] for samples [a, b) (None when no speech is near):
        1 during speech, raised-cosine ramps before it (attack) and after (release)."""
        attack = max(1, int(DUCK_ATTACK_S * self.sample_rate))
        release = max(1, int(DUCK_RELEASE_S * self.sample_rate))
        depth = None
        first = int(np.searchsorted(self._speech_ends, a - release, side="right"))  # spans ending before a - release
        for s, e in self.speech[first:]:
            if s - attack >= b:
                break
            if e + release <= a:
                continue
            if depth is None:
                depth = np.zeros(b - a, dtype=np.float32)
            for lo, hi, ramp in ((s - attack, s, lambda t: (t - (s - attack)) / attack),
                                 (s, e, None), (e, e + release, lambda t: ((e + release) - t) / release)):
                lo, hi = max(lo, a), min(hi, b)
                if lo >= hi:
                    continue
                if ramp is None:
                    depth[lo - a:hi - a] = 1.0
                else:
                    seg = depth[lo - a:hi - a]
                    np.maximum(seg, _raised_cosine(ramp(np.arange(lo, hi))), out=seg)
        return depth
