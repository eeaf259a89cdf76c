"""flashmob.tools.audio.pcm: conversions, resampling, gain and silence trimming."""

import numpy as np
import pytest

from flashmob.tools.audio.errors import AudioError
from flashmob.tools.audio.pcm import (
    PcmError,
    apply_gain_db,
    as_float32,
    channel_count,
    normalize_peak,
    peak,
    resample,
    sound_bounds,
    to_int16,
    to_mono,
    trim_silence,
)


def test_int16_float_round_trip_is_exact_for_every_value():
    ints = np.arange(-32767, 32768, dtype=np.int16)
    back = to_int16(as_float32(ints) * np.float32(32768.0 / 32767.0))
    assert np.array_equal(back, ints)


def test_as_float32_scales_int16_and_keeps_shape():
    x = np.array([[-32768, 0], [16384, 32767]], dtype=np.int16)
    y = as_float32(x)
    assert y.dtype == np.float32 and y.shape == (2, 2)
    assert y[0, 0] == -1.0 and y[1, 0] == 0.5


@pytest.mark.parametrize(
    "bad",
    [np.zeros((2, 2, 2), np.float32), np.zeros((4, 0), np.float32), np.array([1, 2], np.int32), np.array([0.0, np.nan])],
)
def test_bad_arrays_raise_pcm_error(bad):
    with pytest.raises(PcmError):
        as_float32(bad)
    assert issubclass(PcmError, AudioError)


def test_to_int16_clips():
    assert to_int16(np.array([2.0, -2.0, 0.5], np.float32)).tolist() == [32767, -32768, 16384]


def test_channels_and_mono():
    st = np.stack([np.ones(4, np.float32), -np.ones(4, np.float32) * 0.5], axis=1)
    assert channel_count(st) == 2 and channel_count(st[:, 0]) == 1
    assert np.allclose(to_mono(st), 0.25)


def test_resample_length_and_timing():
    sr_in, sr_out = 22050, 44100
    x = np.zeros(22050, np.float32)
    x[10000] = 1.0
    y = resample(x, sr_in, sr_out)
    assert y.shape == (44100,) and y.dtype == np.float32
    assert int(np.argmax(np.abs(y))) == 20000  # zero-phase: impulse stays at the same time


def test_resample_preserves_a_tone_and_rejects_aliases():
    sr_in, sr_out = 48000, 44100
    t = np.arange(48000) / sr_in
    tone = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    y = resample(tone, sr_in, sr_out)
    assert len(y) == 44100
    mid = y[2000:-2000]
    expected = np.sin(2 * np.pi * 1000 * (np.arange(len(y)) / sr_out))[2000:-2000]
    assert np.max(np.abs(mid - expected)) < 1e-3
    # A 23 kHz tone is above the new Nyquist (22.05 kHz): it must vanish.
    for f in (22500, 23000, 23900):
        alias = resample(np.sin(2 * np.pi * f * t).astype(np.float32), sr_in, sr_out)
        assert np.max(np.abs(alias[2000:-2000])) < 10 ** (-80 / 20), f


def test_resample_identity_and_stereo():
    x = np.random.default_rng(1).standard_normal((100, 2)).astype(np.float32)
    assert resample(x, 44100, 44100) is x
    assert resample(x, 44100, 22050).shape == (50, 2)
    with pytest.raises(PcmError):
        resample(x, 0, 44100)


def test_gain_and_peak():
    x = np.array([0.5, -0.25], np.float32)
    assert np.allclose(apply_gain_db(x, 6.0206), [1.0, -0.5], atol=1e-4)
    assert abs(peak(normalize_peak(x, -6.0206)) - 0.5) < 1e-4
    assert np.array_equal(normalize_peak(np.zeros(3, np.float32), -1.0), np.zeros(3))
    with pytest.raises(PcmError):
        apply_gain_db(x, float("inf"))


def test_trim_silence_keeps_onset_sample():
    x = np.zeros(1000, np.float32)
    x[123] = 0.01
    x[500] = 0.5
    x[700] = 0.002  # -54 dBFS: above the -55 dBFS default threshold
    x[800] = 0.0001  # -80 dBFS: silence
    assert sound_bounds(x) == (123, 701)
    y = trim_silence(x)
    assert len(y) == 578 and y[0] == np.float32(0.01)
    assert trim_silence(np.zeros(10, np.float32)).shape == (0,)
    assert sound_bounds(np.zeros((5, 2), np.float32)) == (0, 0)
