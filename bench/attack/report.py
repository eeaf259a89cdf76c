"""The side-by-side table of bench.attack, pure.

Per phase (the same run, a fresh conductor each): the honest phones'
figures from the load generator (definitions: ``bench/load/report.py``) plus

* console feed rate = feeds the console received per second during the
  steady phase, from the first to the last feed of that phase (the conductor
  publishes at most one a second, forced every 5 s);
* conductor CPU = share of one core over the steady phase; RSS = peak over
  the phase.

Targets (issue 10): under attack, every honest figure within 2x of the run
without it, all phones joined, feed rate unchanged (within 10 %), the armed
``show`` at every phone at least 1 s before the start.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..load.report import LoadRow
from ..table import markdown


@dataclass(frozen=True)
class Phase:
    name: str
    load: LoadRow
    feed_rate: float | None
    cpu_core: float | None
    rss_mib: float | None


def feed_rate(out: dict) -> float | None:
    marks = out.get("marksUs") or {}
    a, b = marks.get("steady_start"), marks.get("steady_end")
    if not a or not b or b <= a:
        return None
    ts = [t for t in out.get("feedTimesUs", []) if a <= t <= b]
    if len(ts) < 2:
        return None
    return (len(ts) - 1) / ((ts[-1] - ts[0]) / 1e6)  # from the intervals: no +-1 feed of window edges


def _within(base, value, factor=2.0):
    if base is None or value is None:
        return None
    return value <= max(base * factor, base + 1.0)  # +1 ms: two tiny numbers are not "2x apart"


ROWS = (
    # label, getter, how the attack figure is judged against the baseline
    ("joins that succeeded", lambda p: p.load.joined, "all"),
    ("join p99 ms", lambda p: p.load.join_p99_ms, "2x"),
    ("sync service p99 ms", lambda p: p.load.service_p99_ms, "2x"),
    ("sync RTT p99 ms", lambda p: p.load.rtt_p99_ms, "2x"),
    ("sync service p99 at arm ms", lambda p: p.load.arm_service_p99_ms, "2x"),
    ("console feeds /s", lambda p: p.feed_rate, "same"),
    ("cue margin at arm s", lambda p: p.load.margin_s, ">=1"),
    ("phones that got the cue", lambda p: p.load.cue_received, "all"),
    ("conductor CPU (core)", lambda p: p.cpu_core, "info"),
    ("conductor RSS MiB", lambda p: p.rss_mib, "info"),
    ("honest errors", lambda p: p.load.errors, "zero"),
)


def verdict(rule: str, base, value, phones: int) -> bool | None:
    if rule == "all":
        return value == phones
    if rule == "2x":
        return _within(base, value)
    if rule == "same":
        return None if base is None or value is None else abs(value - base) <= 0.1 * base
    if rule == ">=1":
        return None if value is None else value >= 1.0
    if rule == "zero":
        return value == 0
    return None


def table(base: Phase, attack: Phase) -> tuple[str, bool]:
    """The table, and whether every target is met."""
    rows = []
    ok = True
    phones = base.load.phones
    for label, get, rule in ROWS:
        b, a = get(base), get(attack)
        v = verdict(rule, b, a, phones)
        if v is False:
            ok = False
        target = {"all": f"= {phones}", "2x": "<= 2x", "same": "within 10 %", ">=1": ">= 1 s", "zero": "0",
                  "info": ""}[rule]
        rows.append([label, b, a, target, "-" if v is None else ("met" if v else "MISSED")])
    return markdown(("honest phones", base.name, attack.name, "target", ""), rows), ok


def attacker_lines(snap: dict) -> list[str]:
    """What the attacker saw (its own counters), as bullet lines."""
    if not snap:
        return ["attacker: no report"]
    s = snap.get("stats", {})
    held = snap.get("held", {})
    lines = [f"held at the end: {held.get('idle', 0):,} idle, {held.get('half_open', 0):,} half-open, "
             f"{held.get('flood', 0)} flood sockets"]
    for kind in ("idle", "half_open"):
        lines.append(f"{kind.replace('_', '-')} sockets: opened {s.get(f'{kind} opened', 0):,}, "
                     f"closed by the server {s.get(f'{kind} closed by server', 0):,}, "
                     f"refused with 503 {s.get(f'{kind} refused 503', 0):,}, "
                     f"reset {s.get(f'{kind} reset by server', 0):,}, "
                     f"connect failed {s.get(f'{kind} connect failed', 0):,}")
    t = snap.get("t") or 1.0
    lines.append(f"flood: {s.get('flood frames sent', 0):,} frames sent ({s.get('flood frames sent', 0) / t:,.0f}/s "
                 f"over {t:.0f} s), {s.get('flood connected', 0)} connections, closes: "
                 + (", ".join(f"{k}: {v}" for k, v in sorted(snap.get('flood_closes', {}).items())) or "none"))
    lines.append(f"hellos: {s.get('hellos sent', 0):,} sent, answers: "
                 + (", ".join(f"{k}: {v:,}" for k, v in sorted(snap.get('hello_answers', {}).items())) or "none"))
    return lines
