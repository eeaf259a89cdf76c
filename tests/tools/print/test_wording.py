"""What posters and flyers say, decided from the event (pure)."""

import dataclasses

import pytest

from flashmob.tools.print.event import event_info
from flashmob.tools.print.texts import FR
from flashmob.tools.print.wording import ACCENT, wording

from .conftest import french_info


def test_french_wording():
    w = wording(french_info(), "https://mob.example.org/")
    assert (w.title, w.time, w.weekday, w.date) == ("Apéro géant à Besançon", "18:30", "samedi", "13 juin 2026")
    assert w.timezone == "heure de Paris"
    assert "18:15" in w.steps[1] and "18:30" in w.steps[2]
    assert w.organized_by == "Organisé par Les Amis de l’Apéro" and w.contact == "amis@example.org"
    assert w.scan == FR["scan_to_join"] and w.accent == ACCENT and w.group_label is None


def test_group_wording_and_defaults():
    info = dataclasses.replace(french_info(), bring=None, safety=None, meeting_point=None, language="en")
    w = wording(info, "u", group_name="Reds", group_colour="#d32f2f")
    assert w.group_label == "Group Reds" and w.accent == "#d32f2f"
    assert w.bring == "A charged phone and headphones" and "traffic" in w.safety and w.meeting is None


def test_a_start_with_an_offset_only_prints_the_offset():
    info = event_info({"title": "t", "event": {"place": "p"}, "organizer": {"name": "n", "contact": "c"}},
                      "2026-12-05T18:00+01:00")
    assert wording(info, "u").timezone == "UTC+01:00"


def test_an_unprintable_event_is_refused():
    with pytest.raises(ValueError):
        wording(dataclasses.replace(french_info(), organizer_contact=None), "u")
