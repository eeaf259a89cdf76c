"""The caption timing rule: when each captioned cue is on screen.

One rule for every place a caption appears — the WebVTT file, the MP3's
chapters and synchronized lyrics, and the phone's play screen (through the
manifest's ``cues[].caption_end_ms``):

* every event with a caption text, except the ``end`` cue (the phone shows
  its end screen), is shown from its start;
* until the next caption starts, and never past the show's end;
* and never longer than its own audio plus :data:`HOLD_AFTER_MS`; an event
  without audio of its own (a ``show:``-only cue, whose event span is empty)
  is held :data:`SILENT_CAPTION_MS`;
* a caption whose span comes out empty is not shown.

Times are integer milliseconds: an event's start and own length are its
microseconds floored to the millisecond.  Spans are in time order and never
overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

HOLD_AFTER_MS = 2000
SILENT_CAPTION_MS = 8000


class CaptionEvent(Protocol):
    """What the rule needs of a timeline event."""

    id: str
    kind: str
    start_us: int
    end_us: int
    caption: str | None


@dataclass(frozen=True)
class CaptionSpan:
    start_ms: int
    end_ms: int
    id: str
    text: str


def caption_spans(events: Iterable[CaptionEvent], duration_ms: int) -> list[CaptionSpan]:
    """The spans of the captioned events (in time order), by the rule above."""
    shown = [e for e in events if e.caption and e.kind != "end"]
    spans = []
    for i, ev in enumerate(shown):
        start = ev.start_us // 1000
        own = (ev.end_us - ev.start_us) // 1000
        limit = start + (own + HOLD_AFTER_MS if own > 0 else SILENT_CAPTION_MS)
        nxt = shown[i + 1].start_us // 1000 if i + 1 < len(shown) else duration_ms
        end = min(limit, nxt, duration_ms)
        if end > start:
            spans.append(CaptionSpan(start, end, ev.id, ev.caption or ""))
    return spans
