"""flashmob.tools.audio.encode: MP3s proven sample-exact by decoding them with two real decoders."""

import hashlib

import numpy as np
import pytest

from flashmob.tools.audio.decode import decode_ffmpeg, decode_soundfile
from flashmob.tools.audio.encode import MIN_SAMPLES, EncodeError, EncodeSettings, encode_mp3, ffmpeg_command
from flashmob.tools.audio.mp3info import read_gapless_info

DECODERS = {"mpg123": decode_soundfile, "ffmpeg": decode_ffmpeg}


def clicks(n: int, at: list[int], channels: int = 1) -> np.ndarray:
    """Silence with a full-ish scale one-sample click at each index of ``at``."""
    x = np.zeros((n, channels) if channels > 1 else n, np.float32)
    for i in at:
        x[i] = 0.8
    return x


def decode_bytes(mp3: bytes, decoder: str, tmp_path) -> tuple[np.ndarray, int]:
    path = tmp_path / f"{hashlib.sha256(mp3).hexdigest()[:12]}.mp3"
    path.write_bytes(mp3)
    return DECODERS[decoder](path)


def click_position(y: np.ndarray, near: int, radius: int = 200) -> int:
    """Index of the loudest sample within ``radius`` of ``near``."""
    lo = max(0, near - radius)
    seg = np.abs(y[lo : near + radius])
    if seg.ndim == 2:
        seg = seg.max(axis=1)
    return lo + int(np.argmax(seg))


