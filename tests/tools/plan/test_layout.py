import dataclasses

import pytest

from flashmob.tools.plan.layout import is_countdown, layout
from flashmob.tools.plan.metrics import text_width
from flashmob.tools.plan.shapes import Line, Polygon, Rect, Text
from flashmob.tools.plan.timescale import US

from .conftest import synthetic_timeline


@pytest.fixture(scope="module")
def demo_layout(demo):
    return layout(demo, "Demo")


@pytest.fixture(scope="module")
def long_layout(long_show):
    return layout(long_show, "Long")


def _points(shape):
    if isinstance(shape, Rect):
        return [(shape.x, shape.y), (shape.x + shape.w, shape.y + shape.h)]
    if isinstance(shape, Line):
        return [(shape.x1, shape.y1), (shape.x2, shape.y2)]
    if isinstance(shape, Polygon):
        return list(shape.points)
    return [(shape.x, shape.y)]


def _all_shapes(lay):
    yield from lay.under
    for m in lay.meetings:
        yield m.band
        yield m.pin
    for lane in lay.lanes:
        yield from lane.frame
        for mark in lane.marks:
            yield from mark.shapes
    yield from lay.over


def test_one_lane_per_group_in_order_with_its_colour(demo, demo_layout):
    assert [l.group_id for l in demo_layout.lanes] == [g.group.id for g in demo.groups]
    assert [l.colour for l in demo_layout.lanes] == [g.group.colour for g in demo.groups]
    for lane in demo_layout.lanes:
        assert dict(lane.data)["group"] == lane.group_id
        accents = [s for s in lane.frame if s.cls == "lane-accent"]
        assert accents and all(a.fill == lane.colour for a in accents)


def test_one_mark_per_event_with_id_and_kind(demo, demo_layout):
    for g, lane in zip(demo.groups, demo_layout.lanes):
        assert sorted(m.event_id for m in lane.marks) == sorted(e.id for e in g.events)
        kinds = {e.id: e.kind for e in g.events}
        for m in lane.marks:
            assert m.kind == kinds[m.event_id] == dict(m.data)["kind"]
            assert dict(m.data)["event"] == m.event_id and m.shapes and m.tooltip


def test_every_kind_has_its_own_shape(demo_layout):
    marks = {m.event_id: m for m in demo_layout.lanes[0].marks}
    classes = lambda eid: {s.cls for s in marks[eid].shapes}
    assert "speech" in classes("cue56") and "label" in classes("cue56")
    assert "music-band" in classes("bed")
    assert "sound" in classes("clap-round@79[1]/cue40")
    assert "flag" in classes("look")
    assert "countdown-tick" in classes("gather.3")
    assert "end" in classes("cue118")


def test_meeting_bands_are_centred_on_the_meeting_times(demo, demo_layout):
    assert [m.time_us for m in demo_layout.meetings] == list(demo.meetings_us)
    span = demo_layout.systems[0]
    for m in demo_layout.meetings:
        assert m.band.x + m.band.w / 2 == pytest.approx(span.x(m.time_us))
        assert m.band.y == span.y0 and m.band.y + m.band.h == span.y1     # across all lanes
        assert m.band.cls == "meeting"


def test_music_fades_are_slopes(demo_layout):
    bed = next(m for m in demo_layout.lanes[0].marks if m.event_id == "bed")
    band = next(s for s in bed.shapes if isinstance(s, Polygon))
    (x0, y0), (x1, y1) = band.points[0], band.points[1]      # start of the fade-in
    assert x1 > x0 and y1 < y0                               # rises to the right


def test_demo_is_one_system_with_ten_second_ticks(demo_layout):
    assert len(demo_layout.systems) == 1
    assert demo_layout.tick_step_us == 10 * US
    labels = [s.text for s in demo_layout.over if s.cls == "tick-label"]
    assert labels[:3] == ["0:00", "0:10", "0:20"]


