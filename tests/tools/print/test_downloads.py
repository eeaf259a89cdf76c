"""Direct-download cards: the MP3's QR and "press play at exactly HH:MM:SS"."""

import dataclasses

import pytest

from flashmob.tools.print.downloads import download_card, downloads_pdf

from .conftest import decode_all, french_info, pdf_pages, pdf_text

BASE = "https://mob.example.org/bundle/29cd1cf2be264ad9/groups/"


def cards(n=3, info=None):
    info = info or french_info()
    return [download_card(info, group_name=f"Groupe{i}", colour=c, url=f"{BASE}g{i}.mp3", file_name=f"g{i}.mp3",
                          n_bytes=19_512_345)
            for i, c in zip(range(n), ("#d32f2f", "#1976d2", "#fbc02d"))]


def test_card_wording():
    c = cards(1)[0]
    assert c.hhmmss == "18:30:00" and c.heading == "Juste le MP3 · Groupe Groupe0"
    assert "g0.mp3 (19,5\u00a0Mo, 20\u00a0min\u00a003\u00a0s)" in c.steps[0]
    assert "18:30:00" in c.steps[2] and "samedi 13 juin 2026" in c.steps[2]
    assert c.date == "samedi 13 juin 2026 · heure de Paris"
    assert "amis@example.org" in c.footer


def test_seconds_are_printed_when_the_start_has_them():
    info = dataclasses.replace(french_info(), start=french_info().start.replace(second=30), language="en")
    c = cards(1, info)[0]
    assert c.hhmmss == "18:30:30" and "Press play at exactly 18:30:30 on Saturday 13 June 2026." == c.steps[2]


def test_two_cards_per_page_each_decoding_to_its_mp3():
    data = downloads_pdf(cards(3))
    pages = pdf_pages(data, dpi=90)
    assert len(pages) == 2
    assert sorted(decode_all(pages[0])) == sorted([f"{BASE}g0.mp3", f"{BASE}g1.mp3"])
    assert decode_all(pages[1]) == [f"{BASE}g2.mp3"]
    text = pdf_text(data)[0]
    assert text.count("18:30:00") >= 4 and "Pas de réseau le jour J" in text


def test_a_card_needs_the_start():
    with pytest.raises(ValueError):
        cards(1, dataclasses.replace(french_info(), start=None))
