"""The start-spread table (pure).

Per round (one show) and page: ``error`` = true server time at which the
page heard sample 0 - the show's ``start_at_us`` (µs).  The true time comes
from the page's own clock reading of that instant (its audio clock mapped to
``performance.timeOrigin + performance.now()``, the page's client clock) and
the calibration of that clock against true time (CDP round trips bracketed
by the bench's clock; the bound is half the best bracket).

* spread = |error_i - error_j| over every pair of pages of the same round:
  p50 / p95 / max; range = per round, max - min;
* mean error = the common lateness (output latency model, scheduling);
* clock error = what the page believed (its ``firstSample.serverUs``) minus
  the truth: the part of the error that is clock sync, not scheduling;
* scheduling error = what the page believed minus ``start_at_us``: how late
  or early the page itself knew it started sample 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from ..stats import mean, percentile
from ..table import markdown


@dataclass(frozen=True)
class PageResult:
    round: int
    page: int
    profile: str
    skew_s: float
    error_us: float | None  # true time of sample 0 - start_at
    believed_us: float | None  # the page's own estimate of that instant - start_at
    calib_bound_us: float | None


def pairwise(results: list[PageResult]) -> list[float]:
    out = []
    for r in sorted({x.round for x in results}):
        errs = [x.error_us for x in results if x.round == r and x.error_us is not None]
        out.extend(abs(a - b) for a, b in combinations(errs, 2))
    return out


def ranges(results: list[PageResult]) -> list[float]:
    out = []
    for r in sorted({x.round for x in results}):
        errs = [x.error_us for x in results if x.round == r and x.error_us is not None]
        if len(errs) >= 2:
            out.append(max(errs) - min(errs))
    return out


def summary_row(label: str, results: list[PageResult]) -> list:
    pw = pairwise(results)
    rg = ranges(results)
    errs = [x.error_us for x in results if x.error_us is not None]
    clock = [x.believed_us - x.error_us for x in results if x.error_us is not None and x.believed_us is not None]
    sched = [abs(x.believed_us) for x in results if x.error_us is not None and x.believed_us is not None]
    bounds = [x.calib_bound_us for x in results if x.calib_bound_us is not None]
    ms = lambda v: None if v is None else v / 1000  # noqa: E731
    played = f"{len(errs)}/{len(results)}"
    return [label, played, ms(percentile(pw, 50)), ms(percentile(pw, 95)), ms(max(pw) if pw else None),
            ms(max(rg) if rg else None), ms(mean(errs)), ms(percentile([abs(c) for c in clock], 95)),
            ms(percentile(sched, 95)), ms(max(bounds) if bounds else None)]


HEADERS = ("pages", "played", "spread p50 ms", "spread p95 ms", "spread max ms", "worst round range ms",
           "mean error ms", "clock error p95 ms", "scheduling error p95 ms", "calibration bound ms")


def table(results: list[PageResult]) -> str:
    rows = [summary_row("all", results)]
    for prof in sorted({x.profile for x in results}):
        sub = [x for x in results if x.profile == prof]
        if len(sub) != len(results):
            rows.append(summary_row(prof, sub))
    return markdown(HEADERS, rows, digits=3)


def per_page(results: list[PageResult]) -> str:
    return markdown(("round", "page", "profile", "clock skew s", "error ms", "believed ms", "calibration ± ms"),
                    [[x.round, x.page, x.profile, x.skew_s, None if x.error_us is None else x.error_us / 1000,
                      None if x.believed_us is None else x.believed_us / 1000,
                      None if x.calib_bound_us is None else x.calib_bound_us / 1000] for x in results], digits=3)
