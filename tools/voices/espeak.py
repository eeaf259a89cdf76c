"""espeak-ng through ctypes: ~100 languages (French included) from the ``espeakng-loader`` wheel.

Three facts shape this module:

* The library is loaded with ``RTLD_LOCAL``. Piper's phonemizer links its
  own copy of espeak-ng; a global load would make Piper call into this one
  and crash.
* libespeak-ng keeps synthesis state in function-level statics (pitch
  "flutter" index, AGC...) that no API call resets, so two syntheses of the
  same text in one loaded library differ. Each utterance therefore gets a
  fresh library instance: load, initialise, speak, terminate, ``dlclose``
  (about 10 ms). That makes the output a pure function of text and settings.
* Audio comes back in memory: ``AUDIO_OUTPUT_SYNCHRONOUS`` plus a synth
  callback that copies each buffer of 16-bit samples (22050 Hz).
"""

from __future__ import annotations

import ctypes
import os
import threading
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import numpy as np

from .base import NORMAL_WPM, VoiceError, VoiceSettings, did_you_mean

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000
CHARS_UTF8 = 1
POS_CHARACTER = 1
EE_OK = 0
PARAM_RATE, PARAM_PITCH = 1, 3
RATE_MIN, RATE_MAX = 80, 450

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p), ("languages", ctypes.c_void_p), ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte), ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte), ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int), ("spare", ctypes.c_void_p),
    ]


def _library_paths() -> tuple[str, str]:
    """(shared library, directory containing ``espeak-ng-data``) from the wheel."""
    try:
        import espeakng_loader

        return espeakng_loader.get_library_path(), str(Path(espeakng_loader.get_data_path()).parent)
    except Exception as e:  # ImportError, RuntimeError("data path not exists")
        raise VoiceError(f"espeak-ng is not available (install the espeakng-loader package): {e}") from e


class EspeakEngine:
    """Engine ``espeak``. Thread-safe (one synthesis at a time)."""

    name = "espeak"

    def __init__(self, library: str | None = None, data_parent: str | None = None):
        if library is None or data_parent is None:
            library, data_parent = _library_paths()
        self.library, self.data_parent = library, data_parent
        self._lock = threading.Lock()
        self._voices: list[tuple[str, tuple[str, ...]]] | None = None
        self._version: str | None = None

    @contextmanager
    def _fresh(self):
        """A freshly loaded and initialised library, unloaded again on exit."""
        with self._lock:
            try:
                lib = ctypes.CDLL(self.library, mode=os.RTLD_LOCAL)
            except OSError as e:
                raise VoiceError(f"cannot load the espeak-ng library {self.library}: {e}") from e
            handle = lib._handle
            try:
                lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
                rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, self.data_parent.encode(), INITIALIZE_DONT_EXIT)
                if rate <= 0:
                    raise VoiceError(f"espeak-ng could not start (data in {self.data_parent})")
                yield lib, rate
            finally:
                try:
                    lib.espeak_Terminate()
                finally:
                    del lib
                    _dlclose(handle)

    def engine_version(self) -> str:
        if self._version is None:
            with self._fresh() as (lib, _):
                lib.espeak_Info.restype = ctypes.c_char_p
                lib.espeak_Info.argtypes = [ctypes.c_void_p]
                native = lib.espeak_Info(None).decode()
            try:
                wheel = metadata.version("espeakng-loader")
            except metadata.PackageNotFoundError:
                wheel = "unknown"
            self._version = f"espeak-ng {native} (espeakng-loader {wheel})"
        return self._version

    def _voice_table(self) -> list[tuple[str, tuple[str, ...]]]:
        """(identifier, languages) of every installed voice."""
        if self._voices is None:
            with self._fresh() as (lib, _):
                lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
                lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
                table, i, found = lib.espeak_ListVoices(None), 0, []
                while table[i]:
                    v = table[i].contents
                    found.append((v.identifier.decode(), tuple(_languages(v.languages))))
                    i += 1
            self._voices = found
        return self._voices

    def available_voices(self) -> list[str]:
        """Language names usable as ``voice`` or ``language`` (``"fr"``, ``"fr-be"``, ``"en-us"``...)."""
        return sorted({lang for _, langs in self._voice_table() for lang in langs})

    def identity(self, text: str, settings: VoiceSettings) -> str:
        return ""  # the version string pins library and data

    def _voice_name(self, settings: VoiceSettings) -> str:
        name = settings.voice or settings.language
        if not name:
            raise VoiceError("an espeak voice needs a voice name or a language (for example 'fr' or 'en-us')")
        base = name.split("+", 1)[0].lower()
        known = set(self.available_voices()) | {ident.lower() for ident, _ in self._voice_table()}
        if base not in known:
            raise VoiceError(f"espeak has no voice '{name}'{did_you_mean(base, sorted(known))}; "
                             f"languages include fr, fr-be, en-us, en-gb, de, es, it")
        return name

    def render(self, text: str, settings: VoiceSettings) -> tuple[np.ndarray, int]:
        if settings.speaker is not None:
            raise VoiceError("espeak voices have no speakers; remove 'speaker' or use a piper voice")
        name = self._voice_name(settings)
        wpm = min(RATE_MAX, max(RATE_MIN, round(NORMAL_WPM * settings.rate)))
        chunks: list[np.ndarray] = []

        def collect(wav, count, _events):
            if wav and count > 0:
                chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
            return 0

        callback = _SYNTH_CALLBACK(collect)
        with self._fresh() as (lib, rate):
            lib.espeak_SetSynthCallback(callback)
            lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
            if lib.espeak_SetVoiceByName(name.encode()) != EE_OK and not _set_by_language(lib, name):
                raise VoiceError(f"espeak cannot select voice '{name}'")
            lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
            lib.espeak_SetParameter(PARAM_RATE, wpm, 0)
            if settings.pitch is not None:
                lib.espeak_SetParameter(PARAM_PITCH, settings.pitch, 0)
            data = text.encode("utf-8")
            lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                         ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
            if lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8, None, None) != EE_OK:
                raise VoiceError(f"espeak failed to speak {text[:40]!r}")
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        return samples.astype(np.float32) / np.float32(32768.0), int(rate)


def _set_by_language(lib, language: str) -> bool:
    """Select a voice by language tag (``"fr-fr"``); True on success."""
    spec = _Voice()
    encoded = language.split("+", 1)[0].encode()
    spec.languages = ctypes.cast(ctypes.c_char_p(encoded), ctypes.c_void_p)
    lib.espeak_SetVoiceByProperties.argtypes = [ctypes.POINTER(_Voice)]
    return lib.espeak_SetVoiceByProperties(ctypes.byref(spec)) == EE_OK


def _languages(address: int | None) -> list[str]:
    """Decode espeak's language list: (priority byte, NUL-terminated name)*, then a 0 byte."""
    names = []
    while address:
        if ctypes.c_ubyte.from_address(address).value == 0:
            break
        name = ctypes.string_at(address + 1)
        names.append(name.decode("utf-8", "replace"))
        address += 2 + len(name)
    return names


def _dlclose(handle: int) -> None:
    """Unload the library so the next load starts from pristine static state."""
    import _ctypes

    _ctypes.dlclose(handle)
