"""The report's pictures: matplotlib figures (no pyplot, no GUI backend) as inline SVG text.

Each function takes the :class:`~.facts.Facts` (and the groups' names and
colours) and returns one ``<svg>`` element with its text kept as text (so the
page stays small and searchable).  Titles say whose account a picture is:
what the conductor saw, or what the phones said about themselves
(self-reported).
"""

from __future__ import annotations

import io
import re

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .facts import Facts

SEEN = "conductor saw"
SAID = "self-reported by the phones"
SIZE = (7.5, 3.4)
SYNC_BINS_MS = (0, 1, 2, 5, 10, 20, 50, 100)


def _svg(fig: Figure, salt: str) -> str:
    for ax in fig.axes:  # counts of phones, reports: whole numbers
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    buf = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # the element alone: it is inlined in the page
    # matplotlib numbers its ids per figure (figure_1, patch_1...): six figures in one page need their own
    return (text.replace(' id="', f' id="{salt}-').replace("url(#", f"url(#{salt}-")
            .replace('href="#', f'href="#{salt}-'))


def _marks(ax, facts: Facts) -> None:
    run = facts.run
    for t, label in ((run.armed_at_us, "arm"), (run.start_at_us, "start"), (run.end_at_us, run.outcome)):
        x = run.rel_s(t)
        ax.axvline(x, color="#555", lw=0.8, ls="--")
        ax.annotate(label, (x, 1), xycoords=("data", "axes fraction"), xytext=(2, -10),
                    textcoords="offset points", fontsize=8, color="#555")


def attendance(facts: Facts, names: list[str], colours: list[str]) -> str:
    """Connected participants of each group over time (conductor saw: open sockets), and those of
    them playing (self-reported: their last status gave a position)."""
    fig = Figure(figsize=(SIZE[0], SIZE[1] * 1.6))
    top, bottom = fig.subplots(2, 1, sharex=True)
    t = np.array([facts.run.rel_s(x) for x in facts.attendance_t_us])
    t_end = facts.run.rel_s(facts.run.end_at_us) + 5
    xs = np.append(t, max(t_end, t[-1]))
    for ax, counts, what in ((top, facts.attendance, f"connected ({SEEN}: open sockets)"),
                             (bottom, facts.playing, f"playing ({SAID}: from the status that gave a position, every 2-10 s)")):
        for g in range(facts.groups):
            ax.step(xs, np.append(counts[:, g], counts[-1, g]), where="post", color=colours[g], label=names[g],
                    lw=1.6)
        total = counts.sum(axis=1)
        ax.step(xs, np.append(total, total[-1]), where="post", color="#222", lw=1, ls=":", label="all")
        _marks(ax, facts)
        ax.set_ylabel("participants")
        ax.set_title(what, fontsize=9)
        ax.set_ylim(bottom=0)
    top.legend(fontsize=8, loc="lower left")
    bottom.set_xlabel("seconds from the start")
    fig.suptitle("Attendance over time, per group", fontsize=10)
    return _svg(fig, "attendance")


