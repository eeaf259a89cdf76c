"""The contract's small rules: duration (rounded up, once), captions, colours; and the import direction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from flashmob.contract import captions, colours, duration

ROOT = Path(__file__).resolve().parents[2]


def test_duration_rounds_up_once():
    assert duration.samples_to_us(44101, 44100) == 1_000_023
    assert duration.samples_to_ms(44101, 44100) == 1001
    assert duration.samples_to_ms(44100 * 175, 44100) == 175_000
    assert duration.samples_to_ms(44122, 44100) == 1001  # 1000.499 ms: nearest would say 1000
    assert duration.show_duration_us(44100, 999, 44100) == 1_000_000  # samples win over ms
    assert duration.show_duration_us(None, 999, 44100) == 999_000
    assert duration.show_duration_ms(44101, None, 44100) == 1001


@dataclass
class Ev:
    id: str
    kind: str
    start_us: int
    end_us: int
    caption: str | None


def test_caption_rule():
    events = [Ev("a", "say", 1_000_000, 3_000_500, "spoken"),       # own 2000 ms + 2 s hold
              Ev("b", "caption", 10_000_000, 10_000_000, "shown"),  # silent: 8 s, cut by the next caption
              Ev("m", "music", 12_000_000, 90_000_000, None),       # no caption
              Ev("c", "caption", 16_000_000, 16_000_000, "later"),  # silent: 8 s, capped by the show end
              Ev("e", "end", 20_000_000, 20_000_000, "bye")]        # the end screen, not a caption
    spans = captions.caption_spans(events, 20_000)
    assert [(s.id, s.start_ms, s.end_ms) for s in spans] == [("a", 1000, 5000), ("b", 10_000, 16_000),
                                                              ("c", 16_000, 20_000)]
    assert captions.caption_spans([Ev("z", "caption", 5_000_000, 5_000_000, "x")], 5_000) == []


def test_colour_rule():
    assert colours.is_manifest_colour("#d32f2f")
    for bad in ("#D32F2F", "#d32f2f\n", "red", "#abc", None, 7, "#d32f2f;"):
        assert not colours.is_manifest_colour(bad)


def test_score_colours_produce_the_manifest_form():
    from flashmob.tools.score.colours import NAMED, parse_colour

    for text in list(NAMED) + ["#ABC", "#a1B2c3"]:
        assert colours.is_manifest_colour(parse_colour(text))


IMPORT = re.compile(r"^\s*(?:from|import)\s+(flashmob\.\w+|\.+\w*)", re.M)


def _imports(folder: str) -> set[tuple[str, str]]:
    out = set()
    for p in (ROOT / folder).rglob("*.py"):
        for m in IMPORT.finditer(p.read_text(encoding="utf-8")):
            out.add((str(p.relative_to(ROOT)), m.group(1)))
    return out


def test_imports_point_one_way():
    """tools -> contract <- conductor: the contract imports neither, and the conductor never imports tools."""
    contract = {(f, m) for f, m in _imports("contract") if m.startswith("flashmob.") and m != "flashmob.contract"}
    assert contract == set()
    assert {(f, m) for f, m in _imports("conductor") if m == "flashmob.tools"} == set()
    # the print kit reads bundles through the contract, never through the conductor
    assert {(f, m) for f, m in _imports("tools/print") if m == "flashmob.conductor"} == set()


def test_json_shape_names_where():
    import pytest

    from flashmob.contract.jsonshape import MAX_DEPTH, JsonShapeError, check_json

    check_json({"a": [[1]] * 3, "b": "é"})
    deep: list = []
    inner = deep
    for _ in range(MAX_DEPTH):
        inner.append([])
        inner = inner[0]
    check_json({"x": deep[0]})  # exactly MAX_DEPTH levels below the root
    with pytest.raises(JsonShapeError, match=r"^manifest\.x(\[0\])+: nested more than 32 levels deep$"):
        check_json({"x": deep})
    with pytest.raises(JsonShapeError, match=r"^manifest\.g\[1\]\.t: text with a lone UTF-16 surrogate"):
        check_json({"g": [{}, {"t": "a\ud800"}]})
    check_json({"t": "a\ud800"}, texts=False)  # the caller vouched for the raw JSON
