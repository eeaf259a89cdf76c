"""tools/score/safety.py: the optional `safety` block reads like every other block."""

import jsonschema
import pytest

from flashmob.tools.score import ScoreError, load_score, read_score
from flashmob.tools.score.jsonschema import score_schema
from flashmob.tools.score.model import Safety, Stewards
from flashmob.tools.score.source import parse_yaml, to_plain

HEAD = "flashmob: 1\ntitle: T\ngroups:\n  a: {}\n"
CUES = "cues:\n  - at: 0\n    end: true\n"
FULL = """safety:
  expected: 300
  stewards:
    count: 12
    lead: Camille Martin, +33 6 12 34 56 78
    note: Yellow vests
  first_aid: Protection civile, by the fountain
  water: Drinking fountain, north side
  exits:
    - Rue de la Paix (north)
    - Boulevard de l'Est (east)
  console: Alex Dupont, +33 6 98 76 54 32
"""


def read(block: str):
    return read_score(HEAD + block + CUES, "show.yaml", file_exists=lambda p: True)


def errors(block: str) -> list[str]:
    with pytest.raises(ScoreError) as e:
        read(block)
    return [str(d) for d in e.value.diagnostics]


def test_full_block():
    s = read(FULL).safety
    assert s == Safety(expected=300, stewards=Stewards(12, "Camille Martin, +33 6 12 34 56 78", "Yellow vests"),
                       first_aid="Protection civile, by the fountain", water="Drinking fountain, north side",
                       exits=("Rue de la Paix (north)", "Boulevard de l'Est (east)"),
                       console="Alex Dupont, +33 6 98 76 54 32", loc=s.loc)
    assert (s.loc.line, s.loc.col) == (6, 3)


def test_absent_empty_and_shorthands():
    assert read("").safety is None
    assert read("safety:\n").safety == Safety(loc=read("safety:\n").safety.loc)
    s = read("safety:\n  stewards: 4\n  exits: the north gate\n").safety
    assert s.stewards == Stewards(count=4) and s.exits == ("the north gate",) and s.expected is None


def test_every_mistake_is_reported_at_its_place_with_what_was_expected():
    got = errors("safety:\n  expected: lots\n  stewards: {count: -1, leed: x}\n  exits: {a: 1}\n"
                 "  firstaid: x\n  water: [1]\n")
    assert got == [
        "show.yaml:6:13: error: 'expected' must be the number of participants expected (a whole number), "
        "found 'lots'",
        "show.yaml:7:21: error: 'count' must be a whole number of stewards from 0 to 10000000, found '-1'",
        "show.yaml:7:25: error: unknown key 'leed' in the safety block's stewards (did you mean 'lead'?)",
        "show.yaml:8:10: error: 'exits' must be a list of exits (items starting with '- '), or one text, "
        "found a mapping",
        "show.yaml:9:3: error: unknown key 'firstaid' in the safety block (did you mean 'first_aid'?)",
        "show.yaml:10:10: error: 'water' must be a text, found a list",
    ]


def test_not_a_mapping_and_bad_list_items():
    assert errors("safety: yes\n") == ["show.yaml:5:9: error: 'safety' must be a mapping of names to values "
                                       "(e.g. 'safety: {stewards: 12, first_aid: ...}'), found 'yes'"]
    assert errors("safety:\n  stewards: many\n  exits:\n    - north\n    - {a: 1}\n") == [
        "show.yaml:6:13: error: 'stewards' must be a number of stewards such as 12, or a mapping with 'count', "
        "'lead' and 'note', found 'many'",
        "show.yaml:9:7: error: 'exits' lists exits as texts (such as 'Rue de la Paix, north side'), found a mapping"]


def test_example_scores_carry_a_safety_block():
    assert load_score("scores/demo.yaml").safety.stewards.count == 6
    agitato = load_score("scores/agitato.yaml").safety
    assert agitato.expected == 350 and len(agitato.exits) == 3 and agitato.console


def test_editor_schema_knows_the_block():
    v = jsonschema.Draft202012Validator(score_schema())
    ok = to_plain(parse_yaml(HEAD + FULL + CUES))
    assert list(v.iter_errors(ok)) == []
    bad = to_plain(parse_yaml(HEAD + "safety:\n  stewards: {count: 2, leed: x}\n  firstaid: x\n" + CUES))
    assert sorted(e.json_path for e in v.iter_errors(bad)) == ["$.safety", "$.safety.stewards"]


def test_texts_fit_the_bundles_safety_file():
    from flashmob.contract.safety import MAX_TEXT

    long = "x" * (MAX_TEXT + 1)
    assert errors(f"safety:\n  water: {long}\n  exits:\n    - {long}\n") == [
        f"show.yaml:6:10: error: 'water' is {MAX_TEXT + 1} characters long; at most {MAX_TEXT} "
        "(a longer text belongs in an annex to the declaration)",
        f"show.yaml:8:7: error: this exit is {MAX_TEXT + 1} characters long; at most {MAX_TEXT}"]
    assert read(f"safety:\n  water: {'x' * MAX_TEXT}\n").safety.water == "x" * MAX_TEXT
