"""Shell: probe audio files cheaply — what they are, how long, how many channels.

:func:`probe_audio` reads headers (and, where a header cannot be trusted,
walks frame headers or reads the last block), never decodes the whole file:
probing a one-hour music bed costs milliseconds. It returns an
:class:`AudioInfo` or raises :class:`ProbeError` whose message says *what was
found*, in words an organizer can act on::

    empty file
    not an audio file: looks like HTML (a web page saved instead of the sound?)
    truncated FLAC: the file ends before its last sample (download it again?)

Formats: WAV (RIFF/RF64), FLAC, Ogg (Vorbis/Opus) through libsndfile's header
reader, MP3 (MPEG layer III) by walking its frame headers in Python —
libsndfile's MP3 path (libmpg123) prints its complaints straight to the
process's stderr, so MP3 never goes through it here. Nothing this module
calls writes to stdout or stderr.

:func:`tools.render.asset_probe.probe_assets` applies it to every audio file
a score names.
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass

from flashmob.tools.audio.errors import AudioError
from flashmob.tools.audio.mp3info import Mp3InfoError, parse_frame_header

_TAIL_FRAMES = 1024


class ProbeError(AudioError):
    """A file is not audio flashmob can read; the message says what was found."""


@dataclass(frozen=True)
class AudioInfo:
    format: str          # "WAV", "FLAC", "OGG", "MP3"
    frames: int          # samples per channel
    sample_rate: int
    channels: int

    @property
    def duration_us(self) -> int:
        return self.frames * 1_000_000 // self.sample_rate


def probe_audio(path: str | os.PathLike) -> AudioInfo:
    """Format, length, rate and channels of the audio file ``path``; raises :class:`ProbeError`."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ProbeError(f"cannot read the file ({exc.strerror})") from None
    if not os.path.isfile(path):
        raise ProbeError("not a regular file")
    if st.st_size == 0:
        raise ProbeError("empty file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise ProbeError(f"cannot read the file ({exc.strerror})") from None
    kind = container(head)
    if kind is None:
        raise ProbeError(f"not an audio file: {sniff(head)}")
    if kind == "MP3":
        info = _probe_mp3(path)
    else:
        if kind == "WAV":
            _check_wav_sizes(path, st.st_size)
        info = _probe_soundfile(path, kind)
    if info.frames <= 0:
        raise ProbeError(f"{kind} file with no audio in it (0 samples)")
    if info.sample_rate <= 0 or info.channels <= 0:
        raise ProbeError(f"damaged {kind}: {info.sample_rate} Hz, {info.channels} channels")
    return info


def container(head: bytes) -> str | None:
    """"WAV", "FLAC", "OGG" or "MP3" from a file's first bytes, or None."""
    if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
        return "WAV"
    if head[:4] == b"fLaC":
        return "FLAC"
    if head[:4] == b"OggS":
        return "OGG"
    if head[:3] == b"ID3":
        return "FLAC" if b"fLaC" in head[10:64] else "MP3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "MP3"
    return None


_MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (a .docx, .odt or .zip?)"),
    (b"\x1f\x8b", "a gzip archive"), (b"\x7fELF", "a program"), (b"fLaC", "FLAC"),
)


