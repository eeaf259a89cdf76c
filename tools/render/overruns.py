"""With real speech durations: a `say` running into the group's next speech (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from flashmob.tools.score.errors import Diagnostic, Loc
from flashmob.tools.score.timeline import Timeline, TimelineEvent


@dataclass(frozen=True)
class Overrun:
    group: str
    first: TimelineEvent
    second: TimelineEvent
    overlap_ms: int

    def diagnostic(self, severity: str = "error") -> Diagnostic:
        a, b = self.first, self.second
        return Diagnostic(a.loc, f"speech overruns the next speech of group '{self.group}' by {self.overlap_ms} ms: "
                                 f"this line ends at {b.start_us // 1000 + self.overlap_ms} ms but "
                                 f"{b.loc.file}:{b.loc.line} starts at {b.start_us // 1000} ms "
                                 "(move it later, shorten the text, or render with --allow-overlap)", severity)


def find_overruns(timeline: Timeline) -> list[Overrun]:
    """Every pair of consecutive `say` events of a group that overlap (first per pair)."""
    out = []
    for gt in timeline.groups:
        says = sorted((e for e in gt.events if e.kind == "say"), key=lambda e: e.start)
        for a, b in zip(says, says[1:]):
            if a.end > b.start:
                overlap_ms = -(-(a.end_us - b.start_us) // 1000)
                out.append(Overrun(gt.group.id, a, b, max(1, overlap_ms)))
    return out
