"""Voices: text (or a recording) -> float32 mono samples at the show's rate.

Quick use::

    from flashmob.tools.voices import VoiceSettings, synthesize
    samples, rate = synthesize("Levez les bras !", VoiceSettings(engine="espeak", voice="fr"))

Engines: ``espeak`` (espeak-ng, ~100 languages incl. French), ``piper``
(neural; bundled US English voice or any Piper ``.onnx`` file), ``clips``
(recorded files). See :class:`VoiceSettings` for the settings and
:mod:`tools.voices.synth` for the guarantees (onset on the first sample,
levels, determinism, cache). Every failure is a :class:`VoiceError`.

The module-level functions use one process-wide :class:`Synthesizer` with
the real engines and the default disk cache (``$FLASHMOB_CACHE/voices`` or
``~/.cache/flashmob/voices``); build your own ``Synthesizer`` to choose
engines, cache directory or sample rate.
"""

from __future__ import annotations

import threading

import numpy as np

from .base import ENGINES, Engine, VoiceError, VoiceSettings
from .cache import VoiceCache, default_cache_dir
from .synth import Synthesizer, default_engines

__all__ = [
    "ENGINES", "Engine", "Synthesizer", "VoiceCache", "VoiceError", "VoiceSettings",
    "available_voices", "default_cache_dir", "default_engines", "engine_version", "synthesize",
]

_shared: dict[int, Synthesizer] = {}
_engines: dict[str, Engine] | None = None
_lock = threading.Lock()


def _synthesizer(sample_rate: int) -> Synthesizer:
    global _engines
    with _lock:
        if _engines is None:
            _engines = default_engines()
        if sample_rate not in _shared:
            _shared[sample_rate] = Synthesizer(_engines, VoiceCache(default_cache_dir()), sample_rate)
        return _shared[sample_rate]


def synthesize(text: str, settings: VoiceSettings, *, sample_rate: int = 44100) -> tuple[np.ndarray, int]:
    """Speak ``text`` with ``settings``: ``(float32 mono samples, sample_rate)``, cached on disk."""
    return _synthesizer(sample_rate).synthesize(text, settings)


def engine_version(engine: str) -> str:
    """Version string of one engine (``"espeak"``, ``"piper"``, ``"clips"``)."""
    return _synthesizer(44100).engine(engine).engine_version()


def available_voices(engine: str) -> list[str]:
    """Voice names one engine accepts (piper also takes any ``.onnx`` path; clips take file paths)."""
    return _synthesizer(44100).engine(engine).available_voices()
