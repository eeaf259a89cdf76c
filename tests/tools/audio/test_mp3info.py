"""flashmob.tools.audio.mp3info: reading and correcting the LAME tag of real encoder output."""

import struct

import lameenc
import numpy as np
import pytest

from flashmob.tools.audio.encode import EncodeSettings, encode_mp3
from flashmob.tools.audio.mp3info import (
    Mp3InfoError,
    parse_frame_header,
    read_gapless_info,
    tag_crc,
    with_exact_length,
    write_info_frame,
)


@pytest.mark.parametrize("channels", [1, 2])
def test_reads_ffmpeg_info_frame(channels):
    n = 10_000
    x = np.zeros((n, channels) if channels == 2 else n, np.float32)
    data = encode_mp3(x, EncodeSettings(channels=channels, bitrate_kbps=96))
    info = read_gapless_info(data)
    assert (info.channels, info.sample_rate, info.bitrate_kbps, info.samples_per_frame) == (channels, 44100, 96, 1152)
    assert info.encoder == "Lavf lame" and info.encoder_delay == 576
    assert info.samples == n and info.frames >= -(-(n + 576) // 1152)
    assert info.audio_offset == parse_frame_header(data).frame_bytes
    # every audio frame is a whole CBR frame
    assert (len(data) - info.audio_offset) // parse_frame_header(data, info.audio_offset).frame_bytes == info.frames


def test_lameenc_output_has_no_info_frame():
    enc = lameenc.Encoder()
    enc.set_bit_rate(128)
    enc.set_in_sample_rate(44100)
    enc.set_channels(1)
    data = bytes(enc.encode(np.zeros(5000, np.int16).tobytes()) + enc.flush())
    info = read_gapless_info(data)
    assert info.frames is None and info.samples is None and info.encoder_delay is None
    with pytest.raises(Mp3InfoError, match="no LAME tag"):
        with_exact_length(data, 5000)


@pytest.mark.parametrize("channels", [1, 2])
def test_padding_rewrite_keeps_tag_crc_valid(channels):
    n = 3480  # (n + 576) % 1152 == 600: ffmpeg would record 1681 padding samples
    x = np.zeros((n, channels) if channels == 2 else n, np.float32)
    data = encode_mp3(x, EncodeSettings(channels=channels))
    info = read_gapless_info(data)
    assert info.samples == n and info.padding == info.frames * 1152 - 576 - n
    crc_at = info.lame_offset + 34
    assert struct.unpack_from(">H", data, crc_at)[0] == tag_crc(data[:200], crc_at, "ffmpeg")
    assert with_exact_length(data, n) is data


@pytest.mark.parametrize("convention", ["ffmpeg", "lame"])
def test_written_info_frame_reads_back_in_the_tags_crc_convention(convention):
    """One writer: what write_info_frame writes, read_gapless_info reads; the tag CRC is redone
    in the convention the tag had (ffmpeg's, or LAME's, made here by re-signing the tag)."""
    data = bytearray(encode_mp3(np.zeros(20_000, np.float32)))
    info = read_gapless_info(bytes(data))
    crc_at = info.lame_offset + 34 - info.frame_offset
    if convention == "lame":
        struct.pack_into(">H", data, info.frame_offset + crc_at, tag_crc(bytes(data), crc_at, "lame"))
    sizes = [417] * 7 + [418] * 3
    write_info_frame(data, info, 1000, 2000, frame_sizes=sizes, music_crc=0xBEEF)
    again = read_gapless_info(bytes(data))
    assert (again.encoder_delay, again.padding, again.frames) == (1000, 2000, 10)
    assert again.samples == 10 * 1152 - 3000
    lame = info.lame_offset
    total = info.audio_offset - info.frame_offset + sum(sizes)
    assert struct.unpack_from(">I", data, lame + 28)[0] == total  # music length
    assert struct.unpack_from(">H", data, lame + 32)[0] == 0xBEEF  # music CRC
    assert struct.unpack_from(">H", data, info.frame_offset + crc_at)[0] == tag_crc(bytes(data), crc_at, convention)
    with pytest.raises(Mp3InfoError, match="must be 0..4095"):
        write_info_frame(data, info, 4096, 0)


def test_rewrite_refuses_impossible_lengths():
    data = encode_mp3(np.zeros(5000, np.float32))
    with pytest.raises(Mp3InfoError, match="cannot hold"):
        with_exact_length(data, 50_000)


def test_id3v2_is_skipped():
    data = encode_mp3(np.zeros(5000, np.float32))
    tagged = b"ID3\x04\x00\x00\x00\x00\x00\x0a" + b"\0" * 10 + data
    info = read_gapless_info(tagged)
    assert info.samples == 5000 and info.frame_offset == 20


@pytest.mark.parametrize("junk", [b"", b"RIFF....WAVE", b"\xff\xfb\x00\x00" + b"\0" * 64])
def test_not_mp3_raises(junk):
    with pytest.raises(Mp3InfoError):
        read_gapless_info(junk)
