"""A valid score reads into the model the organizer meant."""

from flashmob.tools.score import load_score, read_score
from flashmob.tools.score.model import Countdown, Music, Play, Say, Sound, Stop

from .conftest import HEADER


def test_demo_score_model():
    score = load_score("scores/demo.yaml")
    assert score.title == "Demo — Two Groups Meet"
    assert score.organizer.name == "Flashmob Demo Crew" and score.organizer.contact == "hello@example.org"
    assert score.language == "en" and score.sample_rate == 44100 and score.default_voice == "narrator"
    assert [(g.id, g.name, g.colour, g.share) for g in score.groups] == [
        ("red", "Reds", "#d32f2f", 1), ("blue", "Blues", "#1976d2", 1)]
    assert score.event.time == "18:00" and score.event.date == "2026-12-05"
    assert set(score.assets) == {"pad", "gong", "clap", "whistle"}
    assert score.voices["robot"].engine == "espeak" and score.voices["robot"].rate == 1.1
    assert score.voices["robot"].gain_db == -2
    kinds = {type(c.action) for c in score.cues}
    assert {Say, Sound, Music, Stop, Countdown, Play} <= kinds
    assert score.sections["clap-round"].length == 4_000_000


def test_types_come_from_the_field_not_the_value():
    score = read_score("flashmob: 1\ntitle: no\ngroups:\n  yes: {name: 1:30}\ncues:\n  - at: 1:30\n    say: off\n"
                       "    groups: yes\n", "t.yaml", file_exists=lambda p: True)
    assert score.title == "no"
    assert score.groups[0].id == "yes" and score.groups[0].name == "1:30"
    cue = score.cues[0]
    assert cue.timing.at == 90_000_000 and cue.action.text == "off" and cue.groups == ("yes",)


def test_shorthands():
    score = read_score("flashmob: 1\ntitle: T\ngroups:\n  a: Alphas\n  b: {}\ncues:\n  - at: 0\n    say: x\n"
                       "    groups: a\n  - after: 2s\n    say: y\n", "t.yaml", file_exists=lambda p: True)
    assert [(g.name, g.colour) for g in score.groups] == [("Alphas", "#d32f2f"), ("b", "#1976d2")]
    assert score.cues[1].timing.after == "previous" and score.cues[1].timing.gap == 2_000_000


def test_music_defaults_duck_under_speech():
    score = read_score(HEADER + "cues:\n  - at: 0\n    music: bed\n    until: 5\n  - at: 0\n    music: bed\n"
                       "    until: 5\n    duck: false\n", "t.yaml", file_exists=lambda p: True)
    assert score.cues[0].action.duck_db == -12.0 and score.cues[1].action.duck_db is None
    assert score.cues[0].action.gain_db == -8.0


def test_organizer_as_plain_text_and_colour_spelling():
    score = read_score("flashmob: 1\ntitle: T\norganizer: Léa\ngroups:\n  r: {color: '#abc'}\ncues:\n"
                       "  - at: 0\n    say: x\n", "t.yaml", file_exists=lambda p: True)
    assert score.organizer.name == "Léa" and score.organizer.contact is None
    assert score.groups[0].colour == "#aabbcc"


def test_asset_paths_are_checked_relative_to_the_score(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.wav").write_bytes(b"")
    seen = []
    read_score("flashmob: 1\ntitle: T\ngroups: {r: {}}\nassets:\n  x: a/x.wav\ncues:\n  - at: 0\n    sound: x\n",
               "t.yaml", str(tmp_path), file_exists=lambda p: seen.append(p) or True)
    assert seen == [str(tmp_path / "a" / "x.wav")]


def test_play_reads_repeat():
    score = read_score(HEADER + "sections:\n  s: [{at: 0, say: x}]\ncues:\n  - at: 0\n    play: s\n    repeat: 4\n",
                       "t.yaml", file_exists=lambda p: True)
    assert score.cues[0].action == Play("s", 4)
