"""Labels, dates and sizes in the score's language (no process locale)."""

import datetime as dt

from flashmob.tools.print.texts import EN, FR, NBSP, clock, duration_text, labels, long_date, size_text


def test_language_tables():
    assert labels("fr") is FR and labels("fr-CA") is FR and labels("fr_FR") is FR
    assert labels("en-US") is EN and labels("de") is EN and labels(None) is EN
    assert set(FR) == set(EN)


def test_long_dates():
    d = dt.date(2026, 12, 5)
    assert long_date(d, "en") == "Saturday 5 December 2026"
    assert long_date(d, "fr") == "samedi 5 décembre 2026"
    assert long_date(dt.date(2026, 5, 1), "fr") == "vendredi 1er mai 2026"
    assert long_date(dt.date(2026, 8, 1), "en") == "Saturday 1 August 2026"


def test_clock_is_24_hour():
    t = dt.datetime(2026, 12, 5, 18, 0, 7)
    assert clock(t) == "18:00" and clock(t, seconds=True) == "18:00:07"


def test_durations_and_sizes_never_break_between_number_and_unit():
    assert duration_text(185_000) == f"3{NBSP}min{NBSP}05{NBSP}s"
    assert duration_text(3_725_000) == f"1{NBSP}h{NBSP}02{NBSP}min"
    assert duration_text(9_400) == f"9{NBSP}s"
    assert size_text(4_200_000, "en") == f"4.2{NBSP}MB"
    assert size_text(4_200_000, "fr") == f"4,2{NBSP}Mo"


def test_french_labels_use_no_break_spaces_before_high_punctuation():
    for text in FR.values():
        for mark in (":", "?", "!", ";"):
            assert f" {mark}" not in text
    assert f"J{NBSP}?" in FR["download_intro"]


def test_placeholders_match_between_languages():
    import string

    for key in EN:
        en = {f for _, f, _, _ in string.Formatter().parse(EN[key]) if f}
        fr = {f for _, f, _, _ in string.Formatter().parse(FR[key]) if f}
        assert en == fr, key
