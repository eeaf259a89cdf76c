"""The side-by-side table from the phones' samples and the relay's statistics (pure).

Definitions (per library, over all phones of one run):

* error = estimated server time - true server time, read every 100 ms at the
  same instant (µs); "after settle" = readings at least ``settle_s`` after
  the phone started;
* bias = mean signed error after settle; p50/p95/p99 of |error| after settle;
* converge < X = median over phones of the first time (since the phone
  started) after which |error| stays below X to the end; ``(k/N)`` = how many
  phones got there;
* largest jump = largest change of the error between two readings (100 ms
  apart; a continuous clock changes by at most 20 µs at 200 ppm), over the
  whole run (first estimates included) and, in brackets, after settle;
* backward steps = readings where the error fell by more than 50 µs: the
  published clock was set back (time ran backwards for a reader);
* no estimate = share of readings after settle without any estimate yet;
* floor = per phone, half the asymmetry of the minimum one-way delays the
  relay really gave on that phone's connection (no round-trip method can do
  better); its p50/p95/p99 across phones.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..stats import converged_at, jumps, mean, percentile
from ..table import markdown

BACKWARD_US = 50.0
LIBS = ("flashmob", "timesync", "ircam")


@dataclass(frozen=True)
class LibResult:
    lib: str
    bias_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    conv1_s: float | None
    conv1_n: int
    conv5_s: float | None
    conv5_n: int
    phones: int
    jump_ms: float | None
    jump_settled_ms: float | None
    backward: int
    missing_pct: float


@dataclass(frozen=True)
class Floor:
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None


def summarize(samples: dict, lib: str, *, settle_s: float = 5.0) -> LibResult:
    ticks = samples["ticks"]
    settled, signed, missing, total = [], [], 0, 0
    conv1, conv5, all_jumps, late_jumps = [], [], [], []
    backward = 0
    n = 0
    for ph in samples["phones"]:
        errs = ph["errors"].get(lib)
        if errs is None or ph["startS"] is None:
            continue
        n += 1
        times = [t - ph["startS"] for t in ticks]
        mine = [(t, e) for t, e in zip(times, errs) if t >= 0]
        ts = [t for t, _ in mine]
        es = [e for _, e in mine]
        for t, e in mine:
            if t >= settle_s:
                total += 1
                if e is None:
                    missing += 1
                else:
                    settled.append(abs(e))
                    signed.append(e)
        for thr, acc in ((1000.0, conv1), (5000.0, conv5)):
            at = converged_at(ts, es, thr)
            if at is not None:
                acc.append(at)
        js = jumps(es)
        all_jumps.extend(abs(j) for j in js)
        late_jumps.extend(abs(j) for j in jumps([e for t, e in mine if t >= settle_s]))
        backward += sum(1 for j in js if j < -BACKWARD_US)

    def ms(v):
        return None if v is None else v / 1000

    return LibResult(lib=lib, bias_ms=ms(mean(signed)), p50_ms=ms(percentile(settled, 50)),
                     p95_ms=ms(percentile(settled, 95)), p99_ms=ms(percentile(settled, 99)),
                     conv1_s=percentile(conv1, 50) if len(conv1) * 2 > n else None, conv1_n=len(conv1),
                     conv5_s=percentile(conv5, 50) if len(conv5) * 2 > n else None, conv5_n=len(conv5),
                     phones=n, jump_ms=ms(max(all_jumps)) if all_jumps else None,
                     jump_settled_ms=ms(max(late_jumps)) if late_jumps else None, backward=backward,
                     missing_pct=100 * missing / total if total else 100.0)


def floor(relay_stats: list[dict], lib: str = "flashmob") -> Floor:
    """Per phone (route ``lib-i``, its first connection), |min up - min down| / 2."""
    vals = []
    for s in relay_stats:
        if not s["route"].startswith(lib + "-") or s["index"] != 0:
            continue
        up, down = s["up"]["min_ms"], s["down"]["min_ms"]
        if up is not None and down is not None:
            vals.append(abs(up - down) / 2)
    return Floor(percentile(vals, 50), percentile(vals, 95), percentile(vals, 99))


HEADERS = ("library", "bias ms", "p50 ms", "p95 ms", "p99 ms", "< 1 ms after", "< 5 ms after",
           "largest jump ms (after settle)",
           "backward steps", "no estimate")


def _conv(s: float | None, k: int, n: int) -> str:
    return f"{'-' if s is None else f'{s:.1f} s'} ({k}/{n})"


def _jump(r: LibResult) -> str:
    if r.jump_ms is None:
        return "-"
    return f"{r.jump_ms:.3f} ({'-' if r.jump_settled_ms is None else f'{r.jump_settled_ms:.3f}'})"


def table(results: list[LibResult], fl: Floor) -> str:
    rows = [[r.lib, r.bias_ms, r.p50_ms, r.p95_ms, r.p99_ms, _conv(r.conv1_s, r.conv1_n, r.phones),
             _conv(r.conv5_s, r.conv5_n, r.phones), _jump(r), r.backward, f"{r.missing_pct:.1f} %"]
            for r in results]
    rows.append(["floor", None, fl.p50_ms, fl.p95_ms, fl.p99_ms, "", "", "", None, ""])
    return markdown(HEADERS, rows, digits=3)


def verdict(profile: str, results: list[LibResult], fl: Floor) -> list[str]:
    """The targets of the issue, met or missed, one line each."""
    by = {r.lib: r for r in results}
    out = []
    fm = by.get("flashmob")
    if fm is None or fm.p95_ms is None:
        return ["flashmob: no estimate"]
    if profile == "wifi":
        ok = fm.p95_ms <= 1.0
        out.append(f"target wifi p95 <= 1 ms after settle: {fm.p95_ms:.3f} ms -> {'MET' if ok else 'MISSED'}")
    peers = [by[l].p95_ms for l in by if l != "flashmob" and by[l].p95_ms is not None]
    best = min(peers) if peers else None
    two_x = best is not None and fm.p95_ms * 2 <= best
    near_floor = fl.p95_ms is not None and fm.p95_ms <= fl.p95_ms + 0.2
    detail = (f"flashmob p95 {fm.p95_ms:.3f} ms; best peer p95 "
              f"{'-' if best is None else f'{best:.3f}'} ms; floor p95 "
              f"{'-' if fl.p95_ms is None else f'{fl.p95_ms:.3f}'} ms")
    out.append(f"target 2x better than the best peer or within 0.2 ms of the floor: {detail} -> "
               f"{'MET' if (two_x or near_floor) else 'MISSED'}"
               f"{' (2x)' if two_x else ''}{' (floor)' if near_floor else ''}")
    return out
