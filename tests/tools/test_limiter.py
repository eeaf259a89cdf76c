"""tools.limiter: true peaks held under the ceiling with a smooth gain."""

import numpy as np
import pytest

from tools.limiter import GainSmoother, LimiterError, LimiterSettings, LimiterStats, limit
from tools.truepeak import true_peak_dbtp

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
