"""flashmob.tools.audio.decode: both real decoders agree on lossless files; errors are DecodeError."""

import struct

import numpy as np
import pytest
import soundfile

from flashmob.tools.audio.decode import DecodeError, decode_ffmpeg, decode_soundfile, parse_wav_float32


@pytest.fixture
def stereo_wav(tmp_path):
    rng = np.random.default_rng(7)
    x = (rng.uniform(-0.9, 0.9, (12345, 2))).astype(np.float32)
    path = tmp_path / "st.wav"
    soundfile.write(path, x, 32000, subtype="FLOAT")
    return path, x


@pytest.mark.parametrize("decode", [decode_soundfile, decode_ffmpeg])
def test_decoders_return_exact_float_wav(decode, stereo_wav):
    path, x = stereo_wav
    y, sr = decode(path)
    assert sr == 32000 and y.dtype == np.float32 and y.shape == x.shape
    assert np.array_equal(y, x)


@pytest.mark.parametrize("decode", [decode_soundfile, decode_ffmpeg])
def test_mono_int16_flac_is_1d(decode, tmp_path):
    x = (np.arange(-1000, 1000, dtype=np.int16) * 30)
    path = tmp_path / "m.flac"
    soundfile.write(path, x, 44100, subtype="PCM_16")
    y, sr = decode(path)
    assert sr == 44100 and y.shape == (2000,)
    assert np.array_equal(y, x.astype(np.float32) / 32768)


@pytest.mark.parametrize("decode", [decode_soundfile, decode_ffmpeg])
def test_missing_and_garbage_files_raise_decode_error(decode, tmp_path):
    with pytest.raises(DecodeError, match="not found"):
        decode(tmp_path / "nope.mp3")
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(DecodeError):
        decode(junk)


def _wav(fmt_body: bytes, data: bytes, data_size: int) -> bytes:
    chunks = b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body
    chunks += b"LIST" + struct.pack("<I", 3) + b"abc\0"  # odd size: padded
    chunks += b"data" + struct.pack("<I", data_size) + data
    return b"RIFF" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE" + chunks


def test_parse_streamed_wav_with_placeholder_sizes():
    samples = np.array([[0.5, -0.5], [0.25, 1.0]], np.float32)
    fmt = struct.pack("<HHIIHH", 3, 2, 8000, 8000 * 8, 8, 32)
    y, sr = parse_wav_float32(_wav(fmt, samples.tobytes(), 0xFFFFFFFF))
    assert sr == 8000 and np.array_equal(y, samples)


def test_parse_rejects_non_float_wav():
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    with pytest.raises(DecodeError, match="float"):
        parse_wav_float32(_wav(fmt, b"\0\0", 2))
    with pytest.raises(DecodeError):
        parse_wav_float32(b"nope")
