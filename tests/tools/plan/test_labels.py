import random

from flashmob.tools.plan.labels import GAP, PAD, LabelRequest, place_labels
from flashmob.tools.plan.metrics import ELLIPSIS, text_width

SIZE = 11


def check_no_overlap(placed, rows):
    """Texts on one row never overlap, and no leader crosses a lower label."""
    for row in range(rows):
        spans = sorted((p.x, p.x + p.width) for p in placed if p.row == row)
        for (_, e), (s, _) in zip(spans, spans[1:]):
            assert s >= e, f"row {row}: {spans}"
    for p in placed:
        for q in placed:
            if q.row < p.row:
                assert not (q.x < p.x < q.x + q.width), (p, q)


def test_spaced_labels_are_whole_on_the_bottom_row():
    reqs = [LabelRequest(f"e{i}", 100 + 300 * i, "Stop. Turn and face the centre.") for i in range(4)]
    placed = place_labels(reqs, 3, 2000, SIZE)
    assert [p.row for p in placed] == [0, 0, 0, 0]
    assert all(p.text == "Stop. Turn and face the centre." for p in placed)
    assert placed[0].width == PAD + text_width(placed[0].text, SIZE)


def test_close_labels_stagger_into_a_staircase():
    reqs = [LabelRequest(f"e{i}", 100 + 40 * i, "Walk slowly to the west side") for i in range(3)]
    placed = place_labels(reqs, 3, 2000, SIZE)
    assert len(placed) == 3
    assert len({p.row for p in placed}) == 3
    check_no_overlap(placed, 3)
    assert placed[-1].text == "Walk slowly to the west side"   # the last one has room


def test_crowded_labels_are_truncated_or_skipped_never_overlapping():
    rnd = random.Random(3)
    for trial in range(40):
        xs = sorted(rnd.uniform(0, 1200) for _ in range(rnd.randint(5, 120)))
        reqs = [LabelRequest(f"e{i}", x, " ".join(["word"] * rnd.randint(1, 9)), priority=int(rnd.random() < 0.2))
                for i, x in enumerate(xs)]
        placed = place_labels(reqs, 3, 1250, SIZE)
        check_no_overlap(placed, 3)
        assert all(p.x + p.width <= 1250 + 0.01 for p in placed)
        by_key = {r.key: r for r in reqs}
        for p in placed:
            full = by_key[p.key].text
            assert p.text == full or (p.text.endswith(ELLIPSIS) and by_key[p.key].priority == 0)


def test_minor_labels_fill_gaps_only_when_whole():
    reqs = [LabelRequest("say", 100, "A long sentence that fills the whole row up to the end"),
            LabelRequest("clap", 110, "clap", priority=1)]
    placed = {p.key: p for p in place_labels(reqs, 3, 2000, SIZE)}
    assert placed["clap"].text == "clap"
    none = place_labels([LabelRequest("clap", 10, "clap", priority=1)], 1, 20, SIZE)
    assert none == ()


def test_labels_stop_before_the_right_edge():
    placed = place_labels([LabelRequest("end", 950, "Thank you! The show is over.")], 3, 1000, SIZE)
    assert placed and placed[0].x + placed[0].width <= 1000 and placed[0].text.endswith(ELLIPSIS)


def test_gap_between_neighbours_on_a_row():
    reqs = [LabelRequest("a", 0, "x" * 40), LabelRequest("b", 60, "y")]
    placed = {p.key: p for p in place_labels(reqs, 1, 1000, SIZE)}
    assert placed["a"].x + placed["a"].width <= 60 - GAP + 0.01
