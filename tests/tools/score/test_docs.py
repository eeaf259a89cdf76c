"""Every complete score in docs/score-format.md checks without errors."""

import pathlib
import re

import pytest

from flashmob.tools.score import Diagnostics, compile_score, read_score

ROOT = pathlib.Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "score-format.md").read_text(encoding="utf-8")
BLOCKS = [b for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S) if b.startswith("flashmob: 1")]


def test_the_doc_has_complete_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example{i}" for i in range(len(BLOCKS))])
def test_doc_example_scores_are_valid(block):
    diags = Diagnostics()
    timeline = compile_score(read_score(block, "doc.yaml", str(ROOT / "scores")), diags=diags)
    assert timeline.explicit_end and not diags.items


def test_countdown_example_is_as_documented():
    block = next(b for b in BLOCKS if "title: Actions" in b)
    timeline = compile_score(read_score(block, "doc.yaml", str(ROOT / "scores")))
    red = timeline.group("red")
    count = [(e.text, e.start_us // 1_000_000) for e in red.events if e.id.startswith("cue24.")]
    assert count[:3] == [("3", 17), ("2", 18), ("1", 19)]
    assert [e.start_us for e in red.events if e.id == "cue24.beep"] == [20_000_000]


def test_section_example_is_as_documented():
    block = next(b for b in BLOCKS if "title: Warm-up" in b)
    timeline = compile_score(read_score(block, "doc.yaml", str(ROOT / "scores")))
    claps = [e.start_us // 1_000_000 for e in timeline.group("red").events if e.kind == "sound"]
    assert claps == [30, 32, 34, 36, 38, 40, 42, 44]