def sniff(head: bytes) -> str:
    """What non-audio bytes look like, for an error message."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"looks like {what}"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "looks like an MP4/M4A file, which flashmob does not read (convert it to .flac or .wav)"
    if head[:4] in (b"RIFF", b"RF64"):
        return f"a RIFF file of type {head[8:12].decode('latin-1')!r}, not WAVE audio"
    if not head.strip(b"\0"):
        return "only zero bytes"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in text:
        return "looks like HTML (a web page saved instead of the sound?)"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "looks like XML or HTML text"
    if text.startswith((b"{", b"[")):
        return "looks like JSON text"
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        decoded = head[: exc.start].decode("utf-8") if exc.start > len(head) - 4 else None
    if decoded is not None and all(c.isprintable() or c in "\t\r\n" for c in decoded):
        return "looks like text"
    return "unrecognised data (starts with " + " ".join(f"{b:02x}" for b in head[:8]) + ")"


def _check_wav_sizes(path, size: int) -> None:
    """A WAV whose data chunk is longer than the file was cut (libsndfile would silently shorten it)."""
    with open(path, "rb") as fh:
        data = fh.read(min(size, 1 << 16))
    pos = 12
    while pos + 8 <= len(data):
        cid, length = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        if cid == b"data":
            if data[:4] == b"RIFF" and length not in (0, 0xFFFFFFFF) and pos + 8 + length > size:
                raise ProbeError(f"truncated WAV: its header announces {length} bytes of audio, the file "
                                 f"holds {max(0, size - pos - 8)} (download or export it again?)")
            return
        pos += 8 + length + (length & 1)


def _probe_soundfile(path, kind: str) -> AudioInfo:
    import soundfile

    try:
        # a file object, not a path: given a path, libsndfile falls back on the name's extension and
        # hands a damaged file named .mp3 (or .flac) to libmpg123, which prints to stderr
        with open(path, "rb") as fh, soundfile.SoundFile(fh) as f:
            frames, rate, channels = f.frames, f.samplerate, f.channels
            if kind == "OGG" and frames == 0 and (os.path.getsize(path) > 4096 or f.read(16).size):
                raise ProbeError("truncated Ogg: the file ends before its last page (download it again?)")
            if frames > _TAIL_FRAMES and f.seekable():
                f.seek(frames - _TAIL_FRAMES)
                got = len(f.read(_TAIL_FRAMES, dtype="float32"))
                if got < _TAIL_FRAMES // 2:
                    raise ProbeError(f"truncated {kind}: the file ends before its last sample "
                                     "(download or export it again?)")
    except ProbeError:
        raise
    except Exception as exc:  # noqa: BLE001 - libsndfile's errors: RuntimeError, LibsndfileError...
        detail = str(exc).split(":", 1)[-1].strip().rstrip(".") if str(exc) else type(exc).__name__
        if kind in ("FLAC", "OGG") and _looks_truncated(detail):
            raise ProbeError(f"truncated {kind}: the file ends before its last sample "
                             "(download or export it again?)") from None
        raise ProbeError(f"damaged {kind} file: {detail[0].lower() + detail[1:] if detail else 'unreadable'}") from None
    return AudioInfo(kind, int(frames), int(rate), int(channels))


def _looks_truncated(detail: str) -> bool:
    d = detail.lower()
    return "fseek" in d or "unexpected end" in d or "unknown error in flac" in d or "malformed" in d


def _probe_mp3(path) -> AudioInfo:
    """Walk every frame header: counts the frames and finds cuts and garbage without decoding."""
    from flashmob.tools.audio.mp3info import _skip_id3v2, read_gapless_info

    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        size = len(data)
        pos = _skip_id3v2(data[:10]) if data[:3] == b"ID3" else 0
        if pos >= size:
            raise ProbeError("MP3 file with only a tag, no audio in it")
        try:
            first = parse_frame_header(data, pos)
        except Mp3InfoError:
            first = None
        if first is not None and pos + first.frame_bytes > size:
            raise ProbeError("truncated MP3: the file ends inside its first frame (download or export it again?)")
        try:
            if first is None:
                raise Mp3InfoError("no frame")
            gapless = read_gapless_info(data[: pos + first.frame_bytes + 4])
        except Mp3InfoError:
            raise ProbeError("not an audio file: an ID3 tag followed by no MP3 frame" if pos else
                             "damaged MP3: its first frame header is invalid") from None
        frames, end = 0, size
        if size >= 128 and data[size - 128:size - 125] == b"TAG":
            end = size - 128
        pos = gapless.audio_offset
        unpack, spf = struct.unpack_from, first.samples_per_frame
        while pos + 4 <= end:
            h = unpack(">I", data, pos)[0]
            if h >> 21 != 0x7FF:
                if data[pos:pos + 8] == b"APETAGEX" or data[pos:pos + 3] == b"TAG":
                    break
                raise ProbeError(f"damaged MP3: no frame at byte {pos} of {size} "
                                 f"({frames * spf / first.sample_rate:.1f} s readable before it)")
            try:
                hdr = parse_frame_header(data, pos)
            except Mp3InfoError:
                raise ProbeError(f"damaged MP3: invalid frame header at byte {pos} of {size}") from None
            if pos + hdr.frame_bytes > end:
                raise ProbeError(f"truncated MP3: the file ends inside its last frame, after "
                                 f"{frames * spf / first.sample_rate:.1f} s (download or export it again?)")
            frames += 1
            pos += hdr.frame_bytes
    samples = frames * spf
    if gapless.encoder_delay is not None and gapless.frames is not None:
        samples -= gapless.encoder_delay + gapless.padding
    return AudioInfo("MP3", max(0, samples), first.sample_rate, first.channels)
