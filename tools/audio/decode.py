"""Decode audio files with two independent real decoders, for verification.

Rendered MP3s are proven by decoding them the way players will:

* :func:`decode_soundfile` uses libsndfile (bundled in the ``soundfile``
  wheel), which decodes MP3 with libmpg123 — the decoder family of many
  Linux/Android players;
* :func:`decode_ffmpeg` runs the ffmpeg CLI bundled by ``imageio-ffmpeg``
  (libavcodec's ``mp3float``) — the decoder Chromium and Firefox build upon.

Both honour the Xing/Info LAME tag (encoder delay and padding) when there is
one, and both return ``(samples, sample_rate)`` with float32 samples shaped
``(n,)`` for mono or ``(n, channels)`` otherwise (see :mod:`tools.audio.pcm`).
Any failure raises :class:`DecodeError`.
"""

from __future__ import annotations

import os
import struct
import subprocess
from pathlib import Path

import numpy as np

from .errors import AudioError

_WAVE_FORMAT_IEEE_FLOAT = 3
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE


class DecodeError(AudioError):
    """A file could not be decoded (missing, unreadable or not audio)."""


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped in the ``imageio-ffmpeg`` wheel."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as e:  # ImportError or RuntimeError("no ffmpeg found")
        raise DecodeError(f"ffmpeg is not available (imageio-ffmpeg): {e}") from e


def _existing(path: str | os.PathLike) -> Path:
    p = Path(path)
    if not p.is_file():
        raise DecodeError(f"audio file not found: {p}")
    return p


def decode_soundfile(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Decode ``path`` with libsndfile/libmpg123; returns ``(float32 samples, rate)``."""
    import soundfile

    p = _existing(path)
    try:
        data, rate = soundfile.read(str(p), dtype="float32", always_2d=False)
    except Exception as e:  # soundfile.LibsndfileError, RuntimeError, TypeError...
        raise DecodeError(f"cannot decode {p} with libsndfile: {e}") from e
    return np.ascontiguousarray(data, dtype=np.float32), int(rate)


def decode_ffmpeg(path: str | os.PathLike, *, ffmpeg: str | None = None) -> tuple[np.ndarray, int]:
    """Decode ``path`` with the ffmpeg CLI; returns ``(float32 samples, rate)``.

    The file's own sample rate and channel count are kept (no resampling).
    ``ffmpeg`` overrides the binary (default: :func:`ffmpeg_exe`).
    """
    p = _existing(path)
    cmd = [
        ffmpeg or ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
        "-i", str(p), "-map", "0:a:0", "-vn", "-c:a", "pcm_f32le", "-f", "wav", "pipe:1",
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, check=False)
    except OSError as e:
        raise DecodeError(f"cannot run ffmpeg to decode {p}: {e}") from e
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DecodeError(f"ffmpeg cannot decode {p}: {msg[-1] if msg else 'unknown error'}")
    return parse_wav_float32(proc.stdout)


def parse_wav_float32(data: bytes) -> tuple[np.ndarray, int]:
    """Samples and rate of a RIFF/WAVE byte string holding 32-bit float PCM.

    Tolerates the placeholder sizes a streaming writer (ffmpeg to a pipe)
    leaves in the headers: the ``data`` chunk extends to the end of ``data``
    when its declared size is larger than what is there. Unknown chunks
    (``LIST``, ``fact``...) are skipped. Raises :class:`DecodeError` for
    anything that is not float32 WAVE.
    """
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RF64") or data[8:12] != b"WAVE":
        raise DecodeError("decoder output is not a WAVE stream")
    pos, channels, rate = 12, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if cid == b"fmt ":
            fmt, channels, rate = struct.unpack_from("<HHI", data, body)
            bits = struct.unpack_from("<H", data, body + 14)[0]
            if fmt == _WAVE_FORMAT_EXTENSIBLE and size >= 40:
                fmt = struct.unpack_from("<H", data, body + 24)[0]
            if fmt != _WAVE_FORMAT_IEEE_FLOAT or bits != 32 or channels < 1:
                raise DecodeError(f"decoder output is not 32-bit float PCM (format {fmt}, {bits} bits)")
        elif cid == b"data":
            if channels is None or rate is None:
                raise DecodeError("WAVE stream has its data before its format")
            end = len(data) if size == 0 or body + size > len(data) else body + size
            usable = (end - body) // (4 * channels) * (4 * channels)
            samples = np.frombuffer(data, dtype="<f4", count=usable // 4, offset=body).astype(np.float32)
            if channels > 1:
                samples = samples.reshape(-1, channels)
            return samples, int(rate)
        pos = body + size + (size & 1)
    raise DecodeError("WAVE stream has no data chunk")
