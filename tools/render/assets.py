"""Shell: load asset files as mono float32 at the show's sample rate.

Files are read by :func:`tools.voices.clips.load_audio_file` (libsndfile for
WAV/FLAC/Ogg, the ffmpeg CLI of ``imageio-ffmpeg`` for MP3 and anything else,
its messages captured): nothing is printed. No pydub: it warns at import when
no system ffmpeg is installed and needs ffprobe, which imageio-ffmpeg lacks.
Stereo assets are mixed down to mono (group MP3s are mono: instructions in
both ears, half the download). Loaded assets are cached per process.
"""

from __future__ import annotations

import os

import numpy as np

from flashmob.tools.audio.errors import AudioError
from flashmob.tools.audio.pcm import resample, to_mono


class AssetError(AudioError):
    """An asset file cannot be loaded."""


def load_audio(path: str, sample_rate: int) -> np.ndarray:
    """Mono float32 samples of ``path`` at ``sample_rate``; raises AssetError."""
    from flashmob.tools.voices.clips import load_audio_file
    from flashmob.tools.voices.base import VoiceError

    if not os.path.isfile(path):
        raise AssetError(f"{path}: file not found")
    try:
        data, rate = load_audio_file(path)
    except VoiceError as exc:
        raise AssetError(f"{path}: {exc}") from None
    if data.size == 0:
        raise AssetError(f"{path}: the file holds no audio")
    return resample(to_mono(data), rate, sample_rate)


class AssetBank:
    """Asset id -> samples, loaded on first use (per process)."""

    def __init__(self, paths: dict[str, str], sample_rate: int):
        self.paths = paths
        self.sample_rate = sample_rate
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, asset_id: str) -> np.ndarray:
        if asset_id not in self._cache:
            path = self.paths.get(asset_id, asset_id)
            if not os.path.isfile(path):
                raise AssetError(f"{path}: file not found")
            self._cache[asset_id] = load_audio(path, self.sample_rate)
        return self._cache[asset_id]


def builtin_beep(sample_rate: int) -> np.ndarray:
    """The countdown beep: 250 ms of 880 Hz with 5 ms raised-cosine edges."""
    n = sample_rate // 4
    t = np.arange(n) / sample_rate
    edge = int(0.005 * sample_rate)
    env = np.ones(n)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(edge) / edge)
    env[:edge], env[-edge:] = ramp, ramp[::-1]
    return (0.5 * np.sin(2 * np.pi * 880 * t) * env).astype(np.float32)
