"""The YAML layer: values kept as written, locations, and hostile documents."""

import pytest

from flashmob.tools.score.errors import ScoreError
from flashmob.tools.score.source import MAX_NODES, Map, Scalar, Seq, parse_yaml, to_plain


def test_yaml_11_traps_are_kept_as_written():
    tree = parse_yaml("a: 1:30\nb: no\nc: 0:05.5\nd: yes\ne: 012\nf: 2026-12-05\ng: ~\n", "x.yaml")
    assert isinstance(tree, Map)
    assert {k: tree.get(k).text for k in "abcdef"} == {
        "a": "1:30", "b": "no", "c": "0:05.5", "d": "yes", "e": "012", "f": "2026-12-05"}
    assert tree.get("g").is_null


def test_locations_are_one_based_and_keys_have_their_own():
    tree = parse_yaml("top:\n  - x: 1\n    y: two\n", "x.yaml")
    seq = tree.get("top")
    assert isinstance(seq, Seq)
    item = seq.items[0]
    assert (item.loc.line, item.loc.col) == (2, 5)
    assert (item.key("y").loc.line, item.key("y").loc.col) == (3, 5)
    assert (item.get("y").loc.line, item.get("y").loc.col) == (3, 8)
    assert str(item.get("y").loc) == "x.yaml:3:8"


def test_quoted_scalars_are_marked():
    tree = parse_yaml("a: '1:30'\nb: 1:30\n")
    assert tree.get("a").quoted and not tree.get("b").quoted


def test_merge_keys_fill_missing_keys_only():
    tree = parse_yaml("base: &b {gain: -6, loop: true}\nbed:\n  <<: *b\n  gain: -12\n")
    bed = tree.get("bed")
    assert bed.get("gain").text == "-12" and bed.get("loop").text == "true"


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    with pytest.raises(ScoreError) as info:
        parse_yaml("\n".join(lines), "bomb.yaml")
    assert f"more than {MAX_NODES} values" in str(info.value)


def test_deep_nesting_is_refused_not_a_recursion_error():
    with pytest.raises(ScoreError) as info:
        parse_yaml("a: " + "[" * 200 + "]" * 200, "deep.yaml")
    assert "nested deeper" in str(info.value)


def test_empty_document_is_none():
    assert parse_yaml("", "x.yaml") is None
    assert parse_yaml("# only a comment\n", "x.yaml") is None


def test_to_plain_uses_yaml_12_core_types():
    tree = parse_yaml("a: 1:30\nb: no\nc: 45\nd: 4.5\ne: true\nf: '7'\ng: null\n")
    assert to_plain(tree) == {"a": "1:30", "b": "no", "c": 45, "d": 4.5, "e": True, "f": "7", "g": None}


def test_scalar_null_forms():
    assert Scalar("", None).is_null and Scalar("~", None).is_null
    assert not Scalar("", None, quoted=True).is_null
