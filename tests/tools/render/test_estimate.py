"""flashmob.tools.render.estimate: what a render will make and about how long it takes (pure)."""

from flashmob.tools.render.estimate import RenderPlan, plan_of
from flashmob.tools.score import EstimatedDurations, compile_score, read_score


def test_the_benchmark_show_is_estimated_near_its_measured_time():
    # docs/benchmarks.md: 3 groups x 60 min measured 54.6 s warm at q5 on this 2-core machine
    plan = RenderPlan(groups=3, duration_us=3600 * 10**6, lines=0, characters=0, cores=2)
    assert 45 < plan.estimated_s < 60
    assert plan.describe() == "rendering 3 groups x 1:00:00 (3:00:00 of audio): about 52 s"


def test_long_jobs_are_stated_in_minutes_or_hours():
    eleven_hours = RenderPlan(groups=3, duration_us=11 * 3600 * 10**6, lines=41, characters=2000, cores=2)
    assert eleven_hours.describe() == ("rendering 3 groups x 11:00:00 (33:00:00 of audio), 41 spoken lines: "
                                       "about 9 min")
    assert RenderPlan(10, 12 * 3600 * 10**6, 1, 10, 1).describe().endswith("about 66 min")
    assert RenderPlan(20, 12 * 3600 * 10**6, 1, 10, 1).describe().endswith("about 2.2 h")


def test_plan_of_counts_distinct_spoken_lines_once():
    score = read_score("flashmob: 1\ntitle: T\ngroups: {a: {}, b: {}}\ncues:\n  - at: 0\n    say: Hello.\n"
                       "  - at: 5\n    say: Hello.\n  - at: 10\n    say: Bye.\n    groups: a\n  - at: 20\n    end: true\n",
                       "s.yaml", ".")
    plan = plan_of(compile_score(score, EstimatedDurations()), cores=2)
    assert (plan.groups, plan.duration_us, plan.lines, plan.characters) == (2, 20_000_000, 2, 10)
