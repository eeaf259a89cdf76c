"""The gapless facts of an MP3: frame headers, the Xing/Info frame and its LAME tag — read and written.

An MP3 encoder prepends ``encoder_delay`` samples (576 for LAME) and appends
``padding`` samples to fill the last frame. A decoder can only return the
original samples — sample 0 first, exact length — if it knows both numbers.
LAME-compatible encoders store them in the LAME extension of the first
frame (the Xing "Info" frame, which carries no audio). This module is the
one definition of that layout; :func:`read_gapless_info` reads it and
:func:`write_info_frame` rewrites it:

    offset from "Info"/"Xing" | size | field
    0                          | 4    | tag id
    4                          | 4    | flags: 1 frames, 2 bytes, 4 TOC, 8 quality
    8 (if flag 1)              | 4    | number of audio frames (Info frame excluded)
    ... (if flag 2)            | 4    | number of bytes (from the Info frame on)
    ... (if flag 4)            | 100  | seek table: the byte position of the frame at
                               |      | i % of the duration, in 1/256 of the bytes
    ... (if flag 8)            | 4    | quality
    then the LAME extension    | 9    | encoder string ("LAME3.100", "Lavf lame"...)
    +9 .. +20                  | 12   | revision, lowpass, replay gain, flags, ABR
    +21                        | 3    | 12-bit encoder delay, 12-bit padding
    +24 .. +27                 | 4    | misc, MP3 gain, preset and surround
    +28                        | 4    | music length: bytes from the Info frame on
    +32                        | 2    | music CRC: CRC-16 of the audio frames' bytes
    +34                        | 2    | tag CRC: CRC-16 of the frame before it (LAME), or
                               |      | of its first 190 bytes with this field zeroed (ffmpeg)

so ``samples = frames * samples_per_frame - encoder_delay - padding``.
libmpg123 and libavcodec additionally drop their own 529-sample decoder
delay; with the tag both return exactly ``samples``. :func:`read_gapless_info`
exposes the numbers so a bundle manifest can carry them for players whose
decoder ignores the tag. The checksums are CRC-16/ARC (:mod:`tools.audio.crc16`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from .crc16 import crc16
from .errors import AudioError

_BITRATES_KBPS = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 layer III
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 layer III
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}

DECODER_DELAY = 529
"""Samples an mpg123/libavcodec-style decoder outputs before the encoder's delay."""


# the LAME extension, from its start (the table above)
LAME_DELAY_AT = 21
LAME_MUSIC_LENGTH_AT = 28
LAME_MUSIC_CRC_AT = 32
LAME_TAG_CRC_AT = 34
LAME_TAG_CRC_SPAN = 190  # bytes of the Info frame covered by the tag CRC (ffmpeg's convention)
MAX_DELAY = 0xFFF  # the encoder delay and the padding are 12-bit fields
_XING_FRAMES, _XING_BYTES, _XING_TOC, _XING_QUALITY = 1, 2, 4, 8


class Mp3InfoError(AudioError):
    """The bytes are not an MP3 stream whose first frame can be read."""


@dataclass(frozen=True)
class FrameHeader:
    """The fields of one MPEG audio layer III frame header that matter here."""

    sample_rate: int
    channels: int
    bitrate_kbps: int
    samples_per_frame: int
    frame_bytes: int
    side_info_bytes: int


@dataclass(frozen=True)
class GaplessInfo:
    """What a decoder needs to return the original samples exactly.

    ``samples`` is None when the stream has no Info/Xing frame count (then
    the length is unknown without decoding); ``encoder_delay`` and
    ``padding`` are None when there is no LAME extension.
    """

    sample_rate: int
    channels: int
    bitrate_kbps: int
    samples_per_frame: int
    frames: int | None
    encoder_delay: int | None
    padding: int | None
    encoder: str | None
    audio_offset: int
    """Byte offset of the first audio frame (after ID3v2 and the Info frame)."""
    lame_offset: int | None = None
    """Byte offset of the LAME extension, when there is one."""
    frame_offset: int = 0
    """Byte offset of the first (Info) frame."""

    @property
    def samples(self) -> int | None:
        if self.frames is None or self.encoder_delay is None or self.padding is None:
            return None
        return self.frames * self.samples_per_frame - self.encoder_delay - self.padding


