"""The compiler's output: one ordered event list per group, in samples.

This is the contract between the score language and everything downstream
(renderer, plan, manifest). Positions are integer sample indices at
``Timeline.sample_rate``; ``*_us`` fields keep the exact microsecond times for
display. Countdowns are already expanded (one ``say`` per number, one
``sound`` for the beep); sections and repeats are already unrolled.

Event kinds:

``say``      speech: ``text``, ``voice``, optional ``clip``; ``end`` is estimated
             until the renderer recompiles with real speech durations
``sound``    a one-shot asset
``music``    a bed from ``start`` to ``end`` with fades, optional loop, ducking
``caption``  text only (no audio)
``end``      the show ends at ``start`` (last event of every group)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Loc
from .model import Group, Voice


@dataclass(frozen=True)
class TimelineEvent:
    id: str                          # unique within the show
    kind: str                        # say | sound | music | caption | end
    start: int                       # sample index
    end: int                         # sample index (exclusive); == start for caption/end
    start_us: int
    end_us: int
    loc: Loc                         # source of the cue that made it
    groups: tuple[str, ...]          # groups the cue addresses
    caption: str | None = None       # text for the phone (say: defaults to the text)
    vibrate: tuple[int, ...] | None = None
    text: str | None = None          # say
    voice: Voice | None = None       # say
    clip: str | None = None          # say: recorded replacement (asset id or path)
    asset: str | None = None         # sound, music
    gain_db: float = 0.0
    fade_in: int = 0                 # samples (music)
    fade_out: int = 0                # samples (music; end: fade applied to music)
    loop: bool = False               # music
    duck_db: float | None = None     # music: attenuation under speech
    estimated: bool = False          # end comes from an estimate, not a real duration
    meeting: bool = False            # a cue every group shares (a synchronization point)


@dataclass(frozen=True)
class GroupTimeline:
    group: Group
    events: tuple[TimelineEvent, ...]  # ordered by (start, document order)

    def of_kind(self, *kinds: str) -> list[TimelineEvent]:
        return [e for e in self.events if e.kind in kinds]


@dataclass(frozen=True)
class Timeline:
    sample_rate: int
    duration: int                    # samples
    duration_us: int
    explicit_end: bool               # False when the score has no `end` cue
    groups: tuple[GroupTimeline, ...]
    meetings_us: tuple[int, ...] = field(default=())  # times the groups come back together

    def group(self, gid: str) -> GroupTimeline:
        for g in self.groups:
            if g.group.id == gid:
                return g
        raise KeyError(gid)

    @property
    def cue_count(self) -> int:
        return len({e.id for g in self.groups for e in g.events if e.kind != "end"})
