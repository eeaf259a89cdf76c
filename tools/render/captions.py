"""WebVTT captions of one group's instructions (pure).

Every event with a caption becomes one cue, timed by the contract's caption
rule (:mod:`flashmob.contract.captions`: from its start until the next
caption starts, never longer than its own audio plus 2 s, 8 s for a
caption-only cue; the ``end`` cue is not a caption) — the same spans the
manifest's cues carry to the phones. Text is escaped as WebVTT requires (``&``, ``<``, ``>``; ``-->`` cannot
appear in a cue).
"""

from __future__ import annotations

from flashmob.contract import captions as rule
from flashmob.tools.score.timeline import GroupTimeline

HOLD_AFTER_S = rule.HOLD_AFTER_MS / 1000
SILENT_CAPTION_S = rule.SILENT_CAPTION_MS / 1000


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
    return [(s.start_ms, s.end_ms, s.id, s.text) for s in rule.caption_spans(group.events, duration_ms)]


def webvtt(group: GroupTimeline, duration_ms: int, title: str, *, numbered: bool = False) -> str:
    """The WebVTT file text for one group; ``numbered``: cue identifiers ``c1``, ``c2``... instead of
    the score's cue ids (a surprise show's: an id may name the group)."""
    lines = ["WEBVTT - " + escape(title).replace("\n", " "), ""]
    for n, (start, end, cue_id, text) in enumerate(caption_spans(group, duration_ms), 1):
        lines += [f"c{n}" if numbered else cue_id.replace("-->", "->"), f"{vtt_timestamp(start)} --> {vtt_timestamp(end)}",
                  escape(text).strip() or "…", ""]
    return "\n".join(lines)
