"""Broken scores: each one names the exact file:line:col and message.

One case per rule of docs/score-format.md; every expected message was read
and judged right for an organizer before it was frozen here.
"""
import pytest
from tools.score import ScoreError, compile_score, read_score

H = 'flashmob: 1\ntitle: T\ngroups:\n  red: {name: Reds}\n  blue: {name: Blues}\nassets:\n  gong: gong.wav\n'

CASES = [
    ('missing_version',
     'title: T\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:1:1: error: the score is missing 'flashmob' (the first line of a score is 'flashmob: 1')"]),
    ('wrong_version',
     'flashmob: 2\ntitle: T\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:1:11: error: 'flashmob' must be the format version 1 (this flashmob reads version 1 scores), found '2'"]),
    ('missing_title',
     'flashmob: 1\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:1:1: error: the score is missing 'title' (the show's name, shown on phones and posters)"]),
    ('unknown_header_key',
     'flashmob: 1\ntitle: T\ntittle: U\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:3:1: error: unknown key 'tittle' in the score (did you mean 'title'?)"]),
    ('bad_language',
     'flashmob: 1\ntitle: T\nlanguage: french\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:3:11: error: 'language' must be a BCP 47 language tag such as fr, en-US or pt-BR, found 'french'"]),
    ('bad_sample_rate',
     'flashmob: 1\ntitle: T\nsample_rate: 44000\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:3:14: error: 'sample_rate' must be one of 32000, 44100, 48000, found '44000'"]),
    ('no_groups',
     'flashmob: 1\ntitle: T\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:1:1: error: the score is missing 'groups' (e.g. 'groups: {red: {name: Reds}}')"]),
    ('colour_comment',
     'flashmob: 1\ntitle: T\ngroups:\n  red:\n    colour: #d32f2f\ncues:\n  - at: 0\n    say: hi\n',
     ['s.yaml:5:5: error: \'colour\' is empty; in YAML an unquoted \'#\' starts a comment: write colour: "#d32f2f" (with quotes) or a name such as red']),
    ('bad_colour',
     'flashmob: 1\ntitle: T\ngroups:\n  red: {colour: reddish}\ncues:\n  - at: 0\n    say: hi\n',
     ['s.yaml:4:17: error: \'colour\' must be a colour such as "#d32f2f", "#d33" or a name such as red, found \'reddish\'']),
    ('bad_share',
     'flashmob: 1\ntitle: T\ngroups:\n  red: {share: lots}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:4:16: error: 'share' must be a whole-number weight such as 1 or 2, found 'lots'"]),
    ('unknown_group_key',
     'flashmob: 1\ntitle: T\ngroups:\n  red: {nmae: Reds}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:4:9: error: unknown key 'nmae' in group 'red' (did you mean 'name'?)"]),
    ('bad_asset_ext',
     'flashmob: 1\ntitle: T\ngroups: {red: {}}\nassets:\n  gong: gong.txt\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:5:9: error: asset 'gong': 'gong.txt' is not an audio file; expected '.wav', '.mp3', '.flac' or '.ogg'"]),
    ('missing_asset',
     'flashmob: 1\ntitle: T\ngroups: {red: {}}\nassets:\n  gong: nothere.wav\ncues:\n  - at: 0\n    sound: gong\n',
     ["s.yaml:5:9: error: asset 'gong': file 'nothere.wav' not found (paths are relative to the score's folder)"]),
    ('bad_engine',
     'flashmob: 1\ntitle: T\ngroups: {red: {}}\nvoices:\n  v: {engine: festival}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:5:15: error: 'engine' must be 'espeak', 'piper' or 'clips', found 'festival'"]),
    ('voice_rate',
     'flashmob: 1\ntitle: T\ngroups: {red: {}}\nvoices:\n  v: {engine: espeak, rate: 3}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:5:29: error: 'rate' must be a speed factor (1.0 = normal) >= 0.5 and <= 2, found '3'"]),
    ('unknown_default_voice',
     'flashmob: 1\ntitle: T\nvoice: narator\ngroups: {red: {}}\nvoices:\n  narrator: {engine: piper}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:3:8: error: unknown voice 'narator'; expected 'narrator' (did you mean 'narrator'?)"]),
    ('unknown_group_in_cue',
     H + 'cues:\n  - at: 0\n    say: hi\n    groups: [red, bleu]\n',
     ["s.yaml:11:19: error: unknown group 'bleu'; expected 'red' or 'blue' (did you mean 'blue'?)"]),
    ('unknown_voice_in_cue',
     H + 'cues:\n  - at: 0\n    say: hi\n    voice: robot\n',
     ["s.yaml:11:12: error: unknown voice 'robot': the score defines no voices (add it under 'voices:')"]),
    ('unknown_asset',
     H + 'cues:\n  - at: 0\n    sound: gnog\n',
     ["s.yaml:10:12: error: unknown asset 'gnog'; expected 'gong' (did you mean 'gong'?)"]),
    ('no_time',
     H + 'cues:\n  - say: hi\n',
     ["s.yaml:9:5: error: a cue needs a time: 'at: 1:30' (from the start) or 'after: previous' (when the previous cue of its groups ends)"]),
    ('at_and_after',
     H + 'cues:\n  - at: 0\n    after: previous\n    say: hi\n',
     ["s.yaml:10:5: error: a cue has either 'at' or 'after', not both"]),
    ('bad_time',
     H + 'cues:\n  - at: 1:75\n    say: hi\n',
     ["s.yaml:9:9: error: 'at': seconds must be below 60 in '1:75'"]),
    ('bad_time_word',
     H + 'cues:\n  - at: soon\n    say: hi\n',
     ["s.yaml:9:9: error: 'at': expected a time such as 45, 1:30, 1:02:03.250, 90s, 500ms, 2m or 1m30s, found 'soon'"]),
    ('two_actions',
     H + 'cues:\n  - at: 0\n    say: hi\n    sound: gong\n',
     ["s.yaml:11:5: error: a cue has one action; found 'say' and 'sound' (split it into two cues)"]),
    ('no_action',
     H + 'cues:\n  - at: 0\n    sya: hi\n',
     ["s.yaml:9:5: error: a cue needs an action: one of 'say', 'sound', 'music', 'stop', 'countdown', 'show', 'play' or 'end'; 'sya' (did you mean 'say'?)"]),
    ('unknown_cue_key',
     H + 'cues:\n  - at: 0\n    say: hi\n    voise: x\n',
     ["s.yaml:11:5: error: unknown key 'voise' in a 'say' cue (did you mean 'voice'?)"]),
    ('gap_with_at',
     H + 'cues:\n  - at: 0\n    gap: 2\n    say: hi\n',
     ["s.yaml:10:5: error: 'gap' goes with 'after', not with 'at'"]),
    ('after_unknown',
     H + 'cues:\n  - id: intro\n    at: 0\n    say: hi\n  - after: intr\n    say: there\n',
     ["s.yaml:12:12: error: 'after: intr': no earlier cue has id 'intr' (did you mean 'intro'?)"]),
    ('after_forward',
     H + 'cues:\n  - after: later\n    say: hi\n  - id: later\n    at: 5\n    say: there\n',
     ["s.yaml:9:12: error: 'after: later' refers to a cue defined later (line 11); 'after' refers to earlier cues"]),
    ('out_of_order',
     H + 'cues:\n  - at: 1:00\n    say: one\n  - at: 0:40\n    say: two\n',
     ["s.yaml:11:9: error: out of order: this cue starts at 0:40, before the previous cue of group 'red' (line 9, at 1:00); write cues in time order"]),
    ('same_instant',
     H + 'cues:\n  - at: 10\n    say: one\n    groups: red\n  - at: 10\n    say: two\n',
     ["s.yaml:12:5: error: two 'say' cues for group 'red' at the same instant 0:10 (the other is at line 9)"]),
    ('cue_after_end',
     H + 'cues:\n  - at: 0\n    say: hi\n  - at: 1:00\n    end: true\n  - at: 1:10\n    say: late\n',
     ["s.yaml:13:5: error: cue after 'end' (line 11); the show is over by then"]),
    ('countdown_too_early',
     H + 'cues:\n  - at: 2\n    countdown: 3\n',
     ['s.yaml:9:5: error: countdown cannot fit: 3 numbers every 1s would start at -0:01, before the start of the show']),
    ('countdown_overlaps',
     H + 'cues:\n  - at: 10\n    say: hi\n  - at: 12\n    countdown: 5\n',
     ["s.yaml:11:5: error: countdown cannot fit: its first number at 0:07 comes before the previous cue of group 'red' (line 9, at 0:10)"]),
    ('countdown_bad',
     H + 'cues:\n  - at: 10\n    countdown: three\n',
     ["s.yaml:10:16: error: 'countdown' must be the first number to say (e.g. 3 for '3, 2, 1'), found 'three'"]),
    ('duplicate_key',
     H + 'cues:\n  - at: 0\n    say: hi\n    at: 2\n',
     ["s.yaml:11:5: error: duplicate key 'at' (first defined at line 9); each key may appear once"]),
    ('duplicate_id',
     H + 'cues:\n  - id: a\n    at: 0\n    say: hi\n  - id: a\n    at: 5\n    say: ho\n',
     ["s.yaml:12:5: error: cue id 'a' is already used at line 9; ids are unique"]),
    ('stop_unknown',
     H + 'cues:\n  - id: bed\n    at: 0\n    music: gong\n    loop: true\n  - at: 5\n    stop: bd\n  - at: 9\n    end:\n',
     ["s.yaml:13:5: error: 'stop: bd': no earlier music cue has id 'bd' (did you mean 'bed'?)"]),
    ('music_forever',
     H + 'cues:\n  - at: 0\n    music: gong\n    loop: true\n',
     ["s.yaml:9:5: error: music 'gong' never ends: give it 'until', a 'stop' cue, or end the show with an 'end' cue"]),
    ('until_before_start',
     H + 'cues:\n  - at: 1:00\n    music: gong\n    until: 0:30\n',
     ["s.yaml:9:5: error: music 'until' 0:30 is not after its start 1:00"]),
    ('bad_loop',
     H + 'cues:\n  - at: 0\n    music: gong\n    loop: sometimes\n    until: 10\n',
     ["s.yaml:11:11: error: 'loop' must be true or false, found 'sometimes'"]),
    ('bad_gain',
     H + 'cues:\n  - at: 0\n    sound: gong\n    gain: loud\n',
     ["s.yaml:11:11: error: 'gain' must be a gain in dB such as -6 or -6dB, found 'loud'"]),
    ('bad_vibrate',
     H + 'cues:\n  - at: 0\n    say: hi\n    vibrate: [100, buzz]\n',
     ["s.yaml:11:20: error: 'vibrate' lists durations in ms from 0 to 10000, found 'buzz'"]),
    ('unknown_section',
     H + 'cues:\n  - at: 0\n    play: warmup\n',
     ["s.yaml:10:11: error: unknown section 'warmup': the score defines no sections (add it under 'sections:')"]),
    ('section_loop',
     H + 'sections:\n  a:\n    - at: 0\n      play: b\n  b:\n    - at: 0\n      play: a\ncues:\n  - at: 0\n    play: a\n',
     ["s.yaml:13:7: error: section 'a' plays itself (a -> b -> a); sections cannot loop"]),
    ('end_in_section',
     H + 'sections:\n  a:\n    - at: 0\n      end: true\ncues:\n  - at: 0\n    play: a\n',
     ["s.yaml:11:7: error: 'end' ends the whole show and cannot be inside section 'a'; put it in the top-level cue list"]),
    ('end_with_groups',
     H + 'cues:\n  - at: 9\n    end: true\n    groups: red\n',
     ["s.yaml:11:5: error: 'end' ends the show for every group; remove 'groups'"]),
    ('yaml_syntax',
     'flashmob: 1\ntitle: T\ngroups: {red: {}\ncues: []\n',
     ["s.yaml:4:1: error: YAML syntax: expected ',' or '}', but got '<scalar>' (while parsing a flow mapping)"]),
    ('tab_indent',
     'flashmob: 1\ntitle: T\ngroups:\n\tred: {}\n',
     ["s.yaml:4:1: error: YAML syntax: found character '\\t' that cannot start any token (while scanning for the next token); indent with spaces, not tabs"]),
    ('not_a_mapping',
     '- just\n- a list\n',
     ["s.yaml:1:1: error: a score is a YAML mapping starting with 'flashmob: 1', found a list"]),
    ('cue_not_mapping',
     H + 'cues:\n  - say hi at 0\n',
     ["s.yaml:9:5: error: a cue is a mapping such as '- at: 0:05' + 'say: Hello', found 'say hi at 0'"]),
    ('bad_repeat',
     H + 'sections:\n  a:\n    - at: 0\n      say: x\ncues:\n  - at: 0\n    play: a\n    repeat: 0\n',
     ["s.yaml:15:13: error: 'repeat' must be a whole number from 1 to 1000, found '0'"]),
    ('bad_date',
     'flashmob: 1\ntitle: T\nevent:\n  date: 5/12/2026\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:4:9: error: 'date' must be a date written YYYY-MM-DD, such as 2026-12-05, found '5/12/2026'"]),
    ('two_documents',
     'flashmob: 1\ntitle: T\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n---\nmore: 1\n',
     ["s.yaml:8:1: error: a score file holds one YAML document; found a second one (remove '---')"]),
    ('custom_tag',
     'flashmob: 1\ntitle: !!python/object:os.system T\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n',
     ["s.yaml:2:8: error: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'; scores use plain values only"]),
    ('section_group_outside',
     H + 'sections:\n  a:\n    - at: 0\n      say: x\n      groups: blue\ncues:\n  - at: 0\n    play: a\n    groups: red\n',
     ["s.yaml:10:7: error: group 'blue' is not among the groups this section is played for (red)"]),
]


@pytest.mark.parametrize("name,text,expected", CASES, ids=[c[0] for c in CASES])
def test_broken_score_reports_exact_location_and_message(name, text, expected):
    with pytest.raises(ScoreError) as info:
        score = read_score(text, "s.yaml", ".", file_exists=lambda p: p.endswith("gong.wav"))
        compile_score(score)
    assert [str(d) for d in info.value.errors] == expected


def test_every_error_of_a_score_is_reported_in_one_run():
    text = H + ("cues:\n"
                "  - at: soon\n    say: hi\n"
                "  - at: 0\n    sound: gnog\n"
                "  - at: 5\n    say: hi\n    groups: [green]\n")
    with pytest.raises(ScoreError) as info:
        read_score(text, "s.yaml", ".", file_exists=lambda p: True)
    assert [str(d) for d in info.value.errors] == [
        "s.yaml:9:9: error: 'at': expected a time such as 45, 1:30, 1:02:03.250, 90s, 500ms, 2m or 1m30s, found 'soon'",
        "s.yaml:12:12: error: unknown asset 'gnog'; expected 'gong' (did you mean 'gong'?)",
        "s.yaml:15:14: error: unknown group 'green'; expected 'red' or 'blue'",
    ]


def test_missing_end_is_a_warning_with_the_duration():
    from tools.score import Diagnostics
    diags = Diagnostics()
    timeline = compile_score(read_score(H + "cues:\n  - at: 1:00\n    say: hi\n", "s.yaml",
                                        file_exists=lambda p: True), diags=diags)
    assert not diags.has_errors
    [warning] = diags.warnings
    assert str(warning).startswith("s.yaml:1:1: warning: the score has no 'end' cue: the show lasts until "
                                   "its last cue ends (1:00.400)")
    assert timeline.explicit_end is False
