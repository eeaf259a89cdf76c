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

from tools.score.timeline import GroupTimeline, TimelineEvent

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
        for clip in self.clips:
            a, b = max(start, clip.start), min(end, clip.start + len(clip.pcm))
            if a < b:
                out[a - start:b - start] += clip.pcm[a - clip.start:b - clip.start] * clip.gain
        return out

    def _add_bed(self, out: np.ndarray, start: int, end: int, bed: _Bed) -> None:
        a, b = max(start, bed.start), min(end, bed.end)
        if a >= b or len(bed.pcm) == 0:
            return
        pos = np.arange(a - bed.start, b - bed.start, dtype=np.int64)
        if bed.loop:
            sig = bed.pcm[pos % len(bed.pcm)]
        else:
            valid = pos < len(bed.pcm)
            if not valid.any():
                return
            sig = np.zeros(len(pos), dtype=np.float32)
            sig[valid] = bed.pcm[pos[valid]]
        env = np.full(len(pos), bed.gain, dtype=np.float32)
        if bed.fade_in > 0:
            env *= _raised_cosine(pos / bed.fade_in)
        if bed.fade_out > 0:
            env *= _raised_cosine((bed.end - bed.start - pos) / bed.fade_out)
        if bed.duck is not None and self.speech:
            env *= self._duck_envelope(a, b, bed.duck)
        out[a - start:b - start] += sig * env

    def _duck_envelope(self, a: int, b: int, duck: float) -> np.ndarray:
        """Gain in [duck, 1] for samples [a, b): 1 - (1 - duck) * depth(t)."""
        attack = int(DUCK_ATTACK_S * self.sample_rate)
        release = int(DUCK_RELEASE_S * self.sample_rate)
        t = np.arange(a, b, dtype=np.int64)
        depth = np.zeros(b - a, dtype=np.float32)
        for s, e in self.speech:
            if e + release <= a or s - attack >= b:
                continue
            d = np.minimum(_raised_cosine((t - (s - attack)) / max(attack, 1)),
                           _raised_cosine(((e + release) - t) / max(release, 1)))
            np.maximum(depth, d, out=depth)
        return (1.0 - (1.0 - duck) * depth).astype(np.float32)
