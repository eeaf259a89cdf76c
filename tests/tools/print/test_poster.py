"""The A4 poster: its QR decodes after rendering, every fact is there, nothing overflows."""

import dataclasses

import pytest

from flashmob.tools.print.poster import MARGIN, poster_pdf
from flashmob.tools.print.wording import wording

from .conftest import char_boxes_mm, decode_all, french_info, pdf_pages, pdf_text

URL = "https://mob.example.org/"
GROUP_URLS = {"rouges": "https://mob.example.org/?g=rouges&k=Td0vJt_Nq2zRh4tiSVEWoz",
              "bleus": "https://mob.example.org/?g=bleus&k=L9U_7dsGrngPe61uBg34Eo"}


@pytest.fixture(scope="module")
def french_poster():
    return poster_pdf([wording(french_info(), URL)])


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_rendered_qr_decodes_to_the_join_url(french_poster):
    pages = pdf_pages(french_poster, dpi=72)  # a coarse render: the code is big enough
    assert len(pages) == 1 and decode_all(pages[0]) == [URL]


def test_every_fact_is_printed_with_its_accents(french_poster):
    text = flat(pdf_text(french_poster)[0])
    for fact in ("Apéro géant à Besançon", "18:30", "Samedi", "13 juin 2026", "heure de Paris",
                 "Place de la Révolution, Besançon", "Devant le musée des Beaux-Arts",
                 "Un téléphone chargé, des écouteurs", "Gardez les couloirs pompiers libres.",
                 "Organisé par Les Amis de l’Apéro", "amis@example.org", "Scannez pour participer", URL,
                 "Sécurité", "À apporter", "Comment ça marche", "18:15"):
        assert fact in text, fact


def test_the_time_and_place_are_big_enough_to_read_from_three_metres(french_poster):
    boxes = char_boxes_mm(french_poster)
    digits = [bottom - top for ch, left, top, right, bottom in boxes if ch == "8"]
    assert max(digits) >= 15  # the start time: capitals of 15 mm and more
    place = [bottom - top for ch, left, top, right, bottom in boxes if ch == "R"]
    assert max(place) >= 7  # the place: 7 mm capitals (3 m / 7 mm is a comfortable legibility ratio)


def test_one_page_per_group_in_fixed_mode():
    info = french_info()
    pages = [wording(info, url, group_name=name, group_colour=colour)
             for url, name, colour in ((GROUP_URLS["rouges"], "Rouges", "#d32f2f"),
                                       (GROUP_URLS["bleus"], "Bleus", "#1976d2"))]
    data = poster_pdf(pages)
    images = pdf_pages(data, dpi=72)
    assert [decode_all(img) for img in images] == [[GROUP_URLS["rouges"]], [GROUP_URLS["bleus"]]]
    texts = [flat(t) for t in pdf_text(data)]
    assert "GROUPE ROUGES" in texts[0] and "GROUPE BLEUS" in texts[1]


LONG_TITLE = "Apéro géant à Besançon : le grand flashmob sonore des Bisontins — Флешмоб у фонтана, Ελληνικά"


def test_long_titles_and_other_scripts_wrap_inside_the_page():
    info = dataclasses.replace(
        french_info(), title=LONG_TITLE,
        place="Place de la Révolution, Besançon (Doubs) — devant le musée des Beaux-Arts et d’Archéologie",
        meeting_point="Au pied de la statue, côté rue des Boucheries ; suivez les bénévoles en chasuble orange",
        safety="Les couloirs pompiers doivent rester libres. " * 4,
        organizer_name="Association Les Amis de l’Apéro Bisontin (Hugo Walter, président)")
    data = poster_pdf([wording(info, GROUP_URLS["rouges"])])
    text = flat(pdf_text(data)[0])
    assert LONG_TITLE in text  # whole, over several lines
    assert "Флешмоб у фонтана, Ελληνικά" in text
    for ch, left, top, right, bottom in char_boxes_mm(data):
        assert MARGIN - 0.5 <= left and right <= 210 - MARGIN + 0.5, ch
        assert 0 <= top and bottom <= 297, ch
    assert decode_all(pdf_pages(data, dpi=100)[0]) == [GROUP_URLS["rouges"]]
