"""The score's optional ``surprise`` block: the groups are a surprise until a reveal.

```yaml
surprise:
  reveal: meet        # a cue id (the reveal is when that cue starts),
                      # a time from the show's start (reveal: 12:30),
                      # or never (the phone never shows its group)
```

:func:`read_surprise` reads it from the score's top-level :class:`Fields`
like every other block (a problem is a diagnostic at the value's
``file:line:col`` saying what was expected; unknown keys get a "did you
mean"); the named cue must be a cue of the top-level ``cues`` list (a cue
inside a section may be played several times: it has no one time).
:func:`reveal_us` gives the reveal's position in the compiled timeline, and
:func:`check_reveal` (called by the compiler) refuses a reveal after the end.

A group may name its symbol (``groups: {red: {symbol: star}}``, one of
:data:`~flashmob.contract.symbols.SYMBOLS`): the reveal shows the name, the
colour and the symbol, never the colour alone.
"""

from __future__ import annotations

import re

from flashmob.contract.symbols import SYMBOLS

from .errors import Diagnostics, Loc, did_you_mean, one_of
from .fields import Fields, describe
from .model import Cue, Score, Surprise
from .source import Scalar
from .timecode import TimeFormatError, format_time, parse_time
from .timeline import Timeline

KEYS = ("reveal",)
NEVER = "never"
_EXPECTED = "a cue id (the reveal is when it starts), a time such as 12:30, or never"


def read_surprise(f: Fields, cues: tuple[Cue, ...]) -> Surprise | None:
    """The ``surprise`` block of the score read by ``f`` (None when absent);
    ``cues`` are the top-level cues a ``reveal`` may name."""
    node = f.mapping("surprise", hint="e.g. 'surprise: {reveal: meet}'")
    if node is None:
        return None
    s = Fields(node, f.diags, "the surprise block")
    value = s.raw("reveal")
    s.finish(KEYS)
    if value is None:
        s.missing("reveal", _EXPECTED)
        return None
    if not isinstance(value, Scalar) or value.is_null or not value.text.strip():
        s.bad("reveal", _EXPECTED)
        return None
    word = value.text.strip()
    if word.lower() == NEVER:
        return Surprise(reveal_cue=None, reveal_at=None, loc=node.loc)
    if word[:1].isdigit():
        try:
            return Surprise(reveal_cue=None, reveal_at=parse_time(word), loc=value.loc)
        except TimeFormatError as exc:
            f.diags.error(value.loc, f"'reveal': {exc}")
            return None
    ids = tuple(c.id for c in cues if c.id is not None)
    if word not in ids:
        hint = did_you_mean(word, ids) if ids else ""
        known = f"; the top-level cues with an id are {one_of(ids)}" if ids else \
            "; give the reveal cue an 'id' in the top-level 'cues' list"
        f.diags.error(value.loc, f"'reveal' names no top-level cue: {describe(value)}{known}{hint}")
        return None
    return Surprise(reveal_cue=word, reveal_at=None, loc=value.loc)


def read_symbol(g: Fields) -> str | None:
    """A group's ``symbol`` (None when absent or wrong: the wrong one is reported)."""
    value = g.text("symbol")
    if value is not None and value.lower() not in SYMBOLS:
        g.bad("symbol", f"one of {one_of(SYMBOLS)}")
        return None
    return value.lower() if value is not None else None


def _of_cue(event_id: str, cue_id: str) -> bool:
    """Is ``event_id`` an event a top-level cue ``cue_id`` made (a countdown's numbers, a play's cues)?"""
    return event_id == cue_id or event_id.startswith((cue_id + ".", cue_id + "["))


def reveal_us(score: Score, timeline: Timeline) -> int | None:
    """The reveal's position in µs from the show's start (None: never, or not a surprise)."""
    s = score.surprise
    if s is None or (s.reveal_cue is None and s.reveal_at is None):
        return None
    if s.reveal_at is not None:
        return s.reveal_at
    starts = [e.start_us for g in timeline.groups for e in g.events if _of_cue(e.id, s.reveal_cue)]
    return min(starts) if starts else None


def _naming(text: str | None, score: Score) -> str | None:
    """The first group name (or id of 3+ characters) ``text`` says as a word, case-insensitively."""
    if not text:
        return None
    for g in score.groups:
        for word in (g.name, g.id):
            if len(word) >= 3 and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
                return word
    return None


def check_reveal(score: Score, events: list[dict], end_us: int, diags: Diagnostics) -> None:
    """The reveal must happen while the show is on (compiler hook; ``events`` as the compiler holds
    them); a caption or a spoken line before the reveal that names a group is a warning: the page
    hides the group, the words would tell it."""
    s = score.surprise
    if s is None:
        return
    loc: Loc = s.loc
    starts = [e["start_us"] for e in events if s.reveal_cue is not None and _of_cue(e["id"], s.reveal_cue)]
    reveal = s.reveal_at if s.reveal_at is not None else (min(starts) if starts else None)
    warned: set[Loc] = set()
    for e in events:
        if (reveal is not None and e["start_us"] >= reveal) or e["loc"] in warned:
            continue
        word = _naming(e.get("caption"), score) or _naming(e.get("text"), score)
        if word is not None:
            warned.add(e["loc"])
            when = "the reveal" if reveal is not None else "the groups are never revealed"
            diags.warning(e["loc"], f"this cue names the group '{word}' before {when}: the phone hides the "
                                    "group, these words would tell it (docs/score-format.md, 'surprise')")
    if s.reveal_at is not None and s.reveal_at > end_us:
        diags.error(loc, f"the reveal at {format_time(s.reveal_at)} is after the end of the show "
                         f"({format_time(end_us)})")
    if s.reveal_cue is not None and not any(_of_cue(e["id"], s.reveal_cue) for e in events):
        diags.error(loc, f"the reveal cue '{s.reveal_cue}' makes no event (is it after the end?)")