def parse_frame_header(data: bytes, offset: int = 0) -> FrameHeader:
    """Parse the 4-byte layer III frame header at ``offset`` of ``data``."""
    if offset + 4 > len(data):
        raise Mp3InfoError("not an MP3 stream: no frame header")
    h = struct.unpack_from(">I", data, offset)[0]
    if h >> 21 != 0x7FF:
        raise Mp3InfoError(f"not an MP3 stream: no frame sync at byte {offset}")
    version, layer = (h >> 19) & 3, (h >> 17) & 3
    br_idx, sr_idx, pad, mode = (h >> 12) & 15, (h >> 10) & 3, (h >> 9) & 1, (h >> 6) & 3
    if version == 1 or layer != 1 or br_idx in (0, 15) or sr_idx == 3:
        raise Mp3InfoError(f"not a constant-rate MPEG layer III frame at byte {offset}")
    mpeg1 = version == 3
    rate = _RATES[version][sr_idx]
    kbps = _BITRATES_KBPS[1 if mpeg1 else 2][br_idx]
    spf = 1152 if mpeg1 else 576
    channels = 1 if mode == 3 else 2
    frame_bytes = (spf // 8) * kbps * 1000 // rate + pad
    side = (17 if channels == 1 else 32) if mpeg1 else (9 if channels == 1 else 17)
    return FrameHeader(rate, channels, kbps, spf, frame_bytes, side)


def _skip_id3v2(data: bytes) -> int:
    if len(data) >= 10 and data[:3] == b"ID3":
        size = 0
        for b in data[6:10]:
            size = (size << 7) | (b & 0x7F)
        footer = 10 if data[5] & 0x10 else 0
        return 10 + size + footer
    return 0


def read_gapless_info(data: bytes) -> GaplessInfo:
    """Frame format, frame count, encoder delay and padding of an MP3 byte string.

    Raises :class:`Mp3InfoError` when the bytes end inside the first frame (a
    cut file): its Xing/Info tag cannot be read."""
    start = _skip_id3v2(data)
    first = parse_frame_header(data, start)
    if start + first.frame_bytes > len(data):
        raise Mp3InfoError(f"the data ends inside the first frame ({len(data) - start} of "
                           f"{first.frame_bytes} bytes)")
    tag_at = start + 4 + first.side_info_bytes
    tag = data[tag_at : tag_at + 4]
    if tag not in (b"Info", b"Xing"):
        return GaplessInfo(first.sample_rate, first.channels, first.bitrate_kbps,
                           first.samples_per_frame, None, None, None, None, start)
    flags = struct.unpack_from(">I", data, tag_at + 4)[0]
    pos, frames = tag_at + 8, None
    if flags & _XING_FRAMES:
        frames = struct.unpack_from(">I", data, pos)[0]
        pos += 4
    pos += (4 if flags & _XING_BYTES else 0) + (100 if flags & _XING_TOC else 0) + (4 if flags & _XING_QUALITY else 0)
    delay = padding = encoder = None
    ext = data[pos : pos + LAME_DELAY_AT + 3]
    if len(ext) == LAME_DELAY_AT + 3 and ext[:4] in (b"LAME", b"Lavf", b"Lavc", b"L3.9", b"GOGO"):
        encoder = ext[:9].rstrip(b"\0 ").decode("latin-1")
        delay, padding = _unpack_delay(ext, LAME_DELAY_AT)
    return GaplessInfo(first.sample_rate, first.channels, first.bitrate_kbps, first.samples_per_frame,
                       frames, delay, padding, encoder, start + first.frame_bytes,
                       pos if encoder is not None else None, start)


def _unpack_delay(data, at: int) -> tuple[int, int]:
    d0, d1, d2 = data[at], data[at + 1], data[at + 2]
    return (d0 << 4) | (d1 >> 4), ((d1 & 0x0F) << 8) | d2


def _pack_delay(delay: int, padding: int) -> bytes:
    return bytes([delay >> 4, ((delay & 0xF) << 4) | (padding >> 8), padding & 0xFF])


def tag_crc(frame: bytes, crc_at: int, convention: str) -> int:
    """The tag CRC of the Info frame starting ``frame`` whose CRC field is at ``crc_at``.

    ``"lame"``: CRC-16 of the bytes before the field; ``"ffmpeg"``: of the first
    :data:`LAME_TAG_CRC_SPAN` bytes with the field zeroed (as many as ``frame`` holds)."""
    if convention == "lame":
        return crc16(frame[:crc_at])
    covered = bytearray(frame[:LAME_TAG_CRC_SPAN])
    covered[crc_at : crc_at + 2] = bytes(len(covered[crc_at : crc_at + 2]))
    return crc16(bytes(covered))


def write_info_frame(buf: bytearray, info: GaplessInfo, encoder_delay: int, padding: int, *,
                     frame_sizes: list[int] | None = None, music_crc: int | None = None) -> None:
    """Rewrite, in ``buf``, the Info frame that ``info`` read at ``info.frame_offset``.

    Writes the LAME tag's ``encoder_delay`` and ``padding``; with
    ``frame_sizes`` (the byte length of every audio frame that will follow the
    Info frame) also the stream's frame count, byte count and seek table (for
    the Xing fields its flags announce) and the tag's music length; with
    ``music_crc`` the tag's music CRC. Then the tag CRC, in whichever
    convention (:func:`tag_crc`) the tag used before — over the bytes of
    ``buf`` from the frame on, so ``buf`` holds what follows the frame in the
    file, or the frame alone. A tag CRC matching neither convention is left
    as it was. Raises :class:`Mp3InfoError` when the stream has no LAME tag
    or a value does not fit its field.
    """
    if info.lame_offset is None:
        raise Mp3InfoError("MP3 has no LAME tag to rewrite")
    if not (0 <= encoder_delay <= MAX_DELAY and 0 <= padding <= MAX_DELAY):
        raise Mp3InfoError(f"encoder delay {encoder_delay} and padding {padding} must be 0..{MAX_DELAY}")
    f0, lame = info.frame_offset, info.lame_offset
    crc_at = lame + LAME_TAG_CRC_AT - f0
    span = max(LAME_TAG_CRC_SPAN, crc_at + 2)
    old = bytes(buf[f0 : f0 + span])
    if frame_sizes is not None:
        frames, info_bytes = len(frame_sizes), info.audio_offset - f0
        total = info_bytes + sum(frame_sizes)
        tag = f0 + 4 + parse_frame_header(buf, f0).side_info_bytes
        flags = struct.unpack_from(">I", buf, tag + 4)[0]
        pos = tag + 8
        if flags & _XING_FRAMES:
            struct.pack_into(">I", buf, pos, frames)
            pos += 4
        if flags & _XING_BYTES:
            struct.pack_into(">I", buf, pos, total)
            pos += 4
        if flags & _XING_TOC:
            offsets = np.concatenate([[0], np.cumsum(frame_sizes)]) + info_bytes
            for i in range(100):
                buf[pos + i] = 0 if i == 0 else min(255, 256 * int(offsets[i * frames // 100]) // total)
        struct.pack_into(">I", buf, lame + LAME_MUSIC_LENGTH_AT, total)
    buf[lame + LAME_DELAY_AT : lame + LAME_DELAY_AT + 3] = _pack_delay(encoder_delay, padding)
    if music_crc is not None:
        struct.pack_into(">H", buf, lame + LAME_MUSIC_CRC_AT, music_crc)
    stored = struct.unpack_from(">H", old, crc_at)[0]
    for convention in ("ffmpeg", "lame"):
        if tag_crc(old, crc_at, convention) == stored:
            struct.pack_into(">H", buf, f0 + crc_at, tag_crc(bytes(buf[f0 : f0 + span]), crc_at, convention))
            break


def with_exact_length(data: bytes, samples: int) -> bytes:
    """``data`` whose LAME tag padding says the stream holds exactly ``samples``.

    ffmpeg's MP3 muxer writes a wrong padding (capped at 1681) for 47 of every
    1152 input lengths — those where LAME emits one more frame than the
    padding field expects — so decoders would return up to 47 extra samples
    at the end. This rewrites the 12-bit padding field and the tag's CRC (in
    whichever convention the tag already used: :func:`write_info_frame`).
    Raises :class:`Mp3InfoError` when the stream has no LAME tag or cannot
    hold ``samples``.
    """
    info = read_gapless_info(data)
    if info.lame_offset is None or info.frames is None or info.encoder_delay is None:
        raise Mp3InfoError("MP3 has no LAME tag to record its exact length in")
    if info.samples == samples:
        return data
    padding = info.frames * info.samples_per_frame - info.encoder_delay - samples
    if not 0 <= padding <= MAX_DELAY:
        raise Mp3InfoError(f"MP3 of {info.frames} frames cannot hold exactly {samples} samples")
    buf = bytearray(data)
    write_info_frame(buf, info, info.encoder_delay, padding)
    return bytes(buf)
