"""flashmob.tools.audio.limiter: true peaks held under the ceiling with a smooth gain."""

import numpy as np
import pytest

from flashmob.tools.audio.limiter import GainSmoother, LimiterError, LimiterSettings, LimiterStats, limit
from flashmob.tools.audio.truepeak import true_peak_dbtp

SR = 44100


def signals():
    rng = np.random.default_rng(1)
    n = SR * 4
    t = np.arange(n) / SR
    return {
        "loud noise from sample 0": rng.standard_normal(n) * 0.5,
        "kick drum": np.sin(2 * np.pi * 60 * t) * np.exp(-(t % 0.5) * 8) * 2.5 + rng.standard_normal(n) * 0.05,
        "quarter-rate tone": np.sin(2 * np.pi * SR / 4 * t + np.pi / 4) * 1.5,
        "isolated clicks": np.where(rng.random(n) < 0.001, 3.0, 0.0) * rng.choice([-1, 1], n),
        "square wave": np.sign(np.sin(2 * np.pi * 440 * t)) * 1.2,
    }


@pytest.mark.parametrize("name", list(signals()))
@pytest.mark.parametrize("lookahead_ms", [1.0, 5.0])
def test_output_true_peak_is_under_the_ceiling(name, lookahead_ms):
    x = signals()[name].astype(np.float32)
    y = limit(x, SR, LimiterSettings(ceiling_dbtp=-1.0, lookahead_ms=lookahead_ms))
    assert true_peak_dbtp(y) <= -1.0


def test_gain_is_at_most_one_and_smooth():
    x = signals()["kick drum"].astype(np.float32)
    stats = LimiterStats()
    y = limit(x, SR, stats=stats)
    loud = np.abs(x) > 1e-3
    gain = y[loud] / x[loud]
    assert gain.max() <= 1.0 + 1e-6 and stats.limited_frames > 0 and stats.max_reduction_db < -5
    # no clicks: the gain changes by less than 0.2 dB from one frame to the next
    g_db = 20 * np.log10(gain)
    assert np.abs(np.diff(g_db)).max() < 0.2


def test_quiet_audio_passes_through_unchanged_and_gain_is_applied():
    x = (np.random.default_rng(2).standard_normal(30_000) * 0.01).astype(np.float32)
    stats = LimiterStats()
    assert np.array_equal(limit(x, SR, stats=stats), x) and stats.limited_frames == 0
    assert np.allclose(limit(x, SR, gain_db=6.0), x * np.float32(10 ** 0.3), rtol=1e-6)


def test_in_place_chunked_and_stereo_agree():
    x = signals()["loud noise from sample 0"].astype(np.float32)
    st = np.stack([x, -0.5 * x], axis=1)
    whole = limit(st, SR)
    assert np.allclose(limit(st, SR, chunk=777), whole, atol=1e-6)
    work = st.copy()
    assert limit(work, SR, out=work) is work and np.array_equal(work, whole)
    assert np.allclose(whole[:, 1], -0.5 * whole[:, 0])  # one gain for both channels


def test_smoother_never_exceeds_the_needed_gain():
    rng = np.random.default_rng(0)
    need = np.minimum(0, rng.standard_normal(5000) * 3)
    for window in (1, 5, 221):
        s = GainSmoother(window, 0.001)
        g = np.concatenate([s.push(need[:100]), s.push(need[100:3000]), s.push(need[3000:], final=True)])
        assert g.size == need.size and np.all(g <= need + 1e-9)


@pytest.mark.parametrize("settings", [LimiterSettings(ceiling_dbtp=1.0), LimiterSettings(lookahead_ms=0),
                                      LimiterSettings(release_db_per_s=0)])
def test_bad_settings_raise(settings):
    with pytest.raises(LimiterError):
        limit(np.zeros(100, np.float32), SR, settings)


# ---- the sparse form: the same gains, computed only where the limiter can act ----------------------

def sparse(x: np.ndarray, gain_db: float, settings: LimiterSettings = LimiterSettings()):
    from flashmob.tools.audio.limiter import apply_spans, limiter_spans
    from flashmob.tools.audio.truepeak import BlockPeaks

    peaks = BlockPeaks()
    for i in range(0, len(x), 10_000):  # fed in chunks that are not multiples of the block
        peaks.push(x[i : i + 10_000])
    stats = LimiterStats()
    spans = limiter_spans(lambda a, b: x[a:b], len(x), peaks.result(), SR, settings, gain_db=gain_db, stats=stats)
    y = x.copy()
    for i in range(0, len(x), 33_333):
        apply_spans(y[i : i + 33_333], i, spans, np.float32(10 ** (gain_db / 20)))
    return y, spans, stats


def program_with_peaks(peaks: bool) -> np.ndarray:
    """Quiet speech-like bursts; with ``peaks``, a few sharp transients far above them."""
    rng = np.random.default_rng(7)
    n = SR * 8
    t = np.arange(n) / SR
    x = 0.1 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 0.5 * t) > 0) + 0.01 * rng.standard_normal(n)
    if peaks:
        for at in (SR // 2, 3 * SR, 3 * SR + 2000, 6 * SR + 17):
            x[at : at + 200] += 0.9 * np.hanning(200)
    return x.astype(np.float32)


@pytest.mark.parametrize("name", ["without peaks", "with peaks"] + list(signals()))
@pytest.mark.parametrize("gain_db", [0.0, 9.0])
def test_sparse_limiter_matches_the_dense_one(name, gain_db):
    """Stated bound: gains within 1e-5 dB and output samples within 2**-21 relative (a few float32
    rounding steps). Where they differ at all, it is rounding: the interpolated envelope is float32
    and summed in another order for a short region than for a 6 s chunk (the dense limiter
    itself differs as much between chunk sizes), and the smoother's float64 running sums
    start at another frame."""
    x = (program_with_peaks(name == "with peaks") if "peaks" in name else signals()[name]).astype(np.float32)
    dense_stats = LimiterStats()
    dense = limit(x, SR, gain_db=gain_db, stats=dense_stats)
    y, spans, stats = sparse(x, gain_db)
    assert np.all(np.abs(y - dense) <= np.abs(dense) * 2.0**-21)
    assert stats.limited_frames == dense_stats.limited_frames
    assert abs(stats.max_reduction_db - dense_stats.max_reduction_db) < 1e-5
    # the limiter acts where it must, and only there
    if name == "without peaks" and gain_db == 0.0:
        assert spans == [] and np.array_equal(y, x)
    if name == "with peaks" and gain_db == 0.0:
        covered = sum(s.gains.size for s in spans)
        assert 0 < covered < len(x) // 4 and true_peak_dbtp(y) <= -1.0


def test_sparse_limiter_spans_are_ordered_and_start_idle():
    x = program_with_peaks(True)
    _, spans, _ = sparse(x, 6.0)
    assert all(a.stop <= b.start for a, b in zip(spans, spans[1:]))
    assert all(s.gains.dtype == np.float32 and s.gains.max() <= 1.0 and s.gains[0] < 1.0 for s in spans)
