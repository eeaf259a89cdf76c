"""Gapless, sample-exact, deterministic MP3 encoding.

Contract of :func:`encode_mp3`: for PCM of ``n`` samples, the returned bytes
are a constant-bitrate MP3 whose first frame is a Xing "Info" frame with a
LAME tag (encoder delay 576, padding), so that libmpg123 (soundfile) and
libavcodec (ffmpeg, browsers built on it) decode **exactly n samples, sample 0
of the input first** (within codec error; proven by tests with both real
decoders). Identical input and settings give byte-identical output.

How: LAME itself (through the ``lameenc`` wheel) writes no Info frame, so
decoders would return 576 + 529 = 1105 extra samples first. The ffmpeg CLI
bundled by ``imageio-ffmpeg`` (libmp3lame inside) writes the Info frame when
its output file is seekable, so we encode to a temporary file. ``-fflags
+bitexact -flags +bitexact`` removes ffmpeg's version string, no ID3 tag and
no metadata are written: the bytes depend only on the samples and the
:class:`EncodeSettings`. ffmpeg gets the tag's padding wrong for 47 of every
1152 lengths (decoders then return up to 47 extra samples at the end), so the
padding field is rewritten with the exact value
(:func:`tools.audio.mp3info.with_exact_length`). Samples go to ffmpeg as 32-bit float so nothing is
quantised twice; a 60-minute track is streamed in chunks, never copied whole.

CPU time of the ffmpeg CLI per hour of a speech + music-bed mix, mono, 96 kb/s,
on this 2-core machine, quiet (docs/benchmarks.md, "Renderer"; +-10 % run to
run): quality 2: 42 s, 3: 26 s, 4: 24 s, 5: 22 s, 6: 25 s, 7: 16 s, 8: 17.5 s,
9: 15 s. The default 7 skips LAME's noise shaping (5, its "good" mode, shapes
the noise): at 96 kb/s it has the lower noise floor in every band and the same
or a better PESQ-WB score on the renderer's content, for ~30 % less CPU
(docs/benchmarks.md, "LAME quality 5 or 7").

Level: the decoded MP3 has the level of its PCM. LAME itself scales every
constant-bitrate encode by a factor of its bitrate (:func:`lame_scale`: 0.95
up to 160 kb/s, -0.45 dB), so :class:`Mp3Writer` multiplies the samples by
the inverse before LAME sees them (tests: decoded/input gain 1 within
0.01 dB at every bitrate, rate and channel count).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import AudioError
from .decode import ffmpeg_exe
from .mp3info import Mp3InfoError, with_exact_length
from .pcm import PcmError, as_float32, channel_count

MPEG1_RATES = (32000, 44100, 48000)
"""Sample rates accepted (MPEG-1 layer III: 1152-sample frames)."""

MPEG1_BITRATES_KBPS = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
"""Constant bitrates accepted (kb/s)."""

MIN_SAMPLES = 1152
"""Shortest input accepted: one MP3 frame. (ffmpeg's decoder returns 47
samples for inputs of 1..43 samples, so very short files are not exact.)"""

ENCODER_DELAY = 576
"""Samples of priming LAME puts before sample 0 (recorded in the LAME tag)."""

LAME_SCALE = {8: 0.95, 16: 0.95, 24: 0.95, 32: 0.95, 40: 0.95, 48: 0.95, 56: 0.95, 64: 0.95, 80: 0.95,
              96: 0.95, 112: 0.95, 128: 0.95, 160: 0.95, 192: 0.97, 224: 0.98, 256: 1.0, 320: 1.0}
"""The ``scale`` column of LAME's ``abr_switch_map`` (libmp3lame/presets.c, LAME 3.99-3.100;
"ABR seems to have big problems with clipping, especially at low bitrates so we compensate
for that here by using a scale value depending on bitrate"). For a CBR encode
``lame_init_params`` calls ``apply_preset(gfp, brate, 0)``, which multiplies LAME's output
scale by the entry of the nearest bitrate: it depends on the bitrate only, not on the quality,
the sample rate or the channel count, and since it multiplies whatever scale was set it cannot
be turned off (ffmpeg's libmp3lame wrapper has no scale option anyway)."""

_CHUNK_FRAMES = 1 << 18  # samples per write to ffmpeg's stdin (1 MiB for mono float32)


class EncodeError(AudioError):
    """Encoding failed: bad settings or PCM, or the ffmpeg encoder failed."""


@dataclass(frozen=True)
class EncodeSettings:
    """Settings shared by every group's MP3 and every segment of a show.

    ``quality`` is LAME's algorithm quality: 0 best and slowest, 9 fastest.
    """

    sample_rate: int = 44100
    channels: int = 1
    bitrate_kbps: int = 128
    quality: int = 7

    def validate(self) -> "EncodeSettings":
        """Return self, or raise :class:`EncodeError` naming the bad setting."""
        if self.sample_rate not in MPEG1_RATES:
            raise EncodeError(f"MP3 sample rate must be one of {MPEG1_RATES} Hz; got {self.sample_rate!r}")
        if self.channels not in (1, 2):
            raise EncodeError(f"MP3 channels must be 1 (mono) or 2 (stereo); got {self.channels!r}")
        if self.bitrate_kbps not in MPEG1_BITRATES_KBPS:
            raise EncodeError(f"MP3 bitrate must be one of {MPEG1_BITRATES_KBPS} kb/s; got {self.bitrate_kbps!r}")
        if isinstance(self.quality, bool) or self.quality not in range(10):
            raise EncodeError(f"MP3 quality must be a whole number from 0 (best) to 9 (fastest); got {self.quality!r}")
        return self


def lame_scale(bitrate_kbps: int) -> float:
    """The factor LAME multiplies a constant-bitrate encode by (:data:`LAME_SCALE`, nearest entry)."""
    nearest = min(LAME_SCALE, key=lambda k: (abs(k - bitrate_kbps), k))
    return LAME_SCALE[nearest]


def ffmpeg_command(ffmpeg: str, settings: EncodeSettings, out_path: str) -> list[str]:
    """The ffmpeg argument list that reads raw float32 PCM on stdin and writes ``out_path``."""
    s = settings
    return [
        ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-f", "f32le", "-ar", str(s.sample_rate), "-ac", str(s.channels), "-i", "pipe:0",
        "-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact",
        "-c:a", "libmp3lame", "-b:a", f"{s.bitrate_kbps}k", "-compression_level", str(s.quality),
        "-id3v2_version", "0", "-write_xing", "1",
        "-f", "mp3", "-y", out_path,
    ]


def check_pcm(pcm: np.ndarray, settings: EncodeSettings) -> np.ndarray:
    """``pcm`` as C-contiguous float32 after checking it fits ``settings``."""
    try:
        x = as_float32(pcm)
    except PcmError as e:
        raise EncodeError(f"cannot encode: {e}") from e
    if channel_count(x) != settings.channels:
        raise EncodeError(f"audio has {channel_count(x)} channel(s) but the MP3 settings ask for {settings.channels}")
    if x.shape[0] < MIN_SAMPLES:
        raise EncodeError(f"audio is too short to encode: {x.shape[0]} samples (at least {MIN_SAMPLES} needed)")
    return np.ascontiguousarray(x)


def encode_mp3(
    pcm: np.ndarray,
    settings: EncodeSettings = EncodeSettings(),
    *,
    ffmpeg: str | None = None,
    tmp_dir: str | os.PathLike | None = None,
) -> bytes:
    """MP3 bytes for ``pcm`` (int16 or float, ``(n,)`` or ``(n, 2)``); see module doc.

    ``ffmpeg`` overrides the binary, ``tmp_dir`` where the temporary output
    file lives. Raises :class:`EncodeError`.
    """
    settings.validate()
    x = check_pcm(pcm, settings)
    with Mp3Writer(settings, ffmpeg=ffmpeg, tmp_dir=tmp_dir) as writer:
        writer.write(x)
        return writer.finish()


class Mp3Writer:
    """Streaming form of :func:`encode_mp3`: PCM goes in chunk by chunk, the MP3 comes out at the end.

    ::

        with Mp3Writer(settings) as w:
            for chunk in chunks:
                w.write(chunk)          # float32 (n,) or (n, channels)
            mp3 = w.finish()            # same bytes as encode_mp3(all chunks joined)

    ffmpeg encodes in its own process while the caller prepares the next
    chunk (a pipe write blocks only while ffmpeg is busy), so producing the
    audio and encoding it overlap on two cores. Leaving the ``with`` block
    without :meth:`finish` (an exception) kills ffmpeg and removes its files.
    """

    def __init__(self, settings: EncodeSettings = EncodeSettings(), *, ffmpeg: str | None = None,
                 tmp_dir: str | os.PathLike | None = None):
        self.settings = settings.validate()
        self.samples = 0
        self._unscale = np.float32(1.0 / lame_scale(settings.bitrate_kbps))
        self._exe = ffmpeg or _ffmpeg()
        self._dir = tempfile.TemporaryDirectory(prefix="flashmob-mp3-", dir=tmp_dir)
        self._out, log = Path(self._dir.name) / "out.mp3", Path(self._dir.name) / "ffmpeg.log"
        self._log = log
        self._err = open(log, "wb")
        try:
            self._proc = subprocess.Popen(ffmpeg_command(self._exe, settings, str(self._out)),
                                          stdin=subprocess.PIPE, stderr=self._err)
        except OSError as e:
            self.close()
            raise EncodeError(f"cannot run ffmpeg ({self._exe}): {e}") from e

    def write(self, pcm: np.ndarray) -> None:
        """Append ``pcm`` (float32 or int16; the settings' channel count)."""
        try:
            x = as_float32(pcm)
        except PcmError as e:
            raise EncodeError(f"cannot encode: {e}") from e
        if channel_count(x) != self.settings.channels:
            raise EncodeError(f"audio has {channel_count(x)} channel(s) but the MP3 settings ask for "
                              f"{self.settings.channels}")
        self.samples += x.shape[0]
        _feed(self._proc, x * self._unscale)  # a new array: the caller's samples stay as they were

    def finish(self) -> bytes:
        """Close ffmpeg's input, wait for it and return the MP3 (exact length in its LAME tag)."""
        if self.samples < MIN_SAMPLES:
            raise EncodeError(f"audio is too short to encode: {self.samples} samples (at least {MIN_SAMPLES} needed)")
        proc, self._proc = self._proc, None
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        code = proc.wait()
        self._err.close()
        if code != 0 or not self._out.is_file():
            lines = self._log.read_text("utf-8", "replace").strip().splitlines()
            raise EncodeError(f"ffmpeg failed to encode MP3: {lines[-1] if lines else f'exit status {code}'}")
        try:
            return with_exact_length(self._out.read_bytes(), self.samples)
        except Mp3InfoError as e:
            raise EncodeError(f"ffmpeg wrote an MP3 without a usable LAME tag: {e}") from e
        finally:
            self.close()

    def close(self) -> None:
        """Stop ffmpeg if it still runs and remove the temporary files (idempotent)."""
        proc, self._proc = getattr(self, "_proc", None), None
        if proc is not None:
            proc.kill()
            try:
                proc.stdin.close()
            except OSError:
                pass
            proc.wait()
        self._err.close()
        self._dir.cleanup()

    def __enter__(self) -> "Mp3Writer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _feed(proc: subprocess.Popen, x: np.ndarray) -> None:
    """Stream ``x`` to ffmpeg's stdin without copying the whole array."""
    data = x.reshape(-1).view(np.uint8) if x.dtype.byteorder in ("<", "=") else x.astype("<f4").view(np.uint8)
    step = _CHUNK_FRAMES * 4 * (1 if x.ndim == 1 else x.shape[1])
    try:
        for i in range(0, data.size, step):
            proc.stdin.write(memoryview(data[i : i + step]))
    except BrokenPipeError:
        pass  # ffmpeg stopped early: its exit status and log tell why


def _ffmpeg() -> str:
    try:
        return ffmpeg_exe()
    except AudioError as e:
        raise EncodeError(str(e)) from e
