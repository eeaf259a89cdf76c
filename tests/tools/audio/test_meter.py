"""flashmob.tools.audio.meter: BS.1770 integrated loudness, against the standard and pyloudnorm."""

import numpy as np
import pyloudnorm
import pytest

from flashmob.tools.audio.meter import LoudnessError, LoudnessMeter, integrated_loudness, k_weighting_sos

SR = 44100


def test_k_weighting_matches_bs1770_coefficients_at_48k():
    sos = k_weighting_sos(48000)
    assert np.allclose(sos[0], [1.53512485958697, -2.69169618940638, 1.19839281085285,
                                1.0, -1.69065929318241, 0.73248077421585], atol=1e-8)
    assert np.allclose(sos[1], [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621], atol=1e-8)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_ebu_reference_tone_reads_minus_23(rate):
    # EBU Tech 3341 case 1: 1 kHz stereo sine at -23 dBFS reads -23.0 LUFS (+-0.1)
    t = np.arange(rate * 20) / rate
    s = 10 ** (-23 / 20) * np.sin(2 * np.pi * 1000 * t)
    assert abs(integrated_loudness(np.stack([s, s], axis=1).astype(np.float32), rate) + 23.0) < 0.1


def speech_like(seconds: float = 30.0, seed: int = 0) -> np.ndarray:
    """Bursts of modulated tone and noise with pauses: exercises both gates."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(SR * seconds)) / SR
    x = 0.2 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.3 * t)) + 0.05 * rng.standard_normal(t.size)
    x *= (np.sin(2 * np.pi * 0.25 * t) > -0.3)  # pauses
    return x.astype(np.float32)


def test_agrees_with_pyloudnorm_and_chunking_does_not_matter():
    x = speech_like()
    ours = integrated_loudness(x, SR)
    assert abs(ours - pyloudnorm.Meter(SR).integrated_loudness(x.astype(np.float64))) < 0.1
    assert abs(integrated_loudness(x, SR, chunk=12345) - ours) < 1e-9


def test_meter_streams_in_chunks():
    x = speech_like(5.0)
    meter = LoudnessMeter(SR)
    for i in range(0, len(x), 1000):
        meter.push(x[i : i + 1000])
    assert abs(meter.integrated() - integrated_loudness(x, SR)) < 1e-9
    with pytest.raises(LoudnessError):
        meter.push(np.zeros((10, 2), np.float32))


def test_silence_and_too_short_are_minus_inf():
    assert integrated_loudness(np.zeros(SR, np.float32), SR) == float("-inf")
    assert integrated_loudness(np.ones(100, np.float32) * 0.5, SR) == float("-inf")
