"""tools/print/dossier.py: what the file for the authorities says, from the bundle alone (pure)."""

import pytest

from flashmob.contract.bundle import load_bundle
from flashmob.contract.safety import read_safety_file
from flashmob.tools.print import reach
from flashmob.tools.print.dossier import Attendance, dossier
from flashmob.tools.print.dossiertexts import EN, FR
from flashmob.tools.print.errors import PrintError

from .conftest import make_bundle

BARE = """flashmob: 1
title: Bare show
groups:
  a: {name: Alphas}
cues:
  - at: 0:02
    say: Hello everybody. Raise your right hand.
  - at: 0:10
    end: true
"""


def _of(root):
    b = load_bundle(root)
    return b.manifest, read_safety_file(root)


def rows(d, section_index):
    return {r.label: r.value for r in d.sections[section_index].rows}


def missing_rows(d):
    return {r.label for s in d.sections for r in s.rows if r.missing}


@pytest.fixture
def bare_bundle(tmp_path):
    score = tmp_path / "bare.yaml"
    score.write_text(BARE, encoding="utf-8")
    return make_bundle(tmp_path / "bare", str(score))


def test_every_fact_of_the_demo_in_english(bundle):
    d = dossier(*_of(bundle))
    assert d.language == "en" and d.title == "Demo — Two Groups Meet" and d.to_complete == ()
    assert rows(d, 0) == {"Organizer": "Flashmob Demo Crew", "Contact": "hello@example.org"}
    event = rows(d, 1)
    assert event["Date"] == "Saturday 5 December 2026" and event["Start"] == "18:00 (Paris time)"
    assert event["Duration"] == "2\u00a0min\u00a055\u00a0s" and event["End"] == "18:02 (Paris time)"
    assert event["Place"] == "Town square" and event["Meeting point"] == "By the fountain, north side"
    assert event["Moments when all groups meet"].splitlines() == [
        "18:00:25: Look around. Find someone wearing your colour.",
        "18:01:07: Now! Walk to the middle."]  # the countdown starts at 1:07; its beat says what to do
    assert rows(d, 2) == {"Expected": "200 participants, the organizer's estimate (score, safety block)"}
    safety = rows(d, 3)
    assert safety["Stewards"] == "6 stewards, Yellow vests, one at each exit of the square"
    assert safety["Chief steward"] == "Sam Rivera, +33 6 00 00 00 01"
    assert safety["Exits"] == "Main Street (north); Market Lane (east)"
    assert safety["Console (stops the show, sends messages)"].startswith("Alex Morgan")
    assert safety["Safety note to participants (posters, phones)"].startswith("Keep the fire lanes clear")
    alert = d.sections[4]
    assert "1,000 phones: 71 ms" in alert.bullets and "5,000 phones: 1,027 ms" in alert.bullets
    assert any("For 200 participants, the measured figure that applies is 71 ms (1,000 phones)" in n
               for n in alert.notes)
    assert reach.COMMAND in alert.paragraphs[1] and "docs/benchmarks.md" in alert.paragraphs[1]
    assert [(m.time, m.groups) for m in d.movements[:3]] == [("18:00:03", "everyone"), ("18:00:08", "Reds"),
                                                               ("18:00:08", "Blues")]


def test_french_from_the_score_and_either_language_on_demand(french_bundle, bundle):
    d = dossier(*_of(french_bundle))
    assert d.language == "fr" and d.heading == FR["heading"]
    event = rows(d, 1)
    assert event["Date"] == "samedi 13 juin 2026" and event["Début"] == "18:30 (heure de Paris)"
    assert rows(d, 2)["Attendus"] == "350 participants, l’estimation de l’organisateur (partition, bloc safety)"
    assert rows(d, 3)["Sorties"].count(";") == 2
    assert dossier(*_of(french_bundle), language="en").heading == EN["heading"]
    assert dossier(*_of(bundle), language="fr").sections[1].rows[1].value == "samedi 5 décembre 2026"


def test_attendance_says_where_it_comes_from(bundle):
    assert Attendance(signups=180, capacity=300, expected=250).figure == (180, "signups")
    assert Attendance(capacity=300, expected=250).figure == (300, "capacity")
    assert Attendance(expected=250).figure == (250, "expected") and Attendance().figure is None
    d = dossier(*_of(bundle), capacity=2500)
    att = rows(d, 2)
    assert att["Expected"].startswith("2,500 participants, the admission limit of the conductor "
                                      "(flashmob serve --capacity 2,500)")
    assert att["Organizer's estimate"] == "200"
    notes = " ".join(d.sections[4].notes)
    assert "measured figure that applies is 225 ms (3,000 phones)" in notes
    assert "more than one conductor process served within its targets" in notes
    d = dossier(*_of(bundle), signups=150, capacity=300)
    assert rows(d, 2)["Expected"] == "150 participants, from the sign-ups (150 people signed up)"
    assert rows(d, 2)["Admission limit"] == "300"


def test_a_show_without_the_optional_facts_lists_them_to_complete(bare_bundle):
    d = dossier(*_of(bare_bundle))
    assert d.to_complete == (EN["m_organizer"], EN["m_contact"], EN["m_date"], EN["m_place"], EN["m_meeting"],
                             EN["m_attendance"], EN["m_safety"])
    assert missing_rows(d) >= {"Organizer", "Contact", "Date", "Start", "End", "Place", "Meeting point",
                               "Expected", "Stewards", "First aid", "Water", "Exits",
                               "Console (stops the show, sends messages)"}
    assert all(r.value == "to complete" for s in d.sections for r in s.rows if r.missing)
    assert d.movements[0].time == "+0:02"  # no start: times from the start of the show
    assert not any("applies" in n for n in d.sections[4].notes)  # no attendance: no figure chosen
    assert d.sections[4].bullets  # but the measured figures are still given


def test_a_partial_safety_block_lists_only_what_it_lacks(tmp_path):
    score = tmp_path / "partial.yaml"
    score.write_text(BARE.replace("groups:", "safety:\n  stewards: 3\ngroups:", 1), encoding="utf-8")
    d = dossier(*_of(make_bundle(tmp_path / "partial", str(score))), start="2026-07-14T21:00")
    assert EN["m_safety"] not in d.to_complete
    assert {EN["m_steward_lead"], EN["m_first_aid"], EN["m_water"], EN["m_exits"], EN["m_console"],
            EN["m_timezone"]} <= set(d.to_complete)
    assert rows(d, 3)["Stewards"] == "3 stewards" and rows(d, 1)["Start"] == "21:00"


def test_a_bad_start_is_refused(bundle):
    with pytest.raises(PrintError, match="--start"):
        dossier(*_of(bundle), start="soon")
