"""What printed matter says about the event: read from the bundle manifest.

The manifest carries the score's ``event`` block (place, date, time, timezone,
meeting_point, bring, safety) and ``organizer`` (name, contact) — see
``tools/render/manifest.py``. :func:`event_info` turns them into an
:class:`EventInfo` with the start as a ``datetime`` (timezone-aware when the
score names a timezone or ``--start`` carries an offset).

Contract:

* :func:`event_info` raises :class:`PrintError` for values that are wrong
  (a date that is not ``YYYY-MM-DD``, an unknown timezone, a bad ``--start``),
  naming the field.
* :func:`missing_for_print` lists what is *absent* but needed to print a
  poster people can act on — where, when, who organizes and how to reach
  them — each as a sentence saying how to fix it. Empty means printable.
* :func:`advice` lists what is absent but has a sensible default (bring,
  safety) or looks wrong (a date in the past), for warnings on stderr.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .errors import PrintError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


@dataclass(frozen=True)
class EventInfo:
    show_id: str
    title: str
    language: str
    duration_ms: int
    has_event_block: bool = False
    place: str | None = None
    meeting_point: str | None = None
    bring: str | None = None
    safety: str | None = None
    timezone: str | None = None      # IANA name as written in the score
    start: dt.datetime | None = None
    organizer_name: str | None = None
    organizer_contact: str | None = None

    @property
    def end(self) -> dt.datetime | None:
        return self.start + dt.timedelta(milliseconds=self.duration_ms) if self.start else None

    @property
    def timezone_label(self) -> str | None:
        """The timezone to print beside times: the city of the IANA name (``Paris``,
        ``New York``), or ``UTC+01:00`` for a ``--start`` with an offset."""
        if self.timezone:
            return self.timezone.rsplit("/", 1)[-1].replace("_", " ")  # Europe/Paris -> Paris
        if self.start is not None and self.start.tzinfo is not None:
            return "UTC" + self.start.strftime("%z")[:3] + ":" + self.start.strftime("%z")[3:]
        return None


def _text(obj: dict, key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise PrintError(f"manifest.json: {where}.{key} must be text, not {type(value).__name__}")
    value = " ".join(value.split())
    return value or None


def _zone(name: str):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PrintError(f"unknown timezone {name!r} in the score's event block (an IANA name such as "
                         "Europe/Paris; on a machine without timezone data, pip install tzdata)") from None


def _parse_start(text: str, tz, what: str = "--start") -> dt.datetime:
    try:
        start = dt.datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise PrintError(f"{what} {text!r} is not a date and time like 2026-12-05T18:00") from None
    if start.tzinfo is None:
        return start.replace(tzinfo=tz) if tz is not None else start
    return start.astimezone(tz) if tz is not None else start


def _start_from_event(date: str | None, time: str | None, tz) -> dt.datetime | None:
    if date is None or time is None:
        return None
    if not _DATE.match(date):
        raise PrintError(f"the event date {date!r} is not YYYY-MM-DD")
    if not _TIME.match(time):
        raise PrintError(f"the event time {time!r} is not HH:MM")
    try:
        parts = [int(p) for p in time.split(":")]
        start = dt.datetime.combine(dt.date.fromisoformat(date), dt.time(*parts))
    except ValueError:
        raise PrintError(f"the event date and time {date} {time} do not exist") from None
    return start.replace(tzinfo=tz) if tz is not None else start


def event_info(manifest: dict[str, Any], start: str | None = None) -> EventInfo:
    """Event facts of a manifest; ``start`` (ISO 8601, e.g. ``2026-12-05T18:00``)
    overrides the event's date and time."""
    event = manifest.get("event")
    org = manifest.get("organizer")
    if event is not None and not isinstance(event, dict):
        raise PrintError("manifest.json: event must be an object")
    if org is not None and not isinstance(org, dict):
        raise PrintError("manifest.json: organizer must be an object")
    ev = event or {}
    tz_name = _text(ev, "timezone", "event")
    tz = _zone(tz_name) if tz_name else None
    if start:
        when = _parse_start(start, tz)
    else:
        when = _start_from_event(_text(ev, "date", "event"), _text(ev, "time", "event"), tz)
        if when is None and _text(ev, "starts", "event"):  # an ISO date-time, as some hand-made bundles have
            when = _parse_start(_text(ev, "starts", "event") or "", tz, what="event.starts")
    duration = manifest.get("duration") or {}
    ms = duration.get("ms") if isinstance(duration, dict) else None
    if not isinstance(ms, int) and isinstance(duration, dict) and isinstance(duration.get("samples"), int):
        ms = duration["samples"] * 1000 // int(manifest.get("sample_rate") or 44100)
    return EventInfo(
        show_id=str(manifest.get("show_id", "")), title=str(manifest.get("title", "")).strip(),
        language=str(manifest.get("language") or "en"), duration_ms=int(ms or 0),
        has_event_block=event is not None,
        place=_text(ev, "place", "event"), meeting_point=_text(ev, "meeting_point", "event"),
        bring=_text(ev, "bring", "event"), safety=_text(ev, "safety", "event"),
        timezone=tz_name, start=when,
        organizer_name=_text(org or {}, "name", "organizer"),
        organizer_contact=_text(org or {}, "contact", "organizer"))


def missing_for_print(info: EventInfo) -> list[str]:
    """Sentences naming what a poster needs and the bundle lacks (see module docstring)."""
    out = []
    if not info.has_event_block:
        out.append("the score has no event block: add `event:` with place, date, time and timezone "
                   "(docs/score-format.md), then render again")
    else:
        if info.place is None:
            out.append("the event has no place: add `place:` to the score's event block")
    if info.start is None and info.has_event_block:
        out.append("the event has no date and time: add `date:` and `time:` to the score's event block, "
                   "or pass --start 2026-12-05T18:00")
    elif info.start is None:
        out.append("without an event block there is no date and time either (or pass --start 2026-12-05T18:00)")
    if info.organizer_name is None:
        out.append("the score names no organizer: add `organizer: {name: ..., contact: ...}` — "
                   "printed matter must say who organizes")
    if info.organizer_contact is None:
        out.append("the organizer has no contact: add `contact:` (an e-mail address, phone or handle) to "
                   "`organizer:` — people and the authorities must be able to reach you")
    return out


def advice(info: EventInfo, now: dt.datetime) -> list[str]:
    """Warnings that do not stop printing (see module docstring)."""
    out = []
    if info.has_event_block:
        if info.safety is None:
            out.append("the event has no `safety:` note; printing a generic one")
        if info.bring is None:
            out.append("the event has no `bring:` line; printing \"a charged phone and headphones\"")
        if info.meeting_point is None:
            out.append("the event has no `meeting_point:`; the place alone will be printed")
    if info.start is not None:
        if info.start.tzinfo is None:
            out.append("the event has no timezone: times are printed as local wall-clock time and the "
                       "calendar event floats with the reader's timezone")
        else:
            if info.start < now.astimezone(dt.timezone.utc):
                out.append(f"the event start {info.start.isoformat()} is in the past")
    return out
