"""Fixtures of the contract tests: the demo's manifest from the renderer's own writer."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def demo_manifest() -> dict:
    """The demo score's manifest as ``flashmob render`` writes it (estimated durations, fake file facts)."""
    from flashmob.tools.render.manifest import FileFact, GroupFacts, build_manifest
    from flashmob.tools.score import compile_score, load_score

    score = load_score(str(ROOT / "scores" / "demo.yaml"))
    timeline = compile_score(score)
    facts = {g.id: GroupFacts(g.id, FileFact(f"{g.id}/show.mp3", 10, "a" * 64), (), f"{g.id}/captions.vtt",
                              f"{g.id}/cover.png", -16.0, -1.0) for g in score.groups}
    return build_manifest(score, timeline, facts, "0123456789abcdef", {g.id: [(1000, 2000)] for g in score.groups},
                          {"flashmob": "test"})


@pytest.fixture(scope="session")
def demo() -> dict:
    return demo_manifest()
