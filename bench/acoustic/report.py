"""Tables of the acoustic benchmark, pure (definitions of every column).

For each page and round:
- **acoustic error** = the first click's onset in the page's sink monitor, in
  conductor time, minus the instant it was scheduled for (``start_at_us`` + the
  click's show position, 0): > 0 is late.  Measured from the sound.
- **self-reported error** = the page's own account (``report().firstSample.serverUs``,
  the server time at which it believes sample 0 was heard) minus the same instant.
- **difference** = self-reported - acoustic: what the page does not know about itself.
- **bound** = the page's stated error bound for that account
  (``firstSample.boundUs``); it *contains* the sound when ``|difference| <= bound``.
- **spread** of a round = max - min of the acoustic errors of the pages that played.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..table import markdown
from ..table import markdown as render_table


@dataclass(frozen=True)
class PageRound:
    rate: int
    round: int
    engine: str
    page: str
    skew_s: float
    acoustic_us: float | None  # None: no click heard
    self_us: float | None  # None: the page reported nothing
    bound_us: float | None
    load1: float
    source: str | None = None  # the reading the page trusted
    candidates_us: dict | None = None  # reading -> what it says about sample 0 (server µs - scheduled)

    @property
    def diff_us(self) -> float | None:
        if self.acoustic_us is None or self.self_us is None:
            return None
        return self.self_us - self.acoustic_us

    @property
    def contained(self) -> bool | None:
        d = self.diff_us
        if d is None or self.bound_us is None:
            return None
        return abs(d) <= self.bound_us


def _ms(v: float | None, nd: int = 2) -> str:
    return "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v / 1000:+.{nd}f}"


def _stats(vals: list[float]) -> tuple[float, float, float, float]:
    a = np.array(vals, dtype=float)
    if not len(a):
        return (np.nan,) * 4
    return float(np.median(a)), float(a.min()), float(a.max()), float(np.abs(a).max())


def spreads(results: list[PageRound], rate: int) -> list[float]:
    out = []
    for rnd in sorted({r.round for r in results if r.rate == rate}):
        errs = [r.acoustic_us for r in results if r.rate == rate and r.round == rnd and r.acoustic_us is not None]
        if len(errs) >= 2:
            out.append(max(errs) - min(errs))
    return out


def engine_table(results: list[PageRound], *, within_us: float = 3000, never_us: float = 50000,
                 self_us: float = 2000) -> str:
    """One row per (rate, engine), then 'all' per rate."""
    rows = []
    for rate in sorted({r.rate for r in results}):
        engines = sorted({r.engine for r in results if r.rate == rate})
        for eng in [*engines, "all"]:
            rs = [r for r in results if r.rate == rate and (eng == "all" or r.engine == eng)]
            ac = [r.acoustic_us for r in rs if r.acoustic_us is not None]
            df = [r.diff_us for r in rs if r.diff_us is not None]
            se = [r.self_us for r in rs if r.self_us is not None]
            cont = [r.contained for r in rs if r.contained is not None]
            bounds = [r.bound_us for r in rs if r.bound_us is not None]
            a_med, a_min, a_max, a_abs = _stats(ac)
            s_med, _, _, s_abs = _stats(se)
            d_med, d_min, d_max, d_abs = _stats(df)
            rows.append([
                f"{rate / 1000:g}k", eng, f"{len(ac)}/{len(rs)}",
                _ms(a_med), f"{_ms(a_min)} .. {_ms(a_max)}",
                f"{sum(abs(v) <= within_us for v in ac)}/{len(rs)}", f"{sum(abs(v) > never_us for v in ac)}",
                _ms(s_med), _ms(d_med), f"{_ms(d_min)} .. {_ms(d_max)}",
                f"{sum(abs(v) <= self_us for v in df)}/{len(df)}",
                _ms(float(np.median(bounds)) if bounds else None),
                f"{sum(cont)}/{len(cont)}" if cont else "-",
                f"{max(r.load1 for r in rs):.2f}" if rs else "-",
            ])
    return render_table(["rate", "engine", "heard", "acoustic med ms", "acoustic min..max ms", "within ±3 ms",
                         "beyond ±50 ms", "self med ms", "diff med ms", "diff min..max ms", "diff within ±2 ms",
                         "bound med ms", "bound holds", "load1 max"], rows)


def spread_table(results: list[PageRound]) -> str:
    rows = []
    for rate in sorted({r.rate for r in results}):
        sp = spreads(results, rate)
        pages = len({r.page for r in results if r.rate == rate})
        loads = [r.load1 for r in results if r.rate == rate]
        if sp:
            a = np.array(sp)
            rows.append([f"{rate / 1000:g}k", str(pages), str(len(sp)), f"{np.median(a) / 1000:.2f}",
                         f"{np.percentile(a, 95) / 1000:.2f}", f"{a.max() / 1000:.2f}",
                         f"{min(loads):.2f} .. {max(loads):.2f}"])
        else:
            rows.append([f"{rate / 1000:g}k", str(pages), "0", "-", "-", "-", "-"])
    return render_table(["rate", "pages", "rounds", "spread p50 ms", "spread p95 ms", "spread max ms", "load1"], rows)


def rounds_table(results: list[PageRound]) -> str:
    """Every page of every round (acoustic / self / bound, ms)."""
    rows = [[f"{r.rate / 1000:g}k", str(r.round), r.engine, r.page, f"{r.skew_s:+.3f}", _ms(r.acoustic_us),
             _ms(r.self_us), _ms(r.diff_us), _ms(r.bound_us), f"{r.load1:.2f}"] for r in results]
    return render_table(["rate", "round", "engine", "page", "skew s", "acoustic ms", "self ms", "diff ms",
                         "bound ms", "load1"], rows)


def crosscheck_table(results: list[PageRound]) -> str:
    """Per engine and rate: for each reading a page can trust, the sound minus what that
    reading says (median and p5..p95, ms): the reading to trust is the one near 0."""
    rows = []
    for rate in sorted({r.rate for r in results}):
        for eng in sorted({r.engine for r in results if r.rate == rate}):
            rs = [r for r in results if r.rate == rate and r.engine == eng and r.acoustic_us is not None]
            names = sorted({k for r in rs for k in (r.candidates_us or {})})
            trusted = sorted({r.source for r in rs if r.source})
            for name in names:
                d = np.array([r.acoustic_us - r.candidates_us[name] for r in rs
                              if r.candidates_us and r.candidates_us.get(name) is not None])
                if not len(d):
                    continue
                p5, p50, p95 = np.percentile(d, [5, 50, 95])
                rows.append([f"{rate / 1000:g}k", eng, name, "yes" if name in trusted else "", str(len(d)),
                             f"{p50 / 1000:+.2f}", f"{p5 / 1000:+.2f} .. {p95 / 1000:+.2f}"])
    return render_table(["rate", "engine", "reading", "trusted", "n", "sound - reading med ms",
                         "p5..p95 ms"], rows)
