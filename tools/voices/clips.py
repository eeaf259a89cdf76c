"""Recorded clips as a voice engine, and the audio-file loader the renderer shares.

With engine ``clips`` the "text" of a line is the path of a recording
(wav, flac, ogg, mp3, or anything ffmpeg reads), absolute or relative to
``settings.voice`` (a directory; the current directory when None). The
clip is downmixed to mono and then goes through the same pipeline as
speech (resampling, trimming, levelling, cache), so a recording made by a
human replaces a TTS line without changing its cue.

:func:`load_audio_file` keeps all channels, for music beds and sound cues.
It reads WAV, FLAC and Ogg with libsndfile (exact, in-process) and MP3 and
anything else (m4a/aac, opus in webm...) with the ffmpeg CLI of
``imageio-ffmpeg`` (:func:`tools.audio.decode.decode_ffmpeg`; gapless trimming from
the LAME tag, its messages captured — libsndfile's MP3 path, libmpg123, prints
straight to stderr). Not pydub: its ``from_file`` runs ``ffprobe`` for anything but
WAV, and imageio-ffmpeg ships no ffprobe.
"""

from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path

import numpy as np

from .base import VoiceError, VoiceSettings


def load_audio_file(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """``(float32 samples (n,) or (n, channels), sample rate)`` of an audio file.

    Raises :class:`VoiceError` when the file is missing or no decoder can read it.
    """
    p = Path(path)
    if not p.is_file():
        raise VoiceError(f"audio file not found: {p}")
    import soundfile

    from ..audio.probe import container

    with open(p, "rb") as fh:
        kind = container(fh.read(64))
    if kind not in (None, "MP3"):  # libmpg123 prints to stderr: MP3 goes to ffmpeg, whose messages are captured
        try:
            with open(p, "rb") as fh:  # a file object: no guess from the name (see tools.audio.probe)
                data, rate = soundfile.read(fh, dtype="float32", always_2d=False)
            return np.ascontiguousarray(data, np.float32), int(rate)
        except Exception:  # libsndfile cannot read it: let ffmpeg try
            pass
    return _load_with_ffmpeg(p)


def _load_with_ffmpeg(p: Path) -> tuple[np.ndarray, int]:
    from ..audio.decode import DecodeError, decode_ffmpeg

    try:
        return decode_ffmpeg(p)
    except DecodeError as e:
        raise VoiceError(f"cannot read audio file {p}: not a recording ffmpeg understands") from e


class ClipEngine:
    """Engine ``clips``: the text is a file path."""

    name = "clips"

    def engine_version(self) -> str:
        import soundfile

        try:
            ffmpeg = metadata.version("imageio-ffmpeg")
        except metadata.PackageNotFoundError:
            ffmpeg = "absent"
        return f"soundfile {soundfile.__version__} ({soundfile.__libsndfile_version__}), imageio-ffmpeg {ffmpeg}"

    def available_voices(self) -> list[str]:
        """Clips have no named voices: ``voice`` is an optional base directory."""
        return []

    def clip_path(self, text: str, settings: VoiceSettings) -> Path:
        p = Path(text.strip()).expanduser()
        if not p.is_absolute() and settings.voice:
            p = Path(settings.voice).expanduser() / p
        if not p.is_file():
            raise VoiceError(f"recorded clip not found: {p}")
        return p

    def identity(self, text: str, settings: VoiceSettings) -> str:
        digest = hashlib.sha256()
        with open(self.clip_path(text, settings), "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def render(self, text: str, settings: VoiceSettings) -> tuple[np.ndarray, int]:
        if settings.rate != 1.0 or settings.pitch is not None or settings.speaker is not None:
            raise VoiceError("recorded clips play as recorded: remove rate, pitch and speaker from this voice")
        samples, rate = load_audio_file(self.clip_path(text, settings))
        if samples.ndim == 2:
            samples = samples.mean(axis=1, dtype=np.float64).astype(np.float32)
        return samples, rate
