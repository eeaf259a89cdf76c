"""What the file for the authorities says, decided once from the bundle (pure).

:func:`dossier` turns the bundle's manifest, its private safety file
(:mod:`flashmob.contract.safety`, ``None`` when the score has no ``safety``
block) and the command's options into a :class:`Dossier`: every text of the
PDF, already in its language (English or French), and the list of facts
that are missing. The layout (:mod:`tools.print.dossierpdf`) only places it.

Contract:

* Nothing is invented. A fact the show does not have is shown as "to
  complete" where it belongs, and :attr:`Dossier.to_complete` lists each one
  with what to add to the score (or which option to pass).
* Expected attendance, :class:`Attendance`: the sign-ups when they are known
  (``signups``: the conductor's sign-up count, for when the conductor keeps
  sign-ups), else the admission limit (``--capacity``, as given to
  ``flashmob serve``), else the organizer's estimate (``safety.expected``);
  the dossier says which one it used, and also prints the others it knows.
* The delay of an urgent message or a stop is the measured figure of
  :mod:`tools.print.reach` (docs/benchmarks.md), cited with its section, table
  and command.
* Raises :class:`~tools.print.errors.PrintError` for a bad ``--start`` or
  timezone (from :func:`tools.print.event.event_info`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flashmob.contract.manifest import Manifest
from flashmob.contract.safety import SafetyFile
from flashmob.tools.score.timeline import Timeline

from . import reach
from .dossiertexts import dossier_labels
from .event import EventInfo, event_info
from .programme import movements, timeline_of
from .texts import clock, duration_text, lang_key, long_date


@dataclass(frozen=True)
class Attendance:
    signups: int | None = None       # people signed up (the conductor's sign-ups), when known
    capacity: int | None = None      # the admission limit: flashmob serve --capacity
    expected: int | None = None      # the organizer's estimate: the score's safety.expected

    @property
    def figure(self) -> tuple[int, str] | None:
        """(number, source) where source is ``signups``, ``capacity`` or ``expected``."""
        for source in ("signups", "capacity", "expected"):
            value = getattr(self, source)
            if value is not None:
                return value, source
        return None


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    missing: bool = False            # shown as "to complete"


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...] = ()
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()      # paragraphs after the bullets


@dataclass(frozen=True)
class MovementRow:
    time: str
    groups: str
    text: str
    meeting: bool


@dataclass(frozen=True)
class Dossier:
    language: str                    # "en" or "fr"
    title: str                       # the show's title
    heading: str
    intro: str
    sections: tuple[Section, ...]    # organizer, event, attendance, safety, alerts
    programme: Section
    movements_title: str
    movement_columns: tuple[str, str, str]
    movements: tuple[MovementRow, ...]
    plan_title: str
    timeline: Timeline
    complete_title: str
    complete_intro: str
    complete_notice: str             # first page, when something is missing
    to_complete: tuple[str, ...]
    page_label: str                  # "Page {n}"
    restricted: str | None = None    # a surprise show's "organizers only" notice (first page, in red)


def _number(n: int, language: str) -> str:
    text = f"{n:,}"
    return text.replace(",", "\u202f") if language == "fr" else text


def _at(info: EventInfo, ms: int) -> str:
    """A moment of the show: the clock time when the start is known, else ``+m:ss``."""
    if info.start is not None:
        return clock(info.start + dt.timedelta(milliseconds=ms), seconds=True)
    s = ms // 1000
    return f"+{s // 60}:{s % 60:02d}"


MEETING_TEXT_WITHIN_MS = 10_000
"""A meeting is described by the first shared instruction that starts within this time of it (a
countdown's numbers are not instructions: its meeting is described by what the beat says)."""


def _meeting(t: dict[str, str], info: EventInfo, ms: int, moves) -> str:
    text = next((m.text for m in moves if m.meeting and ms <= m.at_ms <= ms + MEETING_TEXT_WITHIN_MS), None)
    return t["meeting_at"].format(time=_at(info, ms), text=text) if text else _at(info, ms)


class _Builder:
    def __init__(self, t: dict[str, str], language: str):
        self.t, self.language = t, language
        self.missing: list[str] = []

    def row(self, label_key: str, value: str | None, missing_key: str | None = None) -> Row:
        if value:
            return Row(self.t[label_key], value)
        if missing_key and self.t[missing_key] not in self.missing:
            self.missing.append(self.t[missing_key])
        return Row(self.t[label_key], self.t["missing_value"], missing=True)


def _attendance_section(b: _Builder, att: Attendance) -> tuple[Section, int | None]:
    t, lang = b.t, b.language
    fig = att.figure
    if fig is None:
        return Section(t["s_attendance"], (b.row("attendance", None, "m_attendance"),)), None
    n, source = fig
    why = t["from_" + source].format(n=_number(n, lang))
    rows = [Row(t["attendance"], f"{t['people'].format(n=_number(n, lang))}, {why}")]
    if source != "capacity" and att.capacity is not None:
        rows.append(Row(t["also_capacity"], _number(att.capacity, lang)))
    if source != "expected" and att.expected is not None:
        rows.append(Row(t["also_expected"], _number(att.expected, lang)))
    return Section(t["s_attendance"], tuple(rows)), n


def _safety_section(b: _Builder, safety: SafetyFile | None, info: EventInfo) -> Section:
    t, lang = b.t, b.language
    if safety is None:
        b.missing.append(t["m_safety"])
        rows = [Row(t[k], t["missing_value"], missing=True) for k in ("stewards", "first_aid", "water", "exits",
                                                                        "console")]
    else:
        st = safety.stewards
        parts = []
        if st is not None and st.count is not None:
            parts.append(t["stewards_n"].format(n=_number(st.count, lang)))
        if st is not None and st.note:
            parts.append(st.note)
        rows = [b.row("stewards", ", ".join(parts) or None, "m_stewards"),
                b.row("steward_lead", st.lead if st else None, "m_steward_lead"),
                b.row("first_aid", safety.first_aid, "m_first_aid"),
                b.row("water", safety.water, "m_water"),
                b.row("exits", "; ".join(safety.exits) or None, "m_exits"),
                b.row("console", safety.console, "m_console")]
    if info.safety:
        rows.append(Row(t["participant_note"], info.safety))
    return Section(t["s_safety"], tuple(rows))


def _alert_section(t: dict[str, str], lang: str, attendance: int | None) -> Section:
    def ms(v: float) -> str:
        return _number(round(v), lang)
    bullets = tuple(t["alert_row"].format(phones=_number(f.phones, lang), ms=ms(f.last_phone_ms))
                    for f in reach.FIGURES)
    paras = [t["alert_how"], t["alert_measured"].format(section=reach.SECTION, table=reach.TABLE,
                                                        command=reach.COMMAND)]
    after = []
    r = reach.reach_for(attendance)
    if r.figure is not None and attendance is not None:
        after.append(t["alert_applies"].format(n=_number(attendance, lang), ms=ms(r.figure.last_phone_ms),
                                               phones=_number(r.figure.phones, lang)))
    if r.beyond_healthy:
        after.append(t["alert_beyond"].format(n=_number(attendance or 0, lang),
                                              healthy=_number(reach.HEALTHY_PHONES, lang),
                                              largest=_number(reach.FIGURES[-1].phones, lang)))
    after.append(t["alert_caveats"])
    return Section(t["s_alert"], (), tuple(paras), bullets, tuple(after))


def dossier(manifest: Manifest, safety: SafetyFile | None, *, language: str | None = None,
            start: str | None = None, capacity: int | None = None, signups: int | None = None) -> Dossier:
    """The dossier of a show (see the module docstring); ``language`` overrides the manifest's."""
    info = event_info(manifest, start)
    lang = lang_key(language or info.language)
    t = dossier_labels(lang)
    b = _Builder(t, lang)

    organizer = Section(t["s_organizer"], (b.row("organizer", info.organizer_name, "m_organizer"),
                                           b.row("contact", info.organizer_contact, "m_contact")))
    tz = t["tz"].format(tz=info.timezone_label) if info.timezone_label else None
    if info.start is not None and info.timezone_label is None:
        b.missing.append(t["m_timezone"])
    when = info.start
    moves = movements(manifest)
    meetings = [_meeting(t, info, ms, moves) for ms in manifest.meetings_ms]
    event_rows = [Row(t["title"], info.title),
                  b.row("date", long_date(when.date(), lang) if when else None, "m_date"),
                  b.row("start", (clock(when) + (f" ({tz})" if tz else "")) if when else None, "m_date"),
                  Row(t["duration"], duration_text(info.duration_ms)),
                  b.row("end", (clock(info.end) + (f" ({tz})" if tz else "")) if info.end else None, "m_date"),
                  b.row("place", info.place, "m_place"),
                  b.row("meeting_point", info.meeting_point, "m_meeting")]
    if meetings:
        event_rows.append(Row(t["meetings"], "\n".join(meetings)))
    event = Section(t["s_event"], tuple(event_rows))

    attendance, expected_n = _attendance_section(
        b, Attendance(signups=signups, capacity=capacity, expected=safety.expected if safety else None))
    safety_section = _safety_section(b, safety, info)
    names = {g.id: g.name for g in manifest.groups}
    every = len(manifest.groups)
    rows = tuple(MovementRow(_at(info, m.at_ms),
                             t["everyone"] if len(m.groups) == every and every > 1 else
                             ", ".join(names[g] for g in m.groups),
                             m.text, m.meeting) for m in moves)
    programme = Section(t["s_programme"], paragraphs=(t["programme_intro"].format(
        duration=duration_text(info.duration_ms)),))
    return Dossier(
        language=lang, title=info.title, heading=t["heading"], intro=t["intro"].format(show_id=info.show_id),
        sections=(organizer, event, attendance, safety_section, _alert_section(t, lang, expected_n)),
        programme=programme, movements_title=t["movements"],
        movement_columns=(t["col_time"], t["col_groups"], t["col_what"]),
        movements=rows, plan_title=t["plan_title"], timeline=timeline_of(manifest),
        complete_title=t["s_complete"],
        complete_intro=t["complete_intro"] if b.missing else t["nothing_missing"],
        complete_notice=t["complete_notice"].format(n=len(b.missing)),
        to_complete=tuple(b.missing), page_label=t["page"],
        restricted=t["surprise"] if manifest.surprise is not None else None)


__all__ = ["Attendance", "Row", "Section", "MovementRow", "Dossier", "dossier"]
