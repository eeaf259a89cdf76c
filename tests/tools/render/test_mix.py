"""The chunked mixer: exact placement, chunk independence, fades and ducking."""

import numpy as np
import pytest

from flashmob.tools.render.mix import GroupMixer, Sources
from flashmob.tools.score import compile_score, read_score

SR = 48000
HEADER = ("flashmob: 1\ntitle: T\nsample_rate: 48000\ngroups:\n  red: {}\n  blue: {}\n"
          "assets:\n  click: c.wav\n  bed: b.wav\n")


def timeline(cues, durations=None):
    from tests.tools.score.conftest import FixedDurations
    score = read_score(HEADER + cues, "t.yaml", ".", file_exists=lambda p: True)
    return compile_score(score, durations or FixedDurations(speech_us=500_000,
                                                            assets={"click": 1000, "bed": 1_000_000}))


def sources(speech_len=SR // 2):
    click = np.zeros(48, np.float32)
    click[0] = 1.0
    return Sources(speech=lambda ev: np.full(speech_len, 0.25, np.float32),
                   asset=lambda name: click if name == "click" else np.full(SR, 0.5, np.float32),
                   beep=lambda: np.ones(10, np.float32))


def test_clicks_land_on_their_exact_samples():
    t = timeline("cues:\n  - at: 1\n    sound: click\n  - at: 2.000021\n    sound: click\n    groups: red\n"
                 "  - at: 3\n    end:\n")
    mix = GroupMixer(t.group("red"), t.duration, SR, sources()).render(0, t.duration)
    assert np.flatnonzero(mix).tolist() == [48000, 96001]


def test_chunked_render_equals_whole_render():
    t = timeline("cues:\n  - at: 0\n    music: bed\n    loop: true\n    fade_in: 1\n    fade_out: 2\n"
                 "  - at: 1.3\n    say: hello\n  - at: 2.2\n    sound: click\n  - at: 6\n    end:\n")
    mixer = GroupMixer(t.group("red"), t.duration, SR, sources())
    whole = mixer.render(0, t.duration)
    pieces = np.concatenate([mixer.render(a, a + 7777) for a in range(0, t.duration, 7777)])
    assert whole.shape == (6 * SR,) and np.array_equal(whole, pieces)


def test_music_loops_fades_and_ducks_under_speech():
    t = timeline("cues:\n  - at: 0\n    music: bed\n    gain: 0\n    loop: true\n    fade_in: 1\n    duck: -20dB\n"
                 "  - at: 3\n    say: hello\n  - at: 8\n    end:\n    fade_out: 1\n")
    src = Sources(speech=lambda ev: np.zeros(SR // 2, np.float32), asset=lambda n: np.full(SR, 0.5, np.float32),
                  beep=lambda: np.ones(1, np.float32))
    mix = GroupMixer(t.group("red"), t.duration, SR, src).render(0, t.duration)
    assert mix[0] == 0.0 and mix[SR // 2] == pytest.approx(0.25, abs=1e-3)       # half-way through fade-in
    assert mix[2 * SR] == pytest.approx(0.5)                                       # looped past the 1 s asset
    assert mix[3 * SR + SR // 4] == pytest.approx(0.05, abs=1e-4)                  # -20 dB under speech
    assert mix[3 * SR - int(0.2 * SR)] == pytest.approx(0.5)                       # duck has not begun
    assert 0.05 < mix[3 * SR - int(0.06 * SR)] < 0.5                               # look-ahead ramp
    assert mix[5 * SR] == pytest.approx(0.5)                                       # released
    assert mix[-1] < 1e-3 and mix[int(7.5 * SR)] == pytest.approx(0.25, abs=1e-3)  # end fade


def test_music_without_loop_stops_at_the_asset_end_and_groups_differ():
    t = timeline("cues:\n  - at: 0\n    music: bed\n    gain: 0\n    duck: false\n    groups: red\n"
                 "  - at: 3\n    end:\n")
    red = GroupMixer(t.group("red"), t.duration, SR, sources()).render(0, t.duration)
    blue = GroupMixer(t.group("blue"), t.duration, SR, sources()).render(0, t.duration)
    assert red[SR - 1] == pytest.approx(0.5) and red[SR] == 0.0
    assert not blue.any()


def test_countdown_beep_uses_builtin_when_no_asset():
    t = timeline("cues:\n  - at: 2\n    countdown: 1\n  - at: 3\n    end:\n")
    src = Sources(speech=lambda ev: np.zeros(100, np.float32), asset=lambda n: None,
                  beep=lambda: np.ones(10, np.float32))
    mix = GroupMixer(t.group("red"), t.duration, SR, src).render(0, t.duration)
    assert np.flatnonzero(mix).tolist() == list(range(2 * SR, 2 * SR + 10))
