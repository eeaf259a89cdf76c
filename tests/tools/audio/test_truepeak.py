"""flashmob.tools.audio.truepeak: 4x oversampled peak estimation, exact where it matters, chunk-independent."""

import numpy as np
import pytest
from scipy.signal import resample_poly

from flashmob.tools.audio.truepeak import interpolation_matrix, padded_chunks, peak_envelope, true_peak, true_peak_dbtp

SR = 44100


def reference_true_peak_db(x: np.ndarray) -> float:
    """Brute force: 16x oversampling with a long high-quality filter."""
    y = resample_poly(x.astype(np.float64), 16, 1, window=("kaiser", 10.0))
    return float(20 * np.log10(np.abs(y).max()))


def smooth_tone(freq: float, phase: float, amp: float = 0.9, seconds: float = 1.0) -> np.ndarray:
    n = np.arange(int(SR * seconds))
    fade = np.hanning(n.size) ** 0.1  # no abrupt start: edges would ring
    return (amp * fade * np.sin(2 * np.pi * freq * n / SR + phase)).astype(np.float32)


def test_interpolator_passes_original_samples_and_has_unit_dc_gain():
    m = interpolation_matrix()
    assert m.shape == (12, 3)
    assert np.allclose(m.sum(axis=0), 1.0, atol=1e-3)


@pytest.mark.parametrize("freq, phase", [(997, 0.3), (SR / 4, np.pi / 4), (SR / 8, np.pi / 8), (15000, 0.1)])
def test_true_peak_matches_brute_force(freq, phase):
    x = smooth_tone(freq, phase)
    assert abs(true_peak_dbtp(x) - reference_true_peak_db(x)) < 0.1


def test_inter_sample_peak_of_quarter_rate_tone_is_found():
    # samples of sin at fs/4 with a 45 degree phase are all at 0.707 of the true peak
    x = smooth_tone(SR / 4, np.pi / 4)
    sample_peak_db = 20 * np.log10(np.abs(x).max())
    assert true_peak_dbtp(x) - sample_peak_db > 2.9


def test_chunking_does_not_change_the_result_and_silence_is_minus_inf():
    x = (np.random.default_rng(0).standard_normal((50_000, 2)) * 0.2).astype(np.float32)
    assert true_peak(x, chunk=1000) == true_peak(x)
    assert true_peak_dbtp(np.zeros(100, np.float32)) == float("-inf")


def test_floor_keeps_envelope_exact_above_it():
    x = (np.random.default_rng(1).standard_normal(20_000) * 0.3).astype(np.float32)
    for _, _, padded in padded_chunks(x, 4096):
        full, fast = peak_envelope(padded), peak_envelope(padded, floor=0.8)
        above = full > 0.8
        assert np.array_equal(full[above], fast[above])
        assert np.all(fast[~above] <= 0.8)


def test_padded_chunks_cover_the_track_with_zero_context_at_the_ends():
    x = np.arange(1, 11, dtype=np.float32)
    chunks = list(padded_chunks(x, 4))
    assert [(a, b) for a, b, _ in chunks] == [(0, 4), (4, 8), (8, 10)]
    first, last = chunks[0][2], chunks[-1][2]
    assert first[:5].tolist() == [0] * 5 and first[5] == 1 and last[-6:].tolist() == [0] * 6


def test_block_peaks_in_any_chunks_and_the_bound_they_give():
    from flashmob.tools.audio.truepeak import PEAK_BLOCK, BlockPeaks, l1_gain

    rng = np.random.default_rng(5)
    x = (rng.standard_normal((10_000, 2)) * 0.3).astype(np.float32)
    whole = BlockPeaks()
    whole.push(x)
    parts = BlockPeaks()
    for i in range(0, len(x), 999):
        parts.push(x[i : i + 999])
    p = parts.result()
    assert np.array_equal(p, whole.result()) and p.size == -(-len(x) // PEAK_BLOCK)
    assert p[3] == np.abs(x[3 * PEAK_BLOCK : 4 * PEAK_BLOCK]).max()
    assert p[-1] == np.abs(x[-(len(x) % PEAK_BLOCK):]).max()
    # no interpolated point exceeds l1_gain() times the largest sample around it
    assert true_peak(x) <= l1_gain() * np.abs(x).max()


@pytest.mark.parametrize("kind", ["noise", "nyquist", "quarter", "smooth", "clicks", "loud edges"])
def test_envelope_bounds_hold_for_every_block(kind):
    """The bounds the sparse limiter trusts to skip blocks: never below the exact envelope,
    including the first and last blocks (silence around the track)."""
    from flashmob.tools.audio.truepeak import AFTER, BEFORE, PEAK_BLOCK, BlockPeaks, envelope_bounds

    rng = np.random.default_rng(11)
    n = 64 * 200 + 37
    t = np.arange(n)
    x = {"noise": rng.standard_normal(n) * 0.3,
         "nyquist": 0.9 * np.cos(np.pi * t + 0.3),
         "quarter": 0.9 * np.sin(np.pi / 2 * t + np.pi / 4),
         "smooth": 0.9 * np.sin(2 * np.pi * 200 * t / SR),
         "clicks": np.where(rng.random(n) < 0.01, rng.choice([-0.95, 0.95], n), 0.0),
         "loud edges": np.r_[np.full(100, 0.9), np.zeros(n - 200), np.full(100, -0.9)]}[kind].astype(np.float32)
    stats = BlockPeaks()
    for i in range(0, n, 1000):
        stats.push(x[i : i + 1000])
    env = peak_envelope(np.pad(x, (BEFORE, AFTER)))
    exact = np.pad(env, (0, -n % PEAK_BLOCK)).reshape(-1, PEAK_BLOCK).max(axis=1)
    for bound in (envelope_bounds(stats.result()), envelope_bounds(stats.result(), stats.steps())):
        assert np.all(bound >= exact * (1 - 1e-6))
    if kind == "smooth":  # the step bound is the tight one for smooth signals (the cut at the end is a step)
        tight, loose = envelope_bounds(stats.result(), stats.steps())[:-2], envelope_bounds(stats.result())[:-2]
        assert tight.max() < 1.1 * exact.max() and tight.max() < loose.max()
