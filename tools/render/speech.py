"""Shell: every `say` of a compiled timeline -> a speech clip on disk.

Clips are synthesized once per distinct (text, voice) and shared by every
group (and cached across renders by ``tools.voices``). The result maps each
`say` event id to a ``.npy`` file that worker processes memory-map, and gives
:class:`RealDurations` so the score can be recompiled with the true lengths.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Callable

import numpy as np

from flashmob.tools.score.durations import EstimatedDurations
from flashmob.tools.score.errors import Diagnostic, ScoreError
from flashmob.tools.score.model import Score, Voice
from flashmob.tools.score.timeline import Timeline
from flashmob.tools.voices import Synthesizer, VoiceError, VoiceSettings


def voice_settings(score: Score, voice: Voice, clip: str | None) -> tuple[str, VoiceSettings] | None:
    """(text-or-path, settings) telling the voice engine what to do for a line;
    None when the line's text is to be spoken (caller passes the text)."""
    if clip is not None:
        path = score.assets[clip].path if clip in score.assets else clip
        return os.path.join(score.base_dir, path), VoiceSettings(engine="clips")
    return None


def tts_settings(score: Score, voice: Voice) -> VoiceSettings:
    model = voice.voice
    if voice.engine == "piper" and model and model.endswith(".onnx") and not os.path.isabs(model):
        model = os.path.join(score.base_dir, model)
    return VoiceSettings(engine=voice.engine, voice=model, language=voice.language or score.language,
                         rate=voice.rate, gain_db=0.0)


@dataclass
class SpeechBank:
    """Synthesized lines of one render; see module docstring."""

    score: Score
    synth: Synthesizer
    work_dir: str
    files: dict[tuple, str]

    @classmethod
    def create(cls, score: Score, synth: Synthesizer, work_dir: str) -> "SpeechBank":
        os.makedirs(work_dir, exist_ok=True)
        return cls(score, synth, work_dir, {})

    def _request(self, text: str, voice: Voice, clip: str | None) -> tuple[str, VoiceSettings]:
        direct = voice_settings(self.score, voice, clip)
        if direct:
            return direct
        if voice.engine == "clips":
            raise VoiceError(f"voice '{voice.id}' plays recordings only: give this line a 'clip'")
        return text, tts_settings(self.score, voice)

    def clip(self, text: str, voice: Voice, clip: str | None) -> np.ndarray:
        what, settings = self._request(text, voice, clip)
        key = (what, settings)
        if key not in self.files:
            samples, _ = self.synth.synthesize(what, settings)
            name = hashlib.sha256(repr(key).encode()).hexdigest()[:24] + ".npy"
            path = os.path.join(self.work_dir, name)
            np.save(path, samples)
            self.files[key] = path
        return np.load(self.files[key], mmap_mode="r")

    def path(self, text: str, voice: Voice, clip: str | None) -> str:
        self.clip(text, voice, clip)
        return self.files[self._request(text, voice, clip)]

    def synthesize_all(self, timeline: Timeline, progress: Callable[[int, int], None] = lambda i, n: None) -> None:
        """Synthesize every line of ``timeline``; all errors reported at once as ScoreError."""
        says = {}
        for gt in timeline.groups:
            for e in gt.events:
                if e.kind == "say":
                    says.setdefault((e.text, e.voice, e.clip), e)
        problems = []
        for i, ((text, voice, clip), ev) in enumerate(says.items()):
            try:
                self.clip(text, voice, clip)
            except VoiceError as exc:
                problems.append(Diagnostic(ev.loc, f"cannot speak this line: {' '.join(str(exc).split())}"))
            progress(i + 1, len(says))
        if problems:
            raise ScoreError(problems)


class RealDurations(EstimatedDurations):
    """Speech lengths from the synthesized clips; asset lengths as measured."""

    def __init__(self, bank: SpeechBank, asset_us: dict[str, int]):
        super().__init__(asset_us)
        self.bank = bank

    def speech(self, text, voice, clip):
        n = len(self.bank.clip(text, voice, clip))
        return n * 1_000_000 // self.bank.score.sample_rate, False
