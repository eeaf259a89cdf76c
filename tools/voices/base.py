"""The voice-engine interface: settings, the engine protocol, the error class.

An *engine* turns text into raw mono audio at its own sample rate. The
common pipeline (:mod:`tools.voices.synth`) then resamples, trims, levels
and caches, so engines stay small. Every engine is deterministic: the same
text and settings give the same samples, which is what makes the disk cache
and byte-identical renders possible.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np

from ..audio.errors import AudioError

ENGINES = ("espeak", "piper", "clips")
NORMAL_WPM = 175
"""Speaking rate (words per minute) that ``rate=1.0`` means for espeak."""


class VoiceError(AudioError):
    """A voice cannot speak: unknown engine or voice, missing model file, bad settings..."""


@dataclass(frozen=True)
class VoiceSettings:
    """How to say a line. Mirrors the score's ``voices:`` entries.

    ``engine``     ``"espeak"``, ``"piper"`` or ``"clips"``.
    ``voice``      espeak: a voice name such as ``"fr"``, ``"en-us"``, ``"fr+f3"``
                   (a ``+variant`` changes the timbre); piper: ``None`` or
                   ``"joe"`` for the bundled US English voice, or the path of a
                   Piper ``.onnx`` voice file (its ``.onnx.json`` beside it);
                   clips: an optional directory that relative clip paths start from.
    ``language``   espeak: used when ``voice`` is None (``"fr"``, ``"en-gb"``...).
    ``rate``       speed, 1.0 = the engine's normal pace (espeak: 175 words/min;
                   piper: the voice's own pace). Clips only accept 1.0.
    ``pitch``      espeak only: base pitch 0-100 (50 = normal).
    ``speaker``    piper only: speaker number of a multi-speaker voice.
    ``gain_db``    applied last.
    ``peak_dbfs``  each utterance is scaled so its peak sits here before the
                   gain, so engines that speak at different levels match;
                   None keeps the engine's own level.
    """

    engine: str = "espeak"
    voice: str | None = None
    language: str | None = None
    rate: float = 1.0
    pitch: int | None = None
    speaker: int | None = None
    gain_db: float = 0.0
    peak_dbfs: float | None = -3.0

    def validate(self) -> "VoiceSettings":
        """Return self or raise :class:`VoiceError` saying which setting is wrong."""
        if self.engine not in ENGINES:
            raise VoiceError(f"unknown voice engine '{self.engine}'{did_you_mean(str(self.engine), ENGINES)}; "
                             f"use one of {', '.join(ENGINES)}")
        for name in ("voice", "language"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise VoiceError(f"voice {name} must be a non-empty text; got {value!r}")
        if not _finite(self.rate) or not 0.25 <= self.rate <= 4.0:
            raise VoiceError(f"voice rate must be between 0.25 and 4 (1 = normal speed); got {self.rate!r}")
        if self.pitch is not None and (isinstance(self.pitch, bool) or not isinstance(self.pitch, int)
                                       or not 0 <= self.pitch <= 100):
            raise VoiceError(f"voice pitch must be a whole number from 0 to 100 (50 = normal); got {self.pitch!r}")
        if self.speaker is not None and (isinstance(self.speaker, bool) or not isinstance(self.speaker, int)
                                         or self.speaker < 0):
            raise VoiceError(f"voice speaker must be a whole number >= 0; got {self.speaker!r}")
        if not _finite(self.gain_db) or not -60 <= self.gain_db <= 24:
            raise VoiceError(f"voice gain must be between -60 and +24 dB; got {self.gain_db!r}")
        if self.peak_dbfs is not None and (not _finite(self.peak_dbfs) or not -40 <= self.peak_dbfs <= 0):
            raise VoiceError(f"voice peak level must be between -40 and 0 dBFS; got {self.peak_dbfs!r}")
        return self

    def as_key(self) -> dict:
        """The settings as a plain dict, for cache keys."""
        return asdict(self)


def _finite(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


class Engine(Protocol):
    """What an engine provides. Engines raise :class:`VoiceError` for anything they cannot do."""

    name: str

    def engine_version(self) -> str:
        """Version string of the engine and whatever shapes its output (library, runtime)."""

    def available_voices(self) -> list[str]:
        """Voice names accepted in ``VoiceSettings.voice`` (sorted)."""

    def identity(self, text: str, settings: VoiceSettings) -> str:
        """Everything besides text and settings that determines the output (e.g. a model file's sha256)."""

    def render(self, text: str, settings: VoiceSettings) -> tuple[np.ndarray, int]:
        """Raw mono float32 audio and its sample rate (before resampling, trimming, levelling)."""


def did_you_mean(word: str, choices) -> str:
    """A " (did you mean 'x'?)" suffix, or "" when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
