"""The event as an iCalendar file (RFC 5545), to share beside the poster.

Contract of :func:`event_ics`:

* one ``VEVENT``: start and end (start + show duration); in UTC (``...Z``)
  when the start has a timezone, else floating local time; ``SUMMARY`` the
  title; ``LOCATION`` the place and meeting point; ``DESCRIPTION`` the join
  URL, what to bring, the safety note and who organizes; ``URL`` the join URL;
  ``ORGANIZER`` when the contact is an e-mail address; a display alarm two
  hours before ("charge your phone, check your file");
* ``UID`` is ``<show_id>-<suffix>@flashmob``: importing the file again
  updates the event instead of duplicating it;
* ``DTSTAMP`` is the ``now`` given (the caller's clock), so output is a pure
  function of its inputs;
* text is escaped (``\\ ; , newline``), lines end in CRLF and are folded at 75
  octets without splitting a UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
import re

from .event import EventInfo
from .texts import labels

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ALARM_BEFORE = dt.timedelta(hours=2)


def escape_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """One content line, folded at 75 octets (continuation lines start with a space)."""
    out, cur, limit = [], b"", 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > limit:
            out.append(cur)
            cur, limit = b"", 74  # the leading space counts
        cur += b
    out.append(cur)
    return "\r\n ".join(part.decode("utf-8") for part in out)


def _stamp(t: dt.datetime) -> str:
    if t.tzinfo is None:
        return t.strftime("%Y%m%dT%H%M%S")
    return t.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def event_ics(info: EventInfo, join_url: str, *, now: dt.datetime, uid_suffix: str = "event") -> str:
    """The calendar file's text (see the module docstring); requires ``info.start``."""
    if info.start is None or info.end is None:
        raise ValueError("a calendar event needs the start time")
    t = labels(info.language)
    location = " — ".join(x for x in (info.place, info.meeting_point) if x)
    description = [info.title, "", t["calendar_join"].format(url=join_url),
                   t["calendar_bring"].format(bring=info.bring or t["default_bring"])]
    if info.meeting_point:
        description.append(t["calendar_meeting"].format(meeting=info.meeting_point))
    description.append(t["calendar_safety"].format(safety=info.safety or t["default_safety"]))
    if info.organizer_name or info.organizer_contact:
        description.append(t["calendar_organizer"].format(name=info.organizer_name or "",
                                                          contact=info.organizer_contact or ""))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//flashmob//flashmob qr//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "BEGIN:VEVENT",
             f"UID:{info.show_id or 'show'}-{uid_suffix}@flashmob",
             f"DTSTAMP:{_stamp(now.astimezone(dt.timezone.utc) if now.tzinfo else now)}",
             f"DTSTART:{_stamp(info.start)}", f"DTEND:{_stamp(info.end)}",
             f"SUMMARY:{escape_text(info.title)}"]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines += [f"DESCRIPTION:{escape_text(chr(10).join(description))}", f"URL:{join_url}"]
    contact = info.organizer_contact or ""
    if _EMAIL.match(contact):
        cn = escape_param(info.organizer_name or contact)
        lines.append(f"ORGANIZER;CN={cn}:mailto:{contact}")
    reminder = info.title + " — " + t["calendar_bring"].format(bring=info.bring or t["default_bring"])
    lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{escape_text(reminder)}",
              f"TRIGGER:-PT{int(ALARM_BEFORE.total_seconds() // 3600)}H", "END:VALARM",
              "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def escape_param(value: str) -> str:
    """A parameter value (``CN=...``): quoted, without the characters it cannot hold."""
    return '"' + value.replace('"', "'").replace("\n", " ").replace("\r", " ") + '"'
