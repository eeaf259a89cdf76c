"""tools/print/programme.py: the plan's timeline and the list of movements, from a manifest."""

from flashmob.contract.bundle import load_bundle
from flashmob.tools.plan import layout
from flashmob.tools.print.programme import movements, timeline_of
from flashmob.tools.score import compile_score, load_score

from .conftest import ROOT


def test_the_timeline_is_the_rendered_one(bundle):
    manifest = load_bundle(bundle).manifest
    tl = timeline_of(manifest)
    compiled = compile_score(load_score(str(ROOT / "scores/demo.yaml")))
    assert [g.group.id for g in tl.groups] == ["red", "blue"]
    assert [g.group.name for g in tl.groups] == ["Reds", "Blues"]
    for mine, theirs in zip(tl.groups, compiled.groups):
        assert [(e.id, e.kind, e.start_us // 1000) for e in mine.events] == \
               [(e.id, e.kind, e.start_us // 1000) for e in theirs.events]
    assert tl.meetings_us == tuple(ms * 1000 for ms in manifest.meetings_ms) and tl.explicit_end
    assert tl.duration_us == manifest.duration_us
    lay = layout(tl, manifest.title, 900)  # the plan draws it
    assert [lane.name for lane in lay.lanes] == ["Reds", "Blues"] and len(lay.meetings) == 2


def test_movements_merge_shared_cues_and_leave_out_what_is_not_one(bundle):
    moves = movements(load_bundle(bundle).manifest)
    texts = [m.text for m in moves]
    assert texts[0] == "Welcome to the demo flashmob. Keep your headphones on and listen."
    assert moves[0].groups == ("red", "blue") and moves[0].meeting and moves[0].at_ms == 3000
    red = next(m for m in moves if m.text.startswith("You are in the red group"))
    assert red.groups == ("red",) and not red.meeting
    assert not any(t.isdigit() for t in texts)                # the countdown's 3, 2, 1
    assert "Now! Walk to the middle." in texts                 # the caption of the countdown's beat
    assert texts[-1] == "Thank you! The show is over." and moves[-1].at_ms == 175_000
    assert [m.at_ms for m in moves] == sorted(m.at_ms for m in moves)
    assert len(texts) == len(set((m.at_ms, m.text) for m in moves))  # one row per cue, not per group
