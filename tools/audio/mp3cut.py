"""Segments cut from the full MP3's own frames: frame surgery, no second encode.

:func:`cut_segments` turns a :func:`tools.audio.segments.plan_segments` plan
into MP3s made of the full stream's frames, each with a copy of its Info
frame (LAME tag rewritten by :func:`tools.audio.mp3info.write_info_frame`)
and 0-2 silent *primer* frames that carry the bit reservoir. Decoded, a cut
segment is exactly the full MP3's samples ``[start, stop)`` (ffmpeg:
bit-identical; mpg123: to the last float32 bit), so concatenated segments
meet the contract of :mod:`tools.audio.segments` with no codec start/stop
artefacts at the joins. Where a segment cannot be cut (no LAME tag,
CRC-protected or free-format frames, MPEG-2, or bitrates below ~80 kb/s whose
delay would not fit the tag), the cut is None and the caller encodes that
segment on its own (:func:`tools.audio.segments.encode_segment`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from .crc16 import crc16, crc16_join, frame_crcs
from .mp3info import (DECODER_DELAY, MAX_DELAY, GaplessInfo, Mp3InfoError, parse_frame_header, read_gapless_info,
                      write_info_frame)
from .segments import EncodedSegment, Segment

SYNTH_CONTEXT = 1088
"""Decoder output samples of a frame that depend on the frame before it: the
first granule (576) overlaps the previous granule in the IMDCT, and the
polyphase synthesis reads 15 more 32-sample blocks (480) -> 1056, rounded up
to 1088. From output sample 1088 of a correctly decoded frame on, a decoder
produces exactly what it produces when it decoded the whole stream."""


@dataclass(frozen=True)
class _Stream:
    """The audio frames of a CBR MPEG-1 layer III stream."""

    data: bytes
    info: GaplessInfo
    starts: np.ndarray      # byte offset of every audio frame
    sizes: np.ndarray       # its length in bytes
    side: int               # side-information bytes per frame
    crcs: np.ndarray        # CRC-16/ARC of every frame's bytes (tools.audio.crc16)


def _stream(mp3: bytes) -> _Stream | None:
    """Frame table of ``mp3``; None when it is not a stream that can be cut
    (no LAME tag, CRC-protected or free-format frames, MPEG-2, format changes)."""
    try:
        info = read_gapless_info(mp3)
        first = parse_frame_header(mp3, info.audio_offset)
    except Mp3InfoError:
        return None
    if info.frames is None or info.encoder_delay is None or info.samples_per_frame != 1152:
        return None
    p = info.audio_offset
    key = (mp3[p + 1], mp3[p + 2] & 0xFD, mp3[p + 3] & 0xC0)  # all but padding, private bit and mode extension
    if not key[0] & 1:  # CRC-protected frames
        return None
    base = first.frame_bytes - ((mp3[p + 2] >> 1) & 1)
    starts, end, data = [], len(mp3), mp3
    while p < end:  # a plain loop: 138 000 frames an hour
        if p + 4 > end:
            return None
        b2 = data[p + 2]
        if data[p] != 0xFF or data[p + 1] != key[0] or b2 & 0xFD != key[1] or data[p + 3] & 0xC0 != key[2]:
            return None
        starts.append(p)
        p += base + ((b2 >> 1) & 1)
    if p != end or len(starts) != info.frames:
        return None
    starts_a = np.array(starts, np.int64)
    sizes_a = np.diff(np.append(starts_a, end))
    return _Stream(mp3, info, starts_a, sizes_a, first.side_info_bytes, frame_crcs(mp3, starts_a, sizes_a))


def _main_data_begin(data: bytes, pos: int) -> int:
    return (data[pos + 4] << 1) | (data[pos + 5] >> 7)


def _primer(header: bytes, size: int, side: int, main_data_begin: int, tail: bytes) -> bytes:
    """A frame that decodes to silence (no granule data) whose main-data area
    ends with ``tail``: the bit reservoir the next frame reads back into."""
    frame = bytearray(size)
    frame[:4] = header
    frame[4] = main_data_begin >> 1
    frame[5] = (main_data_begin & 1) << 7
    if tail:
        frame[size - len(tail):] = tail
    return bytes(frame)


def cut_segment(stream: _Stream, segment: Segment) -> EncodedSegment | None:
    """``segment`` as an MP3 made of the full stream's own frames; None when it cannot be cut.

    The segment holds: a copy of the stream's Info frame (LAME tag rewritten),
    0-2 *primer* frames that decode to silence and carry the bit-reservoir
    bytes the first real frame reads back into, then the stream's frames from
    the first one whose output (after :data:`SYNTH_CONTEXT`) covers the
    segment's first sample to the one holding its last. The encoder delay in
    the LAME tag is set so that decoders drop everything before the segment's
    first sample, the padding so that they stop after its last: decoded, the
    segment is exactly the full MP3's samples ``[start, stop)`` (the decoder
    state is rebuilt from real data before the first sample kept). None when
    the delay would not fit the tag's 12 bits (bitrates below ~80 kb/s, where
    the reservoir spans three primers) or the stream ends early.
    """
    info, spf = stream.info, 1152
    first = info.encoder_delay + DECODER_DELAY + segment.start     # decoder output index, whole stream
    last = info.encoder_delay + DECODER_DELAY + segment.stop - 1
    k0 = max(0, (first - SYNTH_CONTEXT) // spf)
    k1 = last // spf
    if k1 >= len(stream.starts) or k0 > k1:
        return None
    data, side = stream.data, stream.side
    need = _main_data_begin(data, int(stream.starts[k0])) if k0 else 0
    header = bytearray(data[int(stream.starts[k0]) : int(stream.starts[k0]) + 4])
    primer_size = int(stream.sizes[k0]) - ((header[2] >> 1) & 1)
    header[2] &= 0xFD  # primers without the padding byte
    capacity = primer_size - 4 - side
    primers = -(-need // capacity)
    delay = primers * spf + first - k0 * spf - DECODER_DELAY
    frames = primers + k1 - k0 + 1
    padding = frames * spf - delay - segment.samples
    if not (0 <= delay <= MAX_DELAY and 0 <= padding <= MAX_DELAY):
        return None
    # the reservoir: the last `need` bytes of the main-data areas before frame k0
    reservoir = bytearray()
    k = k0 - 1
    while len(reservoir) < need:
        if k < 0:
            return None
        p, n = int(stream.starts[k]), int(stream.sizes[k])
        reservoir[:0] = data[p + 4 + side : p + n]
        k -= 1
    reservoir = bytes(reservoir[len(reservoir) - need :]) if need else b""
    pieces = [reservoir[max(0, need - (i + 1) * capacity) : need - i * capacity] for i in range(primers)][::-1]
    head = [_primer(bytes(header), primer_size, side, sum(len(q) for q in pieces[:i]), piece)
            for i, piece in enumerate(pieces)]
    body_start, body_stop = int(stream.starts[k0]), int(stream.starts[k1] + stream.sizes[k1])
    music_crc = 0
    for part in head:
        music_crc = crc16(part, music_crc)
    music_crc = crc16_join(music_crc, stream.sizes[k0 : k1 + 1].tolist(), stream.crcs[k0 : k1 + 1].tolist())
    info_frame = _info_frame(stream, [len(p) for p in head] + list(stream.sizes[k0 : k1 + 1]), delay, padding,
                             music_crc)
    mp3 = b"".join([info_frame, *head, data[body_start:body_stop]])
    return EncodedSegment(segment, mp3, hashlib.sha256(mp3).hexdigest(), delay, padding)


def _info_frame(stream: _Stream, sizes: list[int], delay: int, padding: int, music_crc: int) -> bytes:
    """The stream's Info frame for a stream of frames of ``sizes`` bytes (its tag CRC over the
    frame alone)."""
    info = stream.info
    buf = bytearray(stream.data[: info.audio_offset])
    write_info_frame(buf, info, delay, padding, frame_sizes=sizes, music_crc=music_crc)
    return bytes(buf[info.frame_offset :])


def cut_segments(mp3: bytes, segments: list[Segment]) -> list[EncodedSegment | None]:
    """Every segment cut from ``mp3`` (:func:`cut_segment`); None for those that must be encoded."""
    return list(iter_cut_segments(mp3, segments))


def iter_cut_segments(mp3: bytes, segments: list[Segment]):
    """:func:`cut_segments` one at a time (a caller that writes each one holds one at a time)."""
    stream = _stream(mp3)
    for s in segments:
        yield None if stream is None else cut_segment(stream, s)