@pytest.mark.parametrize("decoder", DECODERS)
@pytest.mark.parametrize("n", [MIN_SAMPLES, 1153, 3480, 44100, 3 * 44100 + 17])
def test_clicks_land_on_their_exact_sample_and_length_is_exact(decoder, n, tmp_path):
    """3480 is one of the lengths where ffmpeg itself writes a wrong padding."""
    at = [0, n // 3, n // 2 + 7, n - 1]
    radius = min(100, min(b - a for a, b in zip(at, at[1:])) // 2)
    y, sr = decode_bytes(encode_mp3(clicks(n, at)), decoder, tmp_path)
    assert sr == 44100 and y.shape == (n,)
    assert [click_position(y, a, radius) for a in at] == at


@pytest.mark.parametrize("decoder", DECODERS)
def test_stereo_int16_input(decoder, tmp_path):
    n = 2 * 44100 + 999
    x = (clicks(n, [5000, 60000], channels=2) * 32767).astype(np.int16)
    x[30000, 1] = 26000  # right channel only
    y, sr = decode_bytes(encode_mp3(x, EncodeSettings(channels=2, bitrate_kbps=192)), decoder, tmp_path)
    assert y.shape == (n, 2)
    assert click_position(y, 5000) == 5000 and click_position(y, 60000) == 60000
    assert click_position(y[:, 1], 30000) == 30000
    assert abs(y[30000, 0]) < 0.3 * abs(y[30000, 1])


@pytest.mark.parametrize("decoder", DECODERS)
def test_music_like_signal_is_reproduced_in_place(decoder, tmp_path):
    sr, n = 44100, 2 * 44100 + 555
    t = np.arange(n) / sr
    x = (0.5 * np.sin(2 * np.pi * 440 * t) * np.sin(2 * np.pi * 3 * t)).astype(np.float32)
    y, _ = decode_bytes(encode_mp3(x, EncodeSettings(bitrate_kbps=192)), decoder, tmp_path)
    assert y.shape == x.shape
    err = y - x
    snr = 10 * np.log10(np.sum(x**2) / np.sum(err**2))
    assert snr > 20  # a 1-sample shift of a 440 Hz tone would give ~10 dB


def test_output_is_byte_identical_for_identical_input():
    x = np.random.default_rng(3).uniform(-0.5, 0.5, 44100).astype(np.float32)
    a, b = encode_mp3(x), encode_mp3(x.copy())
    assert a == b
    assert b"Lavf" in a[:500] and b"ID3" not in a[:3]  # Info frame, no ID3 tag
    assert encode_mp3(x, EncodeSettings(quality=5)) != a


def test_lame_tag_records_delay_and_exact_length():
    n = 44100 + 321
    info = read_gapless_info(encode_mp3(np.zeros(n, np.float32), EncodeSettings(bitrate_kbps=64)))
    assert (info.sample_rate, info.channels, info.bitrate_kbps) == (44100, 1, 64)
    assert info.encoder_delay == 576 and info.samples == n


@pytest.mark.parametrize(
    "settings, match",
    [
        (EncodeSettings(sample_rate=22050), "sample rate"),
        (EncodeSettings(bitrate_kbps=100), "bitrate"),
        (EncodeSettings(channels=3), "channels"),
        (EncodeSettings(quality=10), "quality"),
    ],
)
def test_bad_settings_raise_encode_error(settings, match):
    with pytest.raises(EncodeError, match=match):
        encode_mp3(np.zeros(5000, np.float32), settings)


def test_bad_pcm_raises_encode_error():
    with pytest.raises(EncodeError, match="channel"):
        encode_mp3(np.zeros((5000, 2), np.float32))
    with pytest.raises(EncodeError, match="too short"):
        encode_mp3(np.zeros(MIN_SAMPLES - 1, np.float32))
    with pytest.raises(EncodeError, match="NaN"):
        encode_mp3(np.full(5000, np.nan, np.float32))
    with pytest.raises(EncodeError, match="ffmpeg"):
        encode_mp3(np.zeros(5000, np.float32), ffmpeg="/nonexistent/ffmpeg")


def test_command_writes_no_metadata_and_is_bitexact():
    cmd = ffmpeg_command("ffmpeg", EncodeSettings(), "o.mp3")
    for flag in ("-map_metadata", "+bitexact", "-write_xing", "-id3v2_version"):
        assert flag in cmd
    assert cmd[cmd.index("-b:a") + 1] == "128k"


def test_streaming_writer_gives_the_same_bytes_in_any_chunks(tmp_path):
    from flashmob.tools.audio.encode import Mp3Writer

    x = np.random.default_rng(8).uniform(-0.5, 0.5, 3 * 44100 + 17).astype(np.float32)
    with Mp3Writer(EncodeSettings(bitrate_kbps=96)) as w:
        for i in range(0, len(x), 10_007):
            w.write(x[i : i + 10_007])
        mp3 = w.finish()
    assert mp3 == encode_mp3(x, EncodeSettings(bitrate_kbps=96))
    assert read_gapless_info(mp3).samples == len(x)


def test_streaming_writer_cleans_up_when_abandoned():
    import os

    from flashmob.tools.audio.encode import Mp3Writer

    with pytest.raises(RuntimeError):
        with Mp3Writer(EncodeSettings()) as w:
            w.write(np.zeros(5000, np.float32))
            proc, tmp = w._proc, w._dir.name
            raise RuntimeError("the producer failed")
    assert proc.poll() is not None and not os.path.exists(tmp)
    with pytest.raises(EncodeError, match="channel"):
        with Mp3Writer(EncodeSettings()) as w:
            w.write(np.zeros((5000, 2), np.float32))
    with pytest.raises(EncodeError, match="too short"):
        with Mp3Writer(EncodeSettings()) as w:
            w.write(np.zeros(100, np.float32))
            w.finish()


def tones(n: int, sr: int, channels: int = 1) -> np.ndarray:
    """Three steady tones per channel (220 Hz - 3.1 kHz, below every LAME lowpass), peak ~0.5:
    coded without measurable loss even at 32 kb/s, so only LAME's scale changes their level
    (band noise at 32-64 kb/s loses ~0.2 dB to coarse quantization, which is not a scale)."""
    t = np.arange(n)[:, None] / sr
    f = np.array([[220.0, 1000.0, 3100.0]]) * (1 + 0.13 * np.arange(channels))[:, None, None]
    y = (0.17 * np.sin(2 * np.pi * f * t[None])).sum(axis=2).T
    return (y[:, 0] if channels == 1 else y).astype(np.float32)


def decoded_gain_db(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares gain of ``y`` against ``x``."""
    skip = 2048  # the first frames are still settling
    a, b = x[skip:].astype(np.float64).ravel(), y[skip:].astype(np.float64).ravel()
    return float(20 * np.log10(np.dot(a, b) / np.dot(a, a)))


@pytest.mark.parametrize("bitrate", [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320])
def test_decoded_level_is_the_input_level_at_every_bitrate(bitrate, tmp_path):
    """LAME scales CBR output by 0.95 up to 160 kb/s, 0.97 at 192, 0.98 at 224: undone."""
    x = tones(22050, 44100)
    y, _ = decode_bytes(encode_mp3(x, EncodeSettings(bitrate_kbps=bitrate, quality=7)), "mpg123", tmp_path)
    assert abs(decoded_gain_db(x, y)) < 0.01


@pytest.mark.parametrize("decoder", DECODERS)
@pytest.mark.parametrize("rate, channels, bitrate, quality", [
    (32000, 1, 96, 5), (48000, 1, 96, 7), (44100, 2, 96, 7), (48000, 2, 192, 2), (32000, 2, 64, 9)])
def test_decoded_level_does_not_depend_on_rate_channels_or_quality(decoder, rate, channels, bitrate, quality,
                                                                   tmp_path):
    x = tones(rate // 2, rate, channels)
    settings = EncodeSettings(sample_rate=rate, channels=channels, bitrate_kbps=bitrate, quality=quality)
    y, sr = decode_bytes(encode_mp3(x, settings), decoder, tmp_path)
    assert sr == rate
    assert y.shape == x.shape
    assert abs(decoded_gain_db(x, y)) < 0.01


def test_lame_scale_is_its_bitrate_table():
    from flashmob.tools.audio.encode import lame_scale

    assert [lame_scale(b) for b in (32, 96, 160, 192, 224, 256, 320)] == [0.95, 0.95, 0.95, 0.97, 0.98, 1.0, 1.0]


def test_the_callers_samples_are_not_scaled():
    x = tones(5000, 44100)
    before = x.copy()
    encode_mp3(x, EncodeSettings(bitrate_kbps=96))
    assert np.array_equal(x, before)
