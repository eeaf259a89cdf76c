"""Fixtures for the plan tests: the demo score and a synthetic long show."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from flashmob.tools.score import compile_score, load_score
from flashmob.tools.score.errors import Loc
from flashmob.tools.score.model import Group
from flashmob.tools.score.timeline import GroupTimeline, Timeline, TimelineEvent

ROOT = Path(__file__).resolve().parents[3]
SR = 44100
US = 1_000_000
WORDS = ("walk slowly towards the fountain and wait for the signal turn around raise your arms "
         "look at the sky now clap twice find someone from another group smile wave freeze "
         "count quietly with me ensemble écoutez la mélodie").split()


@pytest.fixture(scope="session")
def demo():
    return compile_score(load_score(str(ROOT / "scores" / "demo.yaml")))


def _ev(eid, kind, start_us, end_us, groups, **kw) -> TimelineEvent:
    return TimelineEvent(id=eid, kind=kind, start=start_us * SR // US, end=end_us * SR // US,
                         start_us=start_us, end_us=end_us, loc=Loc("synthetic.yaml", 1, 1),
                         groups=groups, **kw)


def synthetic_timeline(minutes: int = 45, n_groups: int = 3, cues: int = 200, seed: int = 7) -> Timeline:
    """A plausible long show: ``cues`` cues spread over ``minutes``, each for
    every group or for one or two of them; speech, sounds, captions,
    countdowns and a few long music beds with fades; meetings where all groups
    share a cue again after having diverged."""
    rnd = random.Random(seed)
    colours = ("#d32f2f", "#1976d2", "#388e3c", "#f57c00", "#7b1fa2")
    gids = tuple(f"g{i}" for i in range(n_groups))
    groups = [Group(g, f"Groupe {i + 1} é", colours[i % 5], 1.0, Loc("s", 1, 1)) for i, g in enumerate(gids)]
    per: dict[str, list[TimelineEvent]] = {g: [] for g in gids}
    duration = minutes * 60 * US
    meetings, diverged = [], False
    t = 5 * US
    step = (duration - 30 * US) // cues
    for n in range(cues):
        t += rnd.randint(step // 3, step * 5 // 3)
        if t > duration - 20 * US:
            break
        roll = rnd.random()
        who = gids if roll < 0.4 else tuple(sorted(rnd.sample(gids, 1 if roll < 0.8 else min(2, n_groups))))
        shared = who == gids
        if shared and diverged:
            meetings.append(t)
        diverged = not shared if not shared else False
        kind = rnd.choices(("say", "sound", "caption", "countdown", "music"), (55, 20, 10, 5, 3))[0]
        new: list[TimelineEvent] = []
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 12))).capitalize()
        if kind == "say":
            new.append(_ev(f"c{n}", "say", t, t + rnd.randint(2, 8) * US, who, text=text, caption=text,
                           estimated=True, meeting=shared))
        elif kind == "sound":
            new.append(_ev(f"c{n}", "sound", t, t + US, who, asset=rnd.choice(("gong", "clap", "bell")),
                           meeting=shared))
        elif kind == "caption":
            new.append(_ev(f"c{n}", "caption", t, t, who, caption=text, meeting=shared))
        elif kind == "countdown":
            for k in (3, 2, 1):
                s = t - k * US
                new.append(_ev(f"c{n}.{k}", "say", s, s + 400_000, who, text=str(k), caption=str(k),
                               meeting=shared))
            new.append(_ev(f"c{n}.beep", "sound", t, t + 250_000, who, asset="gong", caption="Go!",
                           meeting=shared))
        else:
            end = min(t + rnd.randint(60, 400) * US, duration)
            new.append(_ev(f"c{n}", "music", t, end, who, asset="bed", fade_in=3 * SR, fade_out=5 * SR,
                           loop=True))
        for ev in new:
            for g in who:
                per[g].append(ev)
    end = _ev("end", "end", duration, duration, gids, caption="Merci !")
    gtl = tuple(GroupTimeline(grp, tuple(sorted(per[grp.id], key=lambda e: e.start_us)) + (end,))
                for grp in groups)
    return Timeline(SR, duration * SR // US, duration, True, gtl, tuple(meetings))


@pytest.fixture(scope="session")
def long_show():
    return synthetic_timeline()
