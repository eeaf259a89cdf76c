"""Silent stretches of a group's show (pure), for inaudible re-anchoring.

A phone correcting clock drift may jump a few ms where nothing sounds. A
silence is a gap of at least :data:`MIN_SILENCE_MS` between the audible
extents of every say, sound and music event of the group (using the real
durations of the rendered timeline), shrunk by :data:`GUARD_MS` on each side
for reverb tails and fades.
"""

from __future__ import annotations

from flashmob.tools.score.timeline import GroupTimeline

MIN_SILENCE_MS = 500
GUARD_MS = 100


def silences(group: GroupTimeline, duration_ms: int) -> list[tuple[int, int]]:
    """[(start_ms, end_ms)] of silent stretches, in order."""
    spans = sorted((e.start_us // 1000, -(-e.end_us // 1000)) for e in group.events
                   if e.kind in ("say", "sound", "music") and e.end_us > e.start_us)
    out = []
    cursor = 0
    for s, e in spans + [(duration_ms, duration_ms)]:
        a, b = cursor + (GUARD_MS if cursor else 0), s - GUARD_MS if s < duration_ms else s
        if b - a >= MIN_SILENCE_MS:
            out.append((a, b))
        cursor = max(cursor, e)
    return out
