"""The show's programme, read from a bundle's manifest (pure).

The dossier describes the show as rendered, so it reads the manifest (real
speech durations, the renderer's meeting points), not the score:

* :func:`timeline_of` rebuilds a :class:`~tools.score.timeline.Timeline` from
  the manifest's per-group cues, so the plan picture (:mod:`tools.plan`) can
  be drawn from a bundle. What the manifest does not carry is left at the
  plan's neutral value: asset names (music and sounds are labelled
  "music"/"sound"), fades and loops.
* :func:`movements` lists what the participants are asked to do, in time
  order: every cue with a text (spoken, shown, or the caption of a sound and
  of the end), one row per cue shared by several groups, with the groups it
  is for. Music beds, silent sounds and the numbers of a countdown (a text
  that is only digits) are left out: they are not movements.
"""

from __future__ import annotations

from dataclasses import dataclass

from flashmob.contract.manifest import Manifest
from flashmob.tools.score.errors import Loc
from flashmob.tools.score.model import Group
from flashmob.tools.score.timeline import GroupTimeline, Timeline, TimelineEvent

DEFAULT_RATE = 44_100
_KINDS = ("say", "sound", "music", "caption", "end")


def _samples(ms: int, rate: int) -> int:
    return ms * rate // 1000


def timeline_of(manifest: Manifest) -> Timeline:
    """The manifest's timeline, for :func:`tools.plan.layout` (see the module docstring)."""
    rate = manifest.sample_rate or DEFAULT_RATE
    every = tuple(g.id for g in manifest.groups)
    addressed: dict[str, list[str]] = {}
    for g in manifest.groups:
        for c in g.cues:
            addressed.setdefault(c.id, []).append(g.id)
    lanes = []
    for index, g in enumerate(manifest.groups):
        group = Group(g.id, g.name, g.colour, max(g.share, 1), Loc("manifest.json", index + 1, 1))
        events = []
        for c in g.cues:
            kind = c.kind if c.kind in _KINDS else "caption"
            events.append(TimelineEvent(
                id=c.id, kind=kind,
                start=_samples(c.start_ms, rate), end=_samples(c.end_ms, rate),
                start_us=c.start_ms * 1000, end_us=c.end_ms * 1000,
                loc=Loc("manifest.json", c.line or 0, 1),
                groups=every if c.meeting else tuple(addressed.get(c.id, (g.id,))),
                caption=c.text, vibrate=c.vibrate, text=c.text if kind == "say" else None,
                meeting=bool(c.meeting)))
        lanes.append(GroupTimeline(group, tuple(events)))
    duration_us = manifest.duration_us
    return Timeline(sample_rate=rate, duration=-(-duration_us * rate // 1_000_000), duration_us=duration_us,
                    explicit_end=any(c.kind == "end" for g in manifest.groups for c in g.cues),
                    groups=tuple(lanes), meetings_us=tuple(ms * 1000 for ms in manifest.meetings_ms))


@dataclass(frozen=True)
class Movement:
    at_ms: int                       # from the start of the show
    groups: tuple[str, ...]          # group ids, in manifest order
    text: str
    meeting: bool                    # every group shares it


def _is_movement(kind: str, text: str | None) -> bool:
    if not text or not text.strip() or kind == "music":
        return False
    return not text.strip().isdigit()  # a countdown's numbers


def movements(manifest: Manifest) -> list[Movement]:
    """What participants are asked to do, in time order (see the module docstring)."""
    order = {g.id: i for i, g in enumerate(manifest.groups)}
    rows: dict[tuple[str, int, str], list[str]] = {}
    meeting: dict[tuple[str, int, str], bool] = {}
    for g in manifest.groups:
        for c in g.cues:
            if not _is_movement(c.kind, c.text):
                continue
            key = (c.id, c.start_ms, " ".join((c.text or "").split()))
            rows.setdefault(key, []).append(g.id)
            meeting[key] = meeting.get(key, False) or bool(c.meeting)
    out = [Movement(at, tuple(sorted(gs, key=order.__getitem__)), text, meeting[(cid, at, text)])
           for (cid, at, text), gs in rows.items()]
    return sorted(out, key=lambda m: (m.at_ms, min(order[g] for g in m.groups)))


__all__ = ["timeline_of", "Movement", "movements"]
