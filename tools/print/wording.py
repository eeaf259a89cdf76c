"""The words of a poster or flyer, decided once from the event (pure).

:func:`wording` turns an :class:`EventInfo`, a join URL and optionally a group
into a :class:`Wording`: every string the layouts draw, already formatted in
the score's language (dates, times, defaults for ``bring`` and ``safety``),
plus the accent colour. Posters and flyers differ in layout only, never in
what they say. Requires a printable event (:func:`~tools.print.event.missing_for_print`
is empty); raises ValueError otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .event import EventInfo
from .texts import clock, labels, long_date

ACCENT = "#1d2a4d"       # night blue: the band of a general poster
HIGHLIGHT = "#f2a516"    # amber: the tagline and step numbers on the dark band
EARLY = dt.timedelta(minutes=15)
"""How long before the start people are asked to be there (phones join and sync)."""


@dataclass(frozen=True)
class Wording:
    language: str
    tagline: str
    title: str
    time: str                 # "18:00"
    weekday: str              # "samedi"
    date: str                 # "5 décembre 2026"
    timezone: str | None      # "heure de Europe/Paris"
    place: str
    meeting_label: str
    meeting: str | None
    how: str
    steps: tuple[str, str, str]
    bring_label: str
    bring: str
    safety_label: str
    safety: str
    organized_by: str         # "Organisé par Collectif Agitato"
    contact: str
    scan: str                 # caption under the QR
    url: str
    group_label: str | None   # "Groupe Rouges" on a group's poster
    accent: str               # "#rrggbb"


def wording(info: EventInfo, url: str, *, group_name: str | None = None, group_colour: str | None = None,
            scan_key: str = "scan_to_join") -> Wording:
    if info.start is None or info.place is None or info.organizer_name is None or info.organizer_contact is None:
        raise ValueError("the event is not printable (see tools.print.event.missing_for_print)")
    t = labels(info.language)
    start = info.start
    day = long_date(start.date(), info.language)
    weekday, _, rest = day.partition(" ")
    return Wording(
        language=info.language,
        tagline=t["tagline"],
        title=info.title,
        time=clock(start),
        weekday=weekday,
        date=rest,
        timezone=(t["tz_note"].format(tz=info.timezone_label) if info.timezone else info.timezone_label),
        place=info.place,
        meeting_label=t["meeting_point"],
        meeting=info.meeting_point,
        how=t["how"],
        steps=(t["step_scan"], t["step_come"].format(early=clock(start - EARLY)),
               t["step_play"].format(time=clock(start))),
        bring_label=t["bring"],
        bring=info.bring or t["default_bring"],
        safety_label=t["safety"],
        safety=info.safety or t["default_safety"],
        organized_by=f"{t['organized_by']} {info.organizer_name}",
        contact=info.organizer_contact,
        scan=t[scan_key],
        url=url,
        group_label=f"{t['group']} {group_name}" if group_name else None,
        accent=group_colour or ACCENT)
