"""Event facts from a manifest: start time, timezone, what a poster lacks."""

import datetime as dt

import pytest

from flashmob.tools.print.errors import PrintError
from flashmob.tools.print.event import advice, event_info, missing_for_print

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)


def manifest(**over):
    m = {"show_id": "abc", "title": "Apéro géant à Besançon", "language": "fr", "duration": {"ms": 180_000},
         "event": {"place": "Place de la Révolution", "date": "2026-12-05", "time": "18:00",
                   "timezone": "Europe/Paris", "meeting_point": "Devant le musée", "bring": "Écouteurs",
                   "safety": "Pas d’alcool"},
         "organizer": {"name": "Les Amis", "contact": "amis@example.org"}}
    m.update(over)
    return m


def test_start_is_aware_in_the_event_timezone():
    info = event_info(manifest())
    assert info.start == dt.datetime(2026, 12, 5, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert info.start.utcoffset() == dt.timedelta(hours=1)
    assert info.end - info.start == dt.timedelta(minutes=3)
    assert info.timezone_label == "Paris"
    assert missing_for_print(info) == [] and advice(info, NOW) == []


def test_summer_time_is_applied():
    info = event_info(manifest(event={"date": "2026-06-13", "time": "18:30", "timezone": "Europe/Paris"}))
    assert info.start.utcoffset() == dt.timedelta(hours=2)


def test_start_override_uses_the_event_timezone_or_its_own_offset():
    assert event_info(manifest(), "2026-12-06T19:30").start.isoformat() == "2026-12-06T19:30:00+01:00"
    assert event_info(manifest(), "2026-12-06 19:30:15").start.second == 15
    info = event_info(manifest(event=None), "2026-12-06T19:30+02:00")
    assert info.start.utcoffset() == dt.timedelta(hours=2) and info.timezone_label == "UTC+02:00"
    # an offset given for an event with a timezone: shown in the event's timezone
    assert event_info(manifest(), "2026-12-06T18:30Z").start.hour == 19


def test_starts_field_of_hand_made_bundles():
    info = event_info(manifest(event={"place": "Square", "starts": "2026-12-05T18:00:00+01:00"}))
    assert info.start.isoformat() == "2026-12-05T18:00:00+01:00"


@pytest.mark.parametrize("event,start,needle", [
    ({"date": "5/12/2026", "time": "18:00"}, None, "YYYY-MM-DD"),
    ({"date": "2026-12-05", "time": "6pm"}, None, "HH:MM"),
    ({"date": "2026-02-30", "time": "18:00"}, None, "do not exist"),
    ({"date": "2026-12-05", "time": "18:00", "timezone": "Mars/Olympus"}, None, "unknown timezone"),
    ({}, "tomorrow evening", "--start"),
    ({"place": ["a", "list"]}, None, "event.place must be text"),
])
def test_wrong_values_name_the_field(event, start, needle):
    with pytest.raises(PrintError, match=needle):
        event_info(manifest(event=event), start)


def test_missing_event_block_says_how_to_fix_it():
    problems = missing_for_print(event_info(manifest(event=None)))
    text = "\n".join(problems)
    assert "no event block" in text and "--start" in text
    assert not missing_for_print(event_info(manifest(event={"place": "Square"}), "2026-12-05T18:00"))


def test_missing_contact_and_organizer():
    info = event_info(manifest(organizer={"name": "Les Amis"}))
    assert len(missing_for_print(info)) == 1 and "contact" in missing_for_print(info)[0]
    info = event_info(manifest(organizer=None))
    assert any("organizer" in p for p in missing_for_print(info))
    assert any("contact" in p for p in missing_for_print(info))


def test_missing_place_and_time():
    info = event_info(manifest(event={"timezone": "Europe/Paris"}))
    text = "\n".join(missing_for_print(info))
    assert "no place" in text and "date and time" in text


def test_advice_for_defaults_and_past_events():
    info = event_info(manifest(event={"place": "Square", "date": "2026-12-05", "time": "18:00"}))
    notes = "\n".join(advice(info, NOW))
    assert "safety" in notes and "bring" in notes and "meeting_point" in notes and "timezone" in notes
    past = event_info(manifest(event={"place": "S", "date": "2020-01-01", "time": "10:00", "timezone": "UTC",
                                      "bring": "b", "safety": "s", "meeting_point": "m"}))
    assert advice(past, NOW) == [f"the event start {past.start.isoformat()} is in the past"]


def test_text_is_normalised_and_numbers_accepted():
    info = event_info(manifest(event={"place": "  Place\n de  la Mairie ", "meeting_point": 42}))
    assert info.place == "Place de la Mairie" and info.meeting_point == "42"
