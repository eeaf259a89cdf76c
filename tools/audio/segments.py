"""Cut a timeline into short, independently decodable gapless MP3 segments.

A phone cannot decode a 60-minute show into one Web Audio buffer, so web
playback fetches and decodes short segments and schedules them back to back.
Contract: for the segments of :func:`plan_segments`, decoding every segment
(with a decoder that honours the LAME tag) and concatenating the results in
order gives exactly ``total_samples`` samples, each at its timeline index.
Two ways to make them:

* :func:`cut_segments` (what the renderer uses): segments made of the full
  MP3's own frames, so the show is encoded once. A segment decodes to exactly
  the full MP3's samples ``[start, stop)`` (ffmpeg: bit-identical; mpg123: to
  the last float32 bit) — no codec start/stop artefacts at the joins. Its
  encoder delay is 576 for the first segment and up to 4095 for the others
  (the decoder warm-up it must drop, see :func:`cut_segment`).
* :func:`encode_segments`: every segment encoded on its own (encoder delay
  576). The few milliseconds at each boundary carry the codec's start/stop
  artefacts, well below audibility at 128 kb/s. Used for segments that cannot
  be cut (below ~80 kb/s).

Each :class:`EncodedSegment` also carries ``encoder_delay`` and ``padding``
from its LAME tag, so a player whose decoder ignores the tag can trim the
``encoder_delay + 529`` leading samples and keep ``samples`` of them.
"""

from __future__ import annotations

import hashlib
import struct
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .encode import MIN_SAMPLES, EncodeError, EncodeSettings, encode_mp3
from .mp3info import read_gapless_info

DEFAULT_MAX_SECONDS = 30.0
DECODER_DELAY = 529
"""Samples an mpg123/libavcodec-style decoder outputs before the encoder's delay."""


