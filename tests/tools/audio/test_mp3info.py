"""flashmob.tools.audio.mp3info: reading and correcting the LAME tag of real encoder output."""

import struct

import lameenc
import numpy as np
import pytest

from flashmob.tools.audio.encode import EncodeSettings, encode_mp3
from flashmob.tools.audio.mp3info import (
    Mp3InfoError,
    _tag_crc,
    crc16,
    parse_frame_header,
    read_gapless_info,
    with_exact_length,
)


def test_crc16_arc_check_value():
    assert crc16(b"123456789") == 0xBB3D  # the catalogued check value of CRC-16/ARC


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
    assert struct.unpack_from(">H", data, crc_at)[0] == _tag_crc(data[:200], crc_at, "ffmpeg")
    assert with_exact_length(data, n) is data


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
