"""tools/score/surprise.py: the `surprise` block and group symbols, with file:line:col errors."""

import jsonschema
import pytest

from flashmob.tools.score import ScoreError, compile_score, read_score
from flashmob.tools.score.jsonschema import score_schema
from flashmob.tools.score.source import parse_yaml, to_plain
from flashmob.tools.score.surprise import reveal_us

HEAD = "flashmob: 1\ntitle: T\ngroups:\n  a: {name: Ants, symbol: star}\n  b: Bees\n"
CUES = """cues:
  - at: 0
    show: hello
  - id: meet
    at: 5
    show: now look around
  - id: go
    at: 12
    countdown: 3
  - at: 20
    end: true
"""


def read(block: str, cues: str = CUES):
    return read_score(HEAD + block + cues, "show.yaml", file_exists=lambda p: True)


def errors(block: str, cues: str = CUES) -> list[str]:
    with pytest.raises(ScoreError) as e:
        s = read(block, cues)
        compile_score(s)
    return [str(d) for d in e.value.diagnostics]


def test_no_block_no_surprise_and_symbols_are_read():
    s = read("")
    assert s.surprise is None
    assert [g.symbol for g in s.groups] == ["star", None]


@pytest.mark.parametrize("value, cue, at_us", [
    ("meet", "meet", None), ("12", None, 12_000_000), ("0:07.5", None, 7_500_000), ("never", None, None),
    ("NEVER", None, None)])
def test_reveal_forms(value, cue, at_us):
    s = read(f"surprise:\n  reveal: {value}\n").surprise
    assert (s.reveal_cue, s.reveal_at) == (cue, at_us)


def test_reveal_positions_from_the_timeline():
    # a countdown's reveal is its first number (three numbers a second apart before the beat at 12 s)
    for value, us in (("meet", 5_000_000), ("go", 9_000_000), ("9", 9_000_000), ("never", None)):
        score = read(f"surprise:\n  reveal: {value}\n")
        assert reveal_us(score, compile_score(score)) == us


def test_unknown_cue_is_located_with_a_suggestion():
    errs = errors("surprise:\n  reveal: meat\n")
    assert errs == ["show.yaml:7:11: error: 'reveal' names no top-level cue: 'meat'; the top-level cues "
                    "with an id are 'meet' or 'go' (did you mean 'meet'?)"]


def test_bad_values_are_located():
    assert errors("surprise:\n  reveal:\n") == [
        "show.yaml:7:3: error: 'reveal' must be a cue id (the reveal is when it starts), a time such as 12:30, "
        "or never, found nothing"]
    assert errors("surprise:\n  x: 1\n")[0].startswith("show.yaml:7:3: error: unknown key 'x' in the surprise block")
    errs = errors("surprise:\n  reveal: [a]\n")
    assert errs[0].startswith("show.yaml:7:11: error: 'reveal' must be a cue id")
    errs = errors("surprise:\n  reveal: 1:99\n")
    assert errs[0].startswith("show.yaml:7:11: error: 'reveal':")
    errs = errors("surprise:\n  reveal: meet\n  when: 3\n")
    assert errs == ["show.yaml:8:3: error: unknown key 'when' in the surprise block; expected one of: reveal"]
    errs = errors("surprise: yes\n")
    assert errs[0].startswith("show.yaml:6:11: error: 'surprise' must be a mapping")


def test_reveal_after_the_end_is_refused():
    errs = errors("surprise:\n  reveal: 30\n")
    assert errs == ["show.yaml:7:11: error: the reveal at 0:30 is after the end of the show (0:20)"]


def test_a_bad_symbol_is_located():
    with pytest.raises(ScoreError) as e:
        read_score("flashmob: 1\ntitle: T\ngroups:\n  a: {symbol: blob}\n" + CUES, "show.yaml",
                   file_exists=lambda p: True)
    assert [str(d) for d in e.value.diagnostics] == [
        "show.yaml:4:15: error: 'symbol' must be one of 'circle', 'square', 'triangle', 'diamond', 'star', "
        "'cross', 'heart' or 'hexagon', found 'blob'"]


def test_editor_schema_knows_the_block():
    validator = jsonschema.Draft202012Validator(score_schema())
    doc = to_plain(parse_yaml(HEAD + "surprise:\n  reveal: meet\n" + CUES, "x"))
    assert not list(validator.iter_errors(doc))
    doc["surprise"] = {"reveal": "meet", "when": 1}
    assert list(validator.iter_errors(doc))
    doc["surprise"] = {"reveal": "meet"}
    doc["groups"]["a"]["symbol"] = "blob"
    assert list(validator.iter_errors(doc))


def test_words_naming_a_group_before_the_reveal_are_warned_about():
    from flashmob.tools.score import Diagnostics

    cues = """cues:
  - at: 0
    show: Welcome, ants and bees
  - at: 2
    say: Walk slowly
  - id: meet
    at: 5
    show: You are the Ants!
  - at: 20
    end: true
"""
    diags = Diagnostics()
    compile_score(read("surprise:\n  reveal: meet\n", cues), diags=diags)
    assert [str(d) for d in diags.warnings] == [
        "show.yaml:9:5: warning: this cue names the group 'Ants' before the reveal: the phone hides the group, "
        "these words would tell it (docs/score-format.md, 'surprise')"]
    diags = Diagnostics()
    compile_score(read("surprise:\n  reveal: never\n", cues), diags=diags)
    assert [d.loc.line for d in diags.warnings] == [9, 13]
    diags = Diagnostics()
    compile_score(read("", cues), diags=diags)  # not a surprise: nothing to hide
    assert diags.warnings == []
