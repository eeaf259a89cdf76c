"""Limits an organizer can understand, checked before anything is rendered (pure).

* :data:`MAX_SHOW_US` — a show lasts at most 12 hours. The longest real
  flashmobs ran about an hour; 12 h leaves room for an all-day sound walk
  while refusing a typo such as ``99999:00:00`` before the renderer spends
  hours on it (one group-hour of MP3 costs about 20 s of CPU here, see
  docs/benchmarks.md). :func:`show_length_error` names the cue that makes
  the show too long.
* :data:`MAX_LINE_CHARS` — one spoken line holds at most 5,000 characters
  (about 3–6 minutes of speech): longer texts are split into several cues.
* :func:`speech_fit_errors` — a spoken line must fit its slot: the time
  until the next spoken line of each of its groups and the end of the show.
  Before synthesis only the text is known, so the check uses the *fastest*
  plausible pace, :data:`FASTEST_CHARS_PER_SECOND`: 30 characters per second
  (spaces included) at voice rate 1.0, 20 % above the fastest line measured on
  the engines here (piper "joe" 23.6, espeak en-us 20.7, espeak fr 24.8;
  ``bench/speech_rate.py``). A line refused here would overrun with every
  voice; lines that fit this bound but overrun once synthesized are caught by
  the renderer with their real length (``tools/render/overruns.py``).
"""

from __future__ import annotations

from .errors import Diagnostic
from .timecode import format_time
from .timeline import Timeline

MAX_SHOW_US = 12 * 3600 * 1_000_000
MAX_LINE_CHARS = 5_000
FASTEST_CHARS_PER_SECOND = 30.0


def show_length_error(events: list[dict], end_us: int) -> Diagnostic | None:
    """The error for a show longer than :data:`MAX_SHOW_US`, at the earliest cue reaching past it."""
    if end_us <= MAX_SHOW_US:
        return None
    over = [e for e in events if e["start_us"] > MAX_SHOW_US or e["end_us"] > MAX_SHOW_US]
    # a cue starting past the limit (an `end` at 99999:00:00) before one merely running past it
    culprit = min(over, key=lambda e: (e["start_us"] <= MAX_SHOW_US, e["start_us"], e["loc"])) if over else None
    if culprit is None:
        return None
    return Diagnostic(culprit["loc"], f"the show would last {format_time(end_us)}, longer than the "
                                      f"{format_time(MAX_SHOW_US)} flashmob renders; this cue "
                                      f"{'starts' if culprit['start_us'] > MAX_SHOW_US else 'ends'} at "
                                      f"{format_time(culprit['start_us' if culprit['start_us'] > MAX_SHOW_US else 'end_us'])}"
                                      " (check its time)")


def shortest_speech_us(text: str, rate: float) -> int:
    """A lower bound of how long any engine takes to say ``text`` at voice ``rate``."""
    return int(len(text.strip()) / FASTEST_CHARS_PER_SECOND / rate * 1_000_000)


def _seconds(us: int) -> str:
    return f"{us / 1e6:.1f} s"


def speech_fit_errors(timeline: Timeline, allow_overlap: bool = False) -> list[Diagnostic]:
    """One error per spoken line that cannot fit before the next line of its groups or the show's end.

    Recorded clips of known length are checked with that length; synthesized
    lines with :func:`shortest_speech_us`. With ``allow_overlap`` only the end
    of the show bounds a line (it may run into the next one).
    """
    out: dict[tuple, Diagnostic] = {}
    for gt in timeline.groups:
        says = sorted((e for e in gt.events if e.kind == "say"), key=lambda e: e.start_us)
        for i, e in enumerate(says):
            if e.loc in out:
                continue
            if e.clip is not None:
                if e.estimated:
                    continue
                need = e.end_us - e.start_us
                how, pace = f"the recording lasts {_seconds(need)}", ""
            else:
                rate = e.voice.rate if e.voice is not None else 1.0
                need = shortest_speech_us(e.text, rate)
                how = f"its {len(e.text.strip())} characters need at least {_seconds(need)}"
                pace = (f" (at {FASTEST_CHARS_PER_SECOND * rate:g} characters per second, faster than any "
                        "voice here)")
            nxt = says[i + 1] if i + 1 < len(says) and not allow_overlap else None
            if nxt is not None and nxt.start_us < timeline.duration_us:
                slot_end, until = nxt.start_us, (f"the next spoken line of group '{gt.group.id}' "
                                                 f"(line {nxt.loc.line}, at {format_time(nxt.start_us)})")
            else:
                slot_end, until = timeline.duration_us, f"the end of the show at {format_time(timeline.duration_us)}"
            if e.start_us + need > slot_end:
                out[e.loc] = Diagnostic(e.loc, f"this line cannot fit its slot: {how}{pace}, but only "
                                               f"{_seconds(max(0, slot_end - e.start_us))} remain until {until}; "
                                               "shorten the text or move the next cue later")
    return list(out.values())
