import pytest

from flashmob.tools.plan.timescale import US, Span, minor_step_us, system_spans, tick_step_us

PLOT = 1436          # plot width at the default page width


def test_three_minute_show_ticks_every_ten_seconds():
    assert tick_step_us(180 * US, PLOT) == 10 * US


def test_forty_five_minutes_on_one_strip_ticks_every_one_to_five_minutes():
    assert 60 * US <= tick_step_us(45 * 60 * US, PLOT) <= 300 * US


def test_ticks_are_never_closer_than_asked():
    for seconds in (5, 42, 175, 600, 1800, 2700, 7200):
        step = tick_step_us(seconds * US, PLOT, min_px=64)
        assert step / US * PLOT / seconds >= 64 or step == 14400 * US


def test_minor_step_divides_the_major_step():
    assert minor_step_us(10 * US, 8 / US, min_px=30) == 5 * US
    assert minor_step_us(60 * US, 2 / US, min_px=14) == 10 * US
    assert minor_step_us(10 * US, 1 / US, min_px=30) is None


def test_short_show_is_one_system():
    assert system_spans(175 * US, PLOT) == [(0, 180 * US)]


def test_long_show_is_folded_into_equal_systems_covering_it():
    spans = system_spans(45 * 60 * US, PLOT, min_px_per_s=2.0)
    assert len(spans) > 1
    lengths = {b - a for a, b in spans}
    assert len(lengths) == 1 and lengths.pop() % (60 * US) == 0
    assert spans[0][0] == 0 and spans[-1][1] >= 45 * 60 * US
    assert all(b == c for (_, b), (c, _) in zip(spans, spans[1:]))
    assert PLOT / ((spans[0][1] - spans[0][0]) / US) >= 1.9


@pytest.mark.parametrize("duration_s", [0, 1, 59, 180, 601, 2700, 4 * 3600])
def test_spans_always_cover_the_show(duration_s):
    spans = system_spans(duration_s * US, PLOT)
    assert spans[-1][1] >= duration_s * US and spans[0][0] == 0


def test_span_maps_time_to_x_and_holds_instants():
    s = Span(60 * US, 120 * US, 100.0, 700.0)
    assert s.x(60 * US) == 100 and s.x(90 * US) == 400 and s.x(120 * US) == 700
    assert s.holds(60 * US) and not s.holds(120 * US) and s.holds(120 * US, last=True)
