"""The compiler's timing rules (docs/score-format.md, 'Timing')."""

import pytest

from flashmob.tools.score import Diagnostics, ScoreError, compile_score, load_score

from .conftest import starts

S = 1_000_000


def test_at_positions_are_exact_samples(compile_cues):
    t = compile_cues("cues:\n  - at: 1:02:03.250\n    say: hi\n  - at: 1:03:00\n    end:\n")
    [say, end] = t.group("red").events
    assert say.start == 3_723_250 * 48 and say.end == say.start + 2 * 48000
    assert (end.kind, end.start) == ("end", 3780 * 48000)
    assert t.duration == 3780 * 48000 and t.explicit_end


def test_after_previous_waits_for_every_group_of_the_cue(compile_cues):
    t = compile_cues("cues:\n"
                     "  - at: 0\n    say: red only\n    groups: red\n"          # red busy 0..2
                     "  - at: 1\n    say: blue only\n    groups: blue\n"        # blue busy 1..3
                     "  - after: previous\n    gap: 500ms\n    say: both\n"   # starts at 3.5
                     "  - after: 1s\n    say: red again\n    groups: red\n"     # 5.5 + 1
                     "  - at: 20\n    end:\n")
    assert [s for _, _, s in starts(t, "red")[:3]] == [0, 3_500_000, 6_500_000]
    assert starts(t, "blue")[1][2] == 3_500_000


def test_music_and_stop_are_not_anchors_for_after_previous(compile_cues):
    t = compile_cues("cues:\n  - at: 0\n    say: a\n  - id: m\n    at: 1\n    music: bed\n    loop: true\n"
                     "  - at: 1.5\n    stop: m\n  - after: previous\n    say: b\n  - at: 30\n    end:\n")
    say_b = [e for e in t.group("red").events if e.kind == "say"][1]
    assert say_b.start_us == 2 * S


def test_after_id_anchors_on_the_end_of_that_cue(compile_cues):
    t = compile_cues("cues:\n  - id: intro\n    at: 0\n    say: a\n  - at: 1\n    say: b\n    groups: blue\n"
                     "  - after: intro\n    gap: 3\n    say: c\n    groups: red\n  - at: 30\n    end:\n")
    assert starts(t, "red")[1][2] == 5 * S


def test_countdown_at_is_the_beat_and_numbers_precede_it(compile_cues):
    t = compile_cues("cues:\n  - at: 10\n    countdown: 3\n    beep: gong\n    every: 0.5\n  - at: 10\n    say: jump\n"
                     "  - at: 30\n    end:\n")
    ev = starts(t, "red")
    assert ev[:4] == [("cue11.3", "say", 8_500_000), ("cue11.2", "say", 9_000_000),
                      ("cue11.1", "say", 9_500_000), ("cue11.beep", "sound", 10_000_000)]
    assert ev[4] == ("cue15", "say", 10_000_000)   # a cue may land on the beat


def test_countdown_after_starts_counting_at_the_anchor(compile_cues):
    t = compile_cues("cues:\n  - at: 0\n    say: ready\n  - after: previous\n    countdown: 2\n"
                     "  - at: 30\n    end:\n")
    ev = starts(t, "red")
    assert [s for _, _, s in ev[1:4]] == [2 * S, 3 * S, 4 * S]   # 2, 1, beat at 4 s


def test_sections_repeat_back_to_back_with_length(compile_cues):
    t = compile_cues("sections:\n  clap:\n    length: 4s\n    cues:\n      - at: 0\n        sound: gong\n"
                     "      - at: 2\n        sound: gong\ncues:\n  - at: 10\n    play: clap\n    repeat: 3\n"
                     "    groups: red\n  - after: previous\n    say: done\n    groups: red\n  - at: 60\n    end:\n")
    ev = starts(t, "red")
    assert [s // S for _, k, s in ev if k == "sound"] == [10, 12, 14, 16, 18, 20]
    assert ev[0][0] == "clap@19[1]/cue14" and ev[-2][0] == "cue23"   # ids say where they come from
    assert ev[-2][2] == 22 * S                                          # after the 3 x 4 s block
    assert not [e for e in t.group("blue").events if e.kind == "sound"]


def test_section_without_length_lasts_until_its_last_cue_ends(compile_cues):
    t = compile_cues("sections:\n  s:\n    - at: 0\n      say: x\n    - after: 1\n      say: y\n"
                     "cues:\n  - at: 0\n    play: s\n    repeat: 2\n  - at: 30\n    end:\n")
    says = [s // 1000 for _, k, s in starts(t, "red") if k == "say"]
    assert says == [0, 3000, 5000, 8000]


def test_music_end_by_until_by_asset_length_and_by_show_end(compile_cues):
    t = compile_cues("cues:\n  - at: 0\n    music: bed\n    until: 0:20\n    fade_out: 2s\n"
                     "  - at: 30\n    music: bed\n  - at: 1:00\n    music: bed\n    loop: true\n  - at: 1:10\n    end:\n")
    beds = [e for e in t.group("red").events if e.kind == "music"]
    assert [(b.start_us // S, b.end_us // S) for b in beds] == [(0, 20), (30, 70), (60, 70)]
    assert beds[0].fade_out == 2 * 48000


def test_meeting_points_are_cues_for_every_group(compile_cues):
    t = compile_cues("cues:\n  - at: 0\n    say: all\n  - at: 5\n    say: red\n    groups: red\n"
                     "  - at: 10\n    show: together\n    groups: [red, blue]\n  - at: 20\n    end:\n")
    assert t.meetings_us == (10 * S,)   # 0 is shared but nobody had parted yet


def test_say_caption_defaults_to_its_text_and_show_overrides(compile_cues):
    t = compile_cues("cues:\n  - at: 0\n    say: Hello there\n  - at: 5\n    say: Go\n    show: GO NOW\n"
                     "    vibrate: 300\n  - at: 9\n    end:\n")
    a, b, _ = t.group("red").events
    assert (a.caption, b.caption, b.vibrate) == ("Hello there", "GO NOW", (300,))


def test_recompiling_with_real_durations_moves_after_chains(compile_cues):
    from .conftest import FixedDurations
    cues = "cues:\n  - at: 0\n    say: a\n  - after: previous\n    say: b\n  - at: 30\n    end:\n"
    short = compile_cues(cues, durations=FixedDurations(speech_us=1 * S))
    long = compile_cues(cues, durations=FixedDurations(speech_us=4 * S))
    assert starts(short, "red")[1][2] == 1 * S and starts(long, "red")[1][2] == 4 * S


def test_stop_after_music_ended_is_an_error(compile_cues):
    with pytest.raises(ScoreError) as info:
        compile_cues("cues:\n  - id: m\n    at: 0\n    music: bed\n    until: 5\n  - at: 10\n    stop: m\n"
                     "  - at: 20\n    end:\n")
    assert "that music has already ended by 0:10" in str(info.value)


def test_repeat_explosion_is_bounded(compile_cues):
    sections = "sections:\n  a:\n    - at: 0\n      play: b\n      repeat: 1000\n  b:\n    - at: 0\n      say: x\n"
    with pytest.raises(ScoreError) as info:
        compile_cues(sections + "cues:\n  - at: 0\n    play: a\n    repeat: 1000\n")
    assert "more than 100000 events" in str(info.value)


@pytest.mark.parametrize("name", ["demo", "agitato"])
def test_example_scores_compile(name):
    diags = Diagnostics()
    timeline = compile_score(load_score(f"scores/{name}.yaml", diags), diags=diags)
    assert not diags.has_errors and timeline.explicit_end
    assert len(timeline.groups) == 2 and timeline.meetings_us
