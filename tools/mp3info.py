"""Read the gapless facts of an MP3: its Xing/Info frame and LAME tag.

An MP3 encoder prepends ``encoder_delay`` samples (576 for LAME) and appends
``padding`` samples to fill the last frame. A decoder can only return the
original samples — sample 0 first, exact length — if it knows both numbers.
LAME-compatible encoders store them in the LAME extension of the first
frame (the Xing "Info" frame, which carries no audio):

    offset from "Info"/"Xing" | size | field
    0                          | 4    | tag id
    4                          | 4    | flags: 1 frames, 2 bytes, 4 TOC, 8 quality
    8 (if flag 1)              | 4    | number of audio frames (Info frame excluded)
    ... (if flag 2)            | 4    | number of bytes
    ... (if flag 4)            | 100  | seek table
    ... (if flag 8)            | 4    | quality
    then the LAME extension    | 9    | encoder string ("LAME3.100", "Lavf lame"...)
    +9 .. +20                  | 12   | revision, lowpass, replay gain, flags, ABR
    +21                        | 3    | 12-bit encoder delay, 12-bit padding

so ``samples = frames * samples_per_frame - encoder_delay - padding``.
libmpg123 and libavcodec additionally drop their own 529-sample decoder
delay; with the tag both return exactly ``samples``. :func:`read_gapless_info`
exposes the numbers so a bundle manifest can carry them for players whose
decoder ignores the tag.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .audio_errors import AudioError

_BITRATES_KBPS = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 layer III
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 layer III
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


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
    """Frame format, frame count, encoder delay and padding of an MP3 byte string."""
    start = _skip_id3v2(data)
    first = parse_frame_header(data, start)
    tag_at = start + 4 + first.side_info_bytes
    tag = data[tag_at : tag_at + 4]
    if tag not in (b"Info", b"Xing"):
        return GaplessInfo(first.sample_rate, first.channels, first.bitrate_kbps,
                           first.samples_per_frame, None, None, None, None, start)
    flags = struct.unpack_from(">I", data, tag_at + 4)[0]
    pos, frames = tag_at + 8, None
    if flags & 1:
        frames = struct.unpack_from(">I", data, pos)[0]
        pos += 4
    pos += (4 if flags & 2 else 0) + (100 if flags & 4 else 0) + (4 if flags & 8 else 0)
    delay = padding = encoder = None
    ext = data[pos : pos + 24]
    if len(ext) == 24 and ext[:4] in (b"LAME", b"Lavf", b"Lavc", b"L3.9", b"GOGO"):
        encoder = ext[:9].rstrip(b"\0 ").decode("latin-1")
        d0, d1, d2 = ext[21], ext[22], ext[23]
        delay, padding = (d0 << 4) | (d1 >> 4), ((d1 & 0x0F) << 8) | d2
    return GaplessInfo(first.sample_rate, first.channels, first.bitrate_kbps, first.samples_per_frame,
                       frames, delay, padding, encoder, start + first.frame_bytes)
