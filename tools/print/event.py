"""What printed matter says about the event: read from the bundle manifest.

The manifest carries the score's ``event`` block (place, date, time, timezone,
meeting_point, bring, safety) and ``organizer`` (name, contact) — the
records of :mod:`flashmob.contract.manifest`, read through its parser.
:func:`event_info` turns them into an
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
from collections.abc import Mapping
from typing import Any

from flashmob.contract.duration import show_duration_ms
from flashmob.contract.manifest import Duration, Event, Manifest, ManifestError, Organizer, parse_part

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


def _text(value: str | None) -> str | None:
    if value is None:
        return None
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


def _parts(manifest: Manifest | Mapping[str, Any]) -> tuple[Event | None, Organizer | None, int, Manifest | None]:
    """(event, organizer, duration in ms, the record or None) of a manifest record or of (part of) its JSON."""
    if isinstance(manifest, Manifest):
        return manifest.event, manifest.organizer, manifest.duration_ms, manifest
    try:
        event = parse_part(Event, manifest["event"], "event") if manifest.get("event") is not None else None
        org = parse_part(Organizer, manifest["organizer"], "organizer") \
            if manifest.get("organizer") is not None else None
        raw = manifest.get("duration")
        duration = parse_part(Duration, raw, "duration") if raw is not None else Duration()
        rate = manifest.get("sample_rate")
    except ManifestError as exc:
        raise PrintError(str(exc)) from None
    ms = show_duration_ms(duration.samples, duration.ms, rate if type(rate) is int and rate > 0 else None)
    return event, org, ms or 0, None


def event_info(manifest: Manifest | Mapping[str, Any], start: str | None = None) -> EventInfo:
    """Event facts of a manifest (the record, or its JSON: only ``event``, ``organizer``,
    ``duration`` and the texts are read); ``start`` (ISO 8601, e.g. ``2026-12-05T18:00``)
    overrides the event's date and time."""
    event, org, ms, record = _parts(manifest)
    ev = event or Event()
    tz_name = _text(ev.timezone)
    tz = _zone(tz_name) if tz_name else None
    if start:
        when = _parse_start(start, tz)
    else:
        when = _start_from_event(_text(ev.date), _text(ev.time), tz)
        if when is None and _text(ev.starts):  # an ISO date-time, as some hand-made bundles have
            when = _parse_start(_text(ev.starts) or "", tz, what="event.starts")
    if record is not None:
        show_id, title, language = record.show_id, record.title, record.language
    else:
        show_id, title, language = manifest.get("show_id", ""), manifest.get("title", ""), manifest.get("language")
    o = org or Organizer()
    return EventInfo(
        show_id=str(show_id), title=str(title).strip(), language=str(language or "en"), duration_ms=ms,
        has_event_block=event is not None,
        place=_text(ev.place), meeting_point=_text(ev.meeting_point), bring=_text(ev.bring), safety=_text(ev.safety),
        timezone=tz_name, start=when, organizer_name=_text(o.name), organizer_contact=_text(o.contact))


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
