"""Shared checks that audio is plausible speech (used by the voice tests)."""

import numpy as np


def words_per_minute(text: str, samples: np.ndarray, rate: int) -> float:
    return len(text.split()) / (len(samples) / rate) * 60


def voiced_fraction(samples: np.ndarray, rate: int) -> float:
    """Fraction of 20 ms frames within 40 dB of the loudest frame."""
    frame = rate // 50
    n = len(samples) // frame
    rms = np.sqrt((samples[: n * frame].astype(np.float64).reshape(n, frame) ** 2).mean(axis=1))
    return float((rms > rms.max() * 10 ** (-40 / 20)).mean())


def assert_speech(text: str, samples: np.ndarray, rate: int, wpm=(80, 320)) -> None:
    """Energy present, mostly voiced, and a speaking pace a person could have."""
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert np.sqrt(np.mean(samples.astype(np.float64) ** 2)) > 0.01
    assert voiced_fraction(samples, rate) > 0.5
    assert wpm[0] < words_per_minute(text, samples, rate) < wpm[1]