def readiness(facts: Facts, names: list[str], colours: list[str]) -> str:
    """Per group: connected and confirmed at the arm (conductor), sound on at the arm and playing at the start (phones)."""
    fig = Figure(figsize=SIZE)
    ax = fig.add_subplot()
    series = (("connected at arm", lambda p: p.connected_at_arm, SEEN),
              ("files proved (seat) at arm", lambda p: p.confirmed_at_arm, SEEN),
              ("sound on at arm", lambda p: p.connected_at_arm and p.sound_at_arm, "self-reported"),
              ("playing at start", lambda p: p.playing_at_start, "self-reported"))
    width = 0.8 / len(series)
    x = np.arange(facts.groups)
    for i, (label, pick, who) in enumerate(series):
        counts = [sum(1 for p in facts.phones if p.group == g and pick(p)) for g in range(facts.groups)]
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * width, counts, width, label=f"{label} ({who})",
                      color=["#90a4ae", "#546e7a", "#ffb74d", "#43a047"][i])
        ax.bar_label(bars, fontsize=7)
    ax.set_xticks(x, names)
    ax.set_ylabel("participants")
    ax.set_title("Ready at the arm, playing at the start", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(fig, "readiness")


def sync_bounds(facts: Facts) -> str:
    """Histogram of each phone's median sync error bound during the show (self-reported)."""
    fig = Figure(figsize=SIZE)
    ax = fig.add_subplot()
    values = [p.sync_median_us / 1000 for p in facts.phones if p.sync_median_us is not None]
    edges = list(SYNC_BINS_MS) + [max(SYNC_BINS_MS[-1] * 2, max(values, default=0) + 1)]
    counts, _ = np.histogram(values, bins=edges)
    labels = [f"≤{e:g}" for e in edges[1:-1]] + [f">{edges[-2]:g}"]
    bars = ax.bar(range(len(counts)), counts, color="#5c6bc0")
    ax.bar_label(bars, fontsize=7)
    ax.set_xticks(range(len(counts)), labels)
    ax.set_xlabel("median sync error bound during the show (ms)")
    ax.set_ylabel("phones")
    ax.set_title(f"Sync error bounds ({SAID}; {len(values)} phones)", fontsize=10)
    return _svg(fig, "sync")


def drift(facts: Facts) -> str:
    """Histogram of every drift sample: reported position minus the conductor's show time (ms)."""
    fig = Figure(figsize=SIZE)
    ax = fig.add_subplot()
    d = facts.drift_us / 1000
    if len(d):
        lim = max(5.0, float(np.percentile(np.abs(d), 99)) * 1.1)
        ax.hist(np.clip(d, -lim, lim), bins=40, range=(-lim, lim), color="#26a69a")
    ax.set_xlabel("reported position − show time at arrival (ms; includes network delay)")
    ax.set_ylabel("status reports")
    ax.set_title(f"Reported drift ({SAID}, timed by the conductor; {len(d)} reports)", fontsize=10)
    return _svg(fig, "drift")


def dropouts(facts: Facts) -> str:
    """Dropouts and rejoins over the show's timeline (conductor saw)."""
    fig = Figure(figsize=SIZE)
    ax = fig.add_subplot()
    run = facts.run
    lo, hi = run.rel_s(run.armed_at_us), run.rel_s(run.end_at_us)
    bins = np.linspace(lo, max(hi, lo + 1), 31)
    left = [run.rel_s(d.left_us) for d in facts.dropouts]
    back = [run.rel_s(d.back_us) for d in facts.dropouts if d.back_us is not None]
    ax.hist([left, back], bins=bins, label=["dropped out", "rejoined"], color=["#e53935", "#1e88e5"])
    _marks(ax, facts)
    ax.set_xlabel("seconds from the start")
    ax.set_ylabel("participants")
    ax.set_title(f"Dropouts over the show ({SEEN}: last socket closed; {len(left)} dropouts, {len(back)} rejoins)",
                 fontsize=10)
    ax.legend(fontsize=8)
    return _svg(fig, "dropouts")


def engines(facts: Facts) -> str:
    """Engines (per phone) and output latencies (self-reported)."""
    fig = Figure(figsize=SIZE)
    left, right = fig.subplots(1, 2)
    tally: dict[str, int] = {}
    for p in facts.phones:
        name = p.engine or "none (sound never on)"
        tally[name] = tally.get(name, 0) + 1
    names = sorted(tally, key=lambda n: -tally[n])
    bars = left.bar(names, [tally[n] for n in names], color="#8d6e63")
    left.bar_label(bars, fontsize=7)
    left.tick_params(axis="x", labelsize=7)
    left.set_ylabel("phones")
    left.set_title("Playback engine", fontsize=9)
    lat = [p.latency_median_us / 1000 for p in facts.phones if p.latency_median_us is not None]
    if lat:
        right.hist(lat, bins=20, color="#ab47bc")
    right.set_xlabel("output latency (ms)")
    right.set_title(f"Output latency ({len(lat)} phones)", fontsize=9)
    fig.suptitle(f"Engines and output latencies ({SAID})", fontsize=10)
    return _svg(fig, "engines")


def valid_svg_ids(svg: str) -> list[str]:
    """The ids an SVG defines (the page checks none is defined twice)."""
    return re.findall(r'\bid="([^"]+)"', svg)


ALL = ("attendance", "readiness", "sync_bounds", "drift", "dropouts", "engines")
