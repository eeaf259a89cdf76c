"""The calendar file, read back with a real iCalendar parser."""

import dataclasses
import datetime as dt

from flashmob.tools.print.ics import escape_text, event_ics, fold

from .conftest import french_info

NOW = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.timezone.utc)
URL = "https://mob.example.org/?g=rouges&k=Td0vJt_Nq2zRh4tiSVEWoz"


def parse(text):
    import icalendar

    cal = icalendar.Calendar.from_ical(text)
    return cal.walk("VEVENT")[0]


def test_round_trips_through_icalendar():
    text = event_ics(french_info(), URL, now=NOW, uid_suffix="rouges")
    ev = parse(text)
    assert ev.decoded("DTSTART") == dt.datetime(2026, 6, 13, 16, 30, tzinfo=dt.timezone.utc)  # 18:30 in Paris
    assert ev.decoded("DTEND") - ev.decoded("DTSTART") == dt.timedelta(minutes=20, seconds=3)
    assert str(ev["SUMMARY"]) == "Apéro géant à Besançon"
    assert str(ev["LOCATION"]) == "Place de la Révolution, Besançon — Devant le musée des Beaux-Arts"
    assert URL in str(ev["DESCRIPTION"]) and str(ev["URL"]) == URL
    assert "Les Amis de l’Apéro (amis@example.org)" in str(ev["DESCRIPTION"])
    assert str(ev["UID"]) == "0123456789abcdef-rouges@flashmob"
    assert str(ev["ORGANIZER"]) == "mailto:amis@example.org"
    assert [str(a["TRIGGER"].to_ical(), "ascii") if hasattr(a["TRIGGER"], "to_ical") else a["TRIGGER"]
            for a in ev.walk("VALARM")] == ["-PT2H"]


def test_wire_format():
    text = event_ics(dataclasses.replace(french_info(), title="Ünïcode, ; \\ " * 12), URL, now=NOW)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "DTSTAMP:20260501T090000Z" in text
    assert str(parse(text)["SUMMARY"]) == "Ünïcode, ; \\ " * 12
    assert text == event_ics(dataclasses.replace(french_info(), title="Ünïcode, ; \\ " * 12), URL, now=NOW)


def test_floating_time_without_timezone_and_no_organizer_for_a_phone_contact():
    info = dataclasses.replace(french_info(), start=dt.datetime(2026, 6, 13, 18, 30), timezone=None,
                               organizer_contact="06 12 34 56 78")
    text = event_ics(info, URL, now=NOW)
    assert "DTSTART:20260613T183000\r\n" in text and "ORGANIZER" not in text
    assert parse(text).decoded("DTSTART") == dt.datetime(2026, 6, 13, 18, 30)


def test_escaping_and_folding_helpers():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "X:" + "é" * 100
    folded = fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
