"""flashmob.tools.score.limits: show length and spoken lines that cannot fit their slot (pure)."""

import pytest

from flashmob.tools.score import EstimatedDurations, ScoreError, compile_score, read_score
from flashmob.tools.score.limits import (FASTEST_CHARS_PER_SECOND, MAX_SHOW_US, shortest_speech_us,
                                speech_fit_errors)

H = ("flashmob: 1\ntitle: T\ngroups:\n  red: {name: Reds}\n  blue: {name: Blues}\n"
     "voices:\n  quick: {engine: espeak, rate: 2}\nassets:\n  rec: rec.wav\n")


def timeline(cues, asset_us=None):
    score = read_score(H + cues, "s.yaml", ".", file_exists=lambda p: True)
    return compile_score(score, EstimatedDurations(asset_us or {"rec": 3_000_000}))


def fit(cues, allow_overlap=False, asset_us=None):
    return [str(d) for d in speech_fit_errors(timeline(cues, asset_us), allow_overlap)]


def test_the_fastest_pace_is_above_every_engine_measured_here():
    # bench/speech_rate.py: fastest lines 23.6 (piper joe), 20.7 (espeak en-us), 24.8 (espeak fr) chars/s
    assert FASTEST_CHARS_PER_SECOND >= 1.2 * 24.8
    assert shortest_speech_us("x" * 30, 1.0) == 1_000_000
    assert shortest_speech_us("x" * 30, 2.0) == 500_000


def test_a_line_that_cannot_fit_before_the_next_line_names_both():
    text = "word " * 60   # 299 characters: at least 9.97 s
    assert fit(f"cues:\n  - at: 0\n    say: {text}\n  - at: 7\n    say: next\n  - at: 30\n    end: true\n") == [
        "s.yaml:11:5: error: this line cannot fit its slot: its 299 characters need at least 10.0 s "
        "(at 30 characters per second, faster than any voice here), but only 7.0 s remain until the next "
        "spoken line of group 'red' (line 13, at 0:07); shorten the text or move the next cue later"]


def test_a_line_that_fits_at_the_fastest_pace_passes():
    text = "x" * 209   # 6.97 s at 30/s: fits 7 s (the renderer checks the real length later)
    assert fit(f"cues:\n  - at: 0\n    say: {text}\n  - at: 7\n    say: next\n  - at: 30\n    end: true\n") == []


def test_a_faster_voice_gets_a_shorter_bound():
    text = "x" * 299
    cues = f"cues:\n  - at: 0\n    say: {text}\n    voice: quick\n  - at: 7\n    say: next\n  - at: 30\n    end: true\n"
    assert fit(cues) == []     # rate 2: at least 5.0 s


def test_the_end_of_the_show_bounds_every_line_even_with_allow_overlap():
    text = "x" * 300
    cues = f"cues:\n  - at: 0\n    say: {text}\n  - at: 2\n    say: next\n    groups: blue\n  - at: 4\n    end: true\n"
    expected = ("s.yaml:11:5: error: this line cannot fit its slot: its 300 characters need at least 10.0 s "
                "(at 30 characters per second, faster than any voice here), but only 4.0 s remain until the end "
                "of the show at 0:04; shorten the text or move the next cue later")
    assert fit(cues) == [expected]
    assert fit(cues, allow_overlap=True) == [expected]


def test_allow_overlap_lifts_the_next_line_bound():
    cues = f"cues:\n  - at: 0\n    say: {'x' * 300}\n  - at: 2\n    say: next\n  - at: 60\n    end: true\n"
    assert len(fit(cues)) == 1 and fit(cues, allow_overlap=True) == []


def test_a_recording_longer_than_its_slot_is_measured_not_estimated():
    cues = "cues:\n  - at: 0\n    say: Hello\n    clip: rec\n  - at: 2\n    say: next\n  - at: 60\n    end: true\n"
    assert fit(cues) == [
        "s.yaml:11:5: error: this line cannot fit its slot: the recording lasts 3.0 s, but only 2.0 s remain "
        "until the next spoken line of group 'red' (line 14, at 0:02); shorten the text or move the next cue later"]
    assert fit(cues, asset_us={"rec": 1_500_000}) == []


def test_each_line_is_reported_once_whatever_the_number_of_groups():
    cues = f"cues:\n  - at: 0\n    say: {'x' * 300}\n  - at: 1\n    say: next\n  - at: 60\n    end: true\n"
    assert len(fit(cues)) == 1


def test_twelve_hours_is_allowed_one_microsecond_more_is_not():
    ok = timeline("cues:\n  - at: 0\n    say: hi\n  - at: 12:00:00\n    end: true\n")
    assert ok.duration_us == MAX_SHOW_US
    with pytest.raises(ScoreError) as info:
        timeline("cues:\n  - at: 0\n    say: hi\n  - at: 12:00:00.001\n    end: true\n")
    assert [str(d) for d in info.value.errors] == [
        "s.yaml:13:5: error: the show would last 12:00:00.001, longer than the 12:00:00 flashmob renders; "
        "this cue starts at 12:00:00.001 (check its time)"]


def test_without_an_end_the_cue_running_past_the_limit_is_named():
    with pytest.raises(ScoreError) as info:
        timeline("cues:\n  - at: 11:59:59\n    say: hi\n    clip: rec\n")
    assert [str(d) for d in info.value.errors] == [
        "s.yaml:11:5: error: the show would last 12:00:02, longer than the 12:00:00 flashmob renders; "
        "this cue ends at 12:00:02 (check its time)"]
