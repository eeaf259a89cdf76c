"""WebVTT captions of one group's instructions (pure).

Every event with a caption becomes one cue: from its start until the next
caption starts, and never longer than its own audio plus
:data:`HOLD_AFTER_S` (a caption-only cue lasts :data:`SILENT_CAPTION_S`).
The ``end`` cue is not a caption (the phone shows its end screen).
Text is escaped as WebVTT requires (``&``, ``<``, ``>``; ``-->`` cannot
appear in a cue).
"""

from __future__ import annotations

from flashmob.tools.score.timeline import GroupTimeline

HOLD_AFTER_S = 2.0
SILENT_CAPTION_S = 8.0


def vtt_timestamp(ms: int) -> str:
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("-->", "--&gt;").replace("\r", "")


def caption_spans(group: GroupTimeline, duration_ms: int) -> list[tuple[int, int, str, str]]:
    """[(start_ms, end_ms, event_id, text)] in time order, non-overlapping."""
    events = [e for e in group.events if e.caption and e.kind != "end"]
    spans = []
    for i, ev in enumerate(events):
        start = ev.start_us // 1000
        own = (ev.end_us - ev.start_us) // 1000
        limit = start + (own + int(HOLD_AFTER_S * 1000) if own > 0 else int(SILENT_CAPTION_S * 1000))
        nxt = events[i + 1].start_us // 1000 if i + 1 < len(events) else duration_ms
        end = min(limit, nxt, duration_ms)
        if end > start:
            spans.append((start, end, ev.id, ev.caption))
    return spans


def webvtt(group: GroupTimeline, duration_ms: int, title: str) -> str:
    """The WebVTT file text for one group."""
    lines = ["WEBVTT - " + escape(title).replace("\n", " "), ""]
    for start, end, cue_id, text in caption_spans(group, duration_ms):
        lines += [cue_id.replace("-->", "->"), f"{vtt_timestamp(start)} --> {vtt_timestamp(end)}",
                  escape(text).strip() or "…", ""]
    return "\n".join(lines)
