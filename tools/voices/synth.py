"""The synthesis pipeline shared by all engines.

``Synthesizer.synthesize(text, settings)`` returns ``(samples, rate)``:
float32 mono at the show's sample rate, such that:

* the first sample is the speech onset (leading and trailing silence below
  ``TRIM_BELOW_PEAK_DB`` under the utterance's peak are cut), so a cue at
  timeline sample ``t`` is heard starting exactly at ``t``;
* the peak is at ``settings.peak_dbfs`` (when set), then ``gain_db`` is applied;
* the result is a pure function of (engine, engine version, voice identity,
  settings, text, sample rate) — and is cached on disk under exactly that key.

Long text is spoken piece by piece (:mod:`tools.voices.chunks`: sentences,
at most 300 characters each, with :data:`PIECE_PAUSE_S` of silence between
pieces), so no engine is ever given an unbounded input; a line of at most
300 characters goes to the engine whole, as it always did. Whatever an
engine raises becomes a :class:`VoiceError` with the engine's message on one
line (the original exception chained, for ``--debug``).

Engines are injected (a mapping name -> engine), so tests and the renderer
decide which ones exist; :func:`default_engines` builds the real three.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from ..audio.pcm import apply_gain_db, normalize_peak, peak, resample, trim_silence
from .base import Engine, VoiceError, VoiceSettings
from .cache import VoiceCache, cache_key
from .chunks import chunks

PIECE_PAUSE_S = 0.2
"""Silence between the pieces of a long line (Piper's own pause between sentences)."""

TRIM_BELOW_PEAK_DB = 50.0
"""Samples this far below the utterance's peak count as silence when trimming."""


def default_engines() -> dict[str, Engine]:
    """The real engines: espeak, piper, clips (each loads its library lazily)."""
    from .clips import ClipEngine
    from .espeak import EspeakEngine
    from .piper_voice import PiperEngine

    engines: dict[str, Engine] = {}
    for cls in (EspeakEngine, PiperEngine, ClipEngine):
        try:
            engines[cls.name] = cls()
        except VoiceError:
            continue  # a missing engine is reported when a voice asks for it
    return engines


def finish(raw: np.ndarray, raw_rate: int, sample_rate: int, settings: VoiceSettings) -> np.ndarray:
    """Resample, trim, level and apply gain: the engine-independent part (pure)."""
    x = resample(np.asarray(raw, np.float32), raw_rate, sample_rate)
    top = peak(x)
    if top == 0.0:
        return np.zeros(0, np.float32)
    x = trim_silence(x, 20.0 * np.log10(top) - TRIM_BELOW_PEAK_DB)
    if settings.peak_dbfs is not None:
        x = normalize_peak(x, settings.peak_dbfs)
    return apply_gain_db(x, settings.gain_db) if settings.gain_db else x


class Synthesizer:
    """Engines + cache + show sample rate. Thread-safe if the engines are."""

    def __init__(self, engines: Mapping[str, Engine], cache: VoiceCache | None, sample_rate: int = 44100):
        if not isinstance(sample_rate, int) or sample_rate <= 0:
            raise VoiceError(f"sample rate must be a positive whole number of Hz; got {sample_rate!r}")
        self.engines = dict(engines)
        self.cache = cache
        self.sample_rate = sample_rate

    def engine(self, name: str) -> Engine:
        if name not in self.engines:
            raise VoiceError(f"voice engine '{name}' is not available here; available: {', '.join(sorted(self.engines)) or 'none'}")
        return self.engines[name]

    def key(self, text: str, settings: VoiceSettings) -> str:
        """The cache key of an utterance (validates settings and text)."""
        settings.validate()
        text = _check_text(text)
        engine = self.engine(settings.engine)
        return cache_key(engine=engine.name, engine_version=engine.engine_version(),
                         identity=engine.identity(text, settings), settings=settings.as_key(),
                         text=text, sample_rate=self.sample_rate)

    def synthesize(self, text: str, settings: VoiceSettings) -> tuple[np.ndarray, int]:
        """``(float32 mono samples, sample_rate)``; see module doc. Raises :class:`VoiceError`."""
        key = self.key(text, settings)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return hit, self.sample_rate
        raw, raw_rate = self._render(self.engine(settings.engine), _check_text(text), settings)
        samples = finish(raw, raw_rate, self.sample_rate, settings)
        if samples.size == 0:
            raise VoiceError(f"{settings.engine} produced no sound for {text[:60]!r}")
        if self.cache is not None:
            self.cache.put(key, samples)
        return samples, self.sample_rate


    def _render(self, engine: Engine, text: str, settings: VoiceSettings) -> tuple[np.ndarray, int]:
        pieces = [text] if settings.engine == "clips" else chunks(text)
        parts: list[np.ndarray] = []
        rate = 0
        for piece in pieces:
            try:
                raw, piece_rate = engine.render(piece, settings)
            except VoiceError:
                raise
            except Exception as exc:  # noqa: BLE001 - onnxruntime, ctypes, numpy...: one line for the organizer
                raise VoiceError(f"{settings.engine} failed: {one_line(exc)}") from exc
            if rate and piece_rate != rate:
                raise VoiceError(f"{settings.engine} changed its sample rate mid-line ({rate} -> {piece_rate} Hz)")
            rate = piece_rate
            if parts:
                parts.append(np.zeros(round(PIECE_PAUSE_S * rate), np.float32))
            parts.append(np.asarray(raw, np.float32))
        return (np.concatenate(parts) if parts else np.zeros(0, np.float32)), rate


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception's message as one line: ``Type: first line`` (engines' messages can be pages)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text if type(exc).__name__ in text else f"{type(exc).__name__}: {text}"


def _check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise VoiceError("a spoken line needs some text (or, for clips, a file path)")
    return text.strip()