@dataclass(frozen=True)
class Segment:
    """Samples ``[start, stop)`` of the timeline."""

    index: int
    start: int
    stop: int

    @property
    def samples(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class EncodedSegment:
    """One segment's MP3 and the facts a bundle manifest needs about it."""

    segment: Segment
    mp3: bytes
    sha256: str
    encoder_delay: int
    padding: int

    def manifest_entry(self) -> dict:
        """JSON-ready description: position, length, checksum and gapless counts."""
        s = self.segment
        return {
            "index": s.index,
            "start": s.start,
            "samples": s.samples,
            "bytes": len(self.mp3),
            "sha256": self.sha256,
            "encoder_delay": self.encoder_delay,
            "padding": self.padding,
        }


def plan_segments(total_samples: int, sample_rate: int, max_seconds: float = DEFAULT_MAX_SECONDS) -> list[Segment]:
    """Split ``total_samples`` into the fewest near-equal segments of at most ``max_seconds``.

    Segments are contiguous, in order, cover ``[0, total_samples)`` exactly,
    and differ in length by at most one sample — so there is never a tiny
    last segment (every segment is at least half of ``max_seconds`` unless
    the whole timeline is shorter). Raises :class:`EncodeError` when a
    segment would be shorter than one MP3 frame.
    """
    if isinstance(total_samples, bool) or not isinstance(total_samples, (int, np.integer)) or total_samples < MIN_SAMPLES:
        raise EncodeError(f"a timeline to segment needs at least {MIN_SAMPLES} samples; got {total_samples!r}")
    limit = int(max_seconds * sample_rate)
    if limit < MIN_SAMPLES:
        raise EncodeError(f"segments of {max_seconds} s are shorter than one MP3 frame")
    count = -(-int(total_samples) // limit)
    bounds = [i * int(total_samples) // count for i in range(count + 1)]
    return [Segment(i, bounds[i], bounds[i + 1]) for i in range(count)]


def encode_segment(pcm: np.ndarray, segment: Segment, settings: EncodeSettings = EncodeSettings(),
                   *, encode: Callable[..., bytes] = encode_mp3) -> EncodedSegment:
    """Encode ``pcm[segment.start:segment.stop]`` as its own gapless MP3."""
    if not 0 <= segment.start < segment.stop <= len(pcm):
        raise EncodeError(f"segment {segment.index} [{segment.start}, {segment.stop}) is outside the audio (length {len(pcm)})")
    mp3 = encode(pcm[segment.start : segment.stop], settings)
    info = read_gapless_info(mp3)
    if info.samples != segment.samples:
        raise EncodeError(f"segment {segment.index}: MP3 holds {info.samples} samples, expected {segment.samples}")
    return EncodedSegment(segment, mp3, hashlib.sha256(mp3).hexdigest(), info.encoder_delay, info.padding)


def encode_segments(
    pcm: np.ndarray,
    segments: list[Segment],
    settings: EncodeSettings = EncodeSettings(),
    *,
    max_workers: int | None = None,
    encode: Callable[..., bytes] = encode_mp3,
) -> list[EncodedSegment]:
    """Encode every segment (in parallel: each encode is an ffmpeg process), in order."""
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(lambda s: encode_segment(pcm, s, settings, encode=encode), segments))


# ---- segments cut from the full MP3 (no second encode) -------------------------------------------

SYNTH_CONTEXT = 1088
"""Decoder output samples of a frame that depend on the frame before it: the
first granule (576) overlaps the previous granule in the IMDCT, and the
polyphase synthesis reads 15 more 32-sample blocks (480) -> 1056, rounded up
to 1088. From output sample 1088 of a correctly decoded frame on, a decoder
produces exactly what it produces when it decoded the whole stream."""

_LAME_DELAY_AT, _LAME_LENGTH_AT, _LAME_MUSIC_CRC_AT, _LAME_TAG_CRC_AT = 21, 28, 32, 34
_MAX_DELAY = 0xFFF


@dataclass(frozen=True)
class _Stream:
    """The audio frames of a CBR MPEG-1 layer III stream."""

    data: bytes
    info: object            # tools.audio.mp3info.GaplessInfo
    starts: np.ndarray      # byte offset of every audio frame
    sizes: np.ndarray       # its length in bytes
    side: int               # side-information bytes per frame
    crcs: np.ndarray        # CRC-16/ARC of every frame's bytes


def _stream(mp3: bytes) -> _Stream | None:
    """Frame table of ``mp3``; None when it is not a stream that can be cut
    (no LAME tag, CRC-protected or free-format frames, MPEG-2, format changes)."""
    from .mp3info import Mp3InfoError, parse_frame_header, read_gapless_info

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
    return _Stream(mp3, info, starts_a, sizes_a, first.side_info_bytes, _crc16_frames(mp3, starts_a, sizes_a))


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
    if not (0 <= delay <= _MAX_DELAY and 0 <= padding <= _MAX_DELAY):
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
        music_crc = _crc16(part, music_crc)
    music_crc = _crc16_span(stream, k0, k1 + 1, music_crc)
    info_frame = _info_frame(stream, frames, [len(p) for p in head] + list(stream.sizes[k0 : k1 + 1]),
                             delay, padding, music_crc)
    mp3 = b"".join([info_frame, *head, data[body_start:body_stop]])
    return EncodedSegment(segment, mp3, hashlib.sha256(mp3).hexdigest(), delay, padding)


def _info_frame(stream: _Stream, frames: int, sizes: list[int], delay: int, padding: int, music_crc: int) -> bytes:
    """The stream's Info frame for a stream of ``frames`` frames of ``sizes`` bytes."""
    from .mp3info import _tag_crc

    info = stream.info
    f0 = info.frame_offset
    frame = bytearray(stream.data[f0 : info.audio_offset])
    old = bytes(frame)
    total = len(frame) + sum(sizes)
    tag = 4 + stream.side
    flags = struct.unpack_from(">I", frame, tag + 4)[0]
    pos = tag + 8
    if flags & 1:
        struct.pack_into(">I", frame, pos, frames)
        pos += 4
    if flags & 2:
        struct.pack_into(">I", frame, pos, total)
        pos += 4
    if flags & 4:  # seek table: byte position of the frame at i % of the duration, in 1/256 of the file
        offsets = np.concatenate([[0], np.cumsum(sizes)]) + len(frame)
        for i in range(100):
            frame[pos + i] = 0 if i == 0 else min(255, 256 * int(offsets[i * frames // 100]) // total)
    lame = info.lame_offset - f0
    frame[lame + _LAME_DELAY_AT : lame + _LAME_DELAY_AT + 3] = bytes(
        [delay >> 4, ((delay & 0xF) << 4) | (padding >> 8), padding & 0xFF])
    struct.pack_into(">I", frame, lame + _LAME_LENGTH_AT, total)
    struct.pack_into(">H", frame, lame + _LAME_MUSIC_CRC_AT, music_crc)
    crc_at = lame + _LAME_TAG_CRC_AT
    stored = struct.unpack_from(">H", old, crc_at)[0]
    for convention in ("ffmpeg", "lame"):
        if _tag_crc(old, crc_at, convention) == stored:
            struct.pack_into(">H", frame, crc_at, _tag_crc(bytes(frame), crc_at, convention))
            break
    return bytes(frame)


def cut_segments(mp3: bytes, segments: list[Segment]) -> list[EncodedSegment | None]:
    """Every segment cut from ``mp3`` (:func:`cut_segment`); None for those that must be encoded."""
    return list(iter_cut_segments(mp3, segments))


def iter_cut_segments(mp3: bytes, segments: list[Segment]):
    """:func:`cut_segments` one at a time (a caller that writes each one holds one at a time)."""
    stream = _stream(mp3)
    for s in segments:
        yield None if stream is None else cut_segment(stream, s)


# ---- CRC-16/ARC (the LAME tag's music CRC), vectorised over frames ---------------------------------

def _crc_table() -> np.ndarray:
    t = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        t = np.where(t & 1, (t >> 1) ^ 0xA001, t >> 1)
    return t.astype(np.uint32)


_TABLE = _crc_table()
_SHIFTS: dict[int, tuple[list[int], list[int]]] = {}


def _shift_tables(n: int) -> tuple[list[int], list[int]]:
    """Lookup tables advancing a CRC register over ``n`` zero bytes (the CRC is linear)."""
    if n not in _SHIFTS:
        r = np.arange(65536, dtype=np.uint32)
        lo, hi = r[:256].copy(), r[::256].copy()
        for _ in range(n):
            lo = (lo >> 8) ^ _TABLE[lo & 0xFF]
            hi = (hi >> 8) ^ _TABLE[hi & 0xFF]
        _SHIFTS[n] = (lo.tolist(), hi.tolist())
    return _SHIFTS[n]


def _crc16_frames(data: bytes, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """CRC-16/ARC (initial value 0) of every frame, for all frames of a size at once, two bytes
    a step (a 16-bit register that takes 16 data bits: ``r = T16[r ^ word]``)."""
    buf = np.frombuffer(data, np.uint8)
    out = np.zeros(len(starts), np.uint32)
    t16 = _table16()
    for size in np.unique(sizes).tolist():
        idx = np.flatnonzero(sizes == size)
        at = starts[idx]
        r = np.zeros(len(idx), np.uint32)
        for j in range(0, size - 1, 2):
            r = t16[r ^ (buf[at + j] | (buf[at + j + 1].astype(np.uint32) << 8))]
        if size % 2:
            r = (r >> 8) ^ _TABLE[(r ^ buf[at + size - 1]) & 0xFF]
        out[idx] = r
    return out


_T16: list = []


def _table16() -> np.ndarray:
    """The register after two zero bytes, for every 16-bit register value."""
    if not _T16:
        r = np.arange(65536, dtype=np.uint32)
        for _ in range(2):
            r = (r >> 8) ^ _TABLE[r & 0xFF]
        _T16.append(r)
    return _T16[0]


def _crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC of ``data`` continuing from ``crc``."""
    for b in data:
        crc = (crc >> 8) ^ int(_TABLE[(crc ^ b) & 0xFF])
    return crc


def _crc16_span(stream: _Stream, a: int, b: int, crc: int = 0) -> int:
    """CRC of frames ``[a, b)`` continuing from ``crc``: crc(X + F) = shift(crc(X), |F|) ^ crc(F)."""
    tables = {}
    for size, c in zip(stream.sizes[a:b].tolist(), stream.crcs[a:b].tolist()):
        lo, hi = tables.get(size) or tables.setdefault(size, _shift_tables(size))
        crc = lo[crc & 0xFF] ^ hi[crc >> 8] ^ c
    return crc