def test_everything_is_inside_the_page(demo_layout, long_layout):
    for lay in (demo_layout, long_layout):
        for s in _all_shapes(lay):
            for x, y in _points(s):
                assert -0.01 <= x <= lay.width + 0.01 and -0.01 <= y <= lay.height + 0.01, s
            if isinstance(s, Text) and s.anchor == "start":
                assert s.x + text_width(s.text, s.size, s.bold) <= lay.width, s


def test_long_show_is_folded_and_ticks_every_one_to_five_minutes(long_show, long_layout):
    assert 2 <= len(long_layout.systems) <= 6
    assert 60 * US <= long_layout.tick_step_us <= 300 * US
    assert long_layout.systems[-1].end_us >= long_show.duration_us
    for g, lane in zip(long_show.groups, long_layout.lanes):
        assert len(lane.marks) == len(g.events)
        assert len(lane.boxes) == len(long_layout.systems)


def test_long_show_labels_never_overlap(long_show, long_layout):
    for g, lane in zip(long_show.groups, long_layout.lanes):
        texts = [s for m in lane.marks for s in m.shapes if isinstance(s, Text) and s.cls == "label"]
        worded = [e for e in g.events if e.kind in ("say", "caption") and not is_countdown(e)]
        assert len(texts) >= 0.9 * len(worded)                 # crowded, yet most cues keep a label
        by_row = {}
        for t in texts:
            by_row.setdefault(round(t.y, 3), []).append((t.x, t.x + text_width(t.text, t.size)))
        for row in by_row.values():
            row.sort()
            for (_, e), (s, _) in zip(row, row[1:]):
                assert s >= e


def test_countdown_numbers_are_ticks_not_labels(demo_layout):
    for lane in demo_layout.lanes:
        for m in lane.marks:
            if m.event_id.startswith("gather.") and m.kind == "say":
                assert "countdown" in m.cls
                assert not any(s.cls == "label" for s in m.shapes)
    assert is_countdown(dataclasses.replace(_say("x.3")))
    assert not is_countdown(_say("cue3"))


def _say(eid):
    from flashmob.tools.score.errors import Loc
    from flashmob.tools.score.timeline import TimelineEvent
    return TimelineEvent(eid, "say", 0, 10, 0, 100, Loc("f", 1, 1), ("a",), text="3")


def test_layout_is_pure_and_deterministic(demo):
    assert layout(demo, "Demo") == layout(demo, "Demo")


def test_width_is_respected(demo):
    narrow = layout(demo, "Demo", width=900)
    assert narrow.width == 900 and narrow.systems[0].x1 < 900


def test_a_show_without_music_or_end_still_lays_out():
    t = synthetic_timeline(minutes=2, n_groups=1, cues=6, seed=1)
    t = dataclasses.replace(t, explicit_end=False)
    lay = layout(t, "Tiny")
    assert len(lay.lanes) == 1 and not any(s.cls == "end-label" for s in lay.over)


def _words(lay):
    return [s.text for s in lay.over if isinstance(s, Text)] + \
           [s.text for lane in lay.lanes for s in lane.frame if isinstance(s, Text)]


def test_the_plan_draws_its_own_words_in_the_scores_language(demo):
    english, french = _words(layout(demo, "Demo")), _words(layout(demo, "Demo", language="fr-FR"))
    assert "meeting point" in english and "speech" in english
    assert "point de rencontre" in french and "voix" in french and "compte à rebours" in french
    assert not {"meeting point", "speech", "countdown"} & set(french)
    assert any(t.startswith("2 groupes") for t in french) and any(t.endswith(" repères") for t in french)
    assert _words(layout(demo, "Demo", language="de")) == english      # no table: English


def test_french_counts_zero_and_one_in_the_singular():
    from flashmob.tools.plan.words import count
    assert [count(n, "cue", "fr") for n in (0, 1, 2)] == ["0 repère", "1 repère", "2 repères"]
    assert [count(n, "cue", "en") for n in (0, 1, 2)] == ["0 cues", "1 cue", "2 cues"]
