"""A6 flyers: four per A4 page, four decodable codes, text kept inside each flyer."""

import dataclasses

from flashmob.tools.print.flyers import PAD, flyers_pdf
from flashmob.tools.print.sheet import A4, A6, grid
from flashmob.tools.print.wording import wording

from .conftest import char_boxes_mm, decode_all, french_info, pdf_pages, pdf_text

URL = "https://mob.example.org/"


def test_four_flyers_per_page_each_with_a_decodable_code():
    data = flyers_pdf([wording(french_info(), URL, scan_key="flyer_scan")])
    pages = pdf_pages(data, dpi=110)
    assert len(pages) == 1
    assert decode_all(pages[0]) == [URL] * 4
    text = " ".join(pdf_text(data)[0].split())
    assert text.count("Apéro géant à Besançon") == 4 and text.count("amis@example.org") == 4


def test_text_stays_inside_its_flyer_away_from_the_cut():
    info = dataclasses.replace(french_info(), title="Apéro géant à Besançon : édition spéciale " * 3)
    data = flyers_pdf([wording(info, URL)])
    cells = grid(A4, 2, 2, *A6)
    for ch, left, top, right, bottom in char_boxes_mm(data):
        cx, cy = (left + right) / 2, (top + bottom) / 2
        cell = next(c for c in cells if c.x <= cx <= c.right and c.y <= cy <= c.bottom)
        assert cell.x + PAD - 0.5 <= left and right <= cell.right - PAD + 0.5, ch
        assert cell.y <= top and bottom <= cell.bottom, ch


def test_pages_per_join_code():
    urls = ["https://mob.example.org/?g=a&k=AAAAAAAAAAAAAAAAAAAAAA", "https://mob.example.org/?g=b&k=BBBBBBBBBBBBBBBBBBBBBB"]
    data = flyers_pdf([wording(french_info(), u, group_name=g) for u, g in zip(urls, "AB")], pages_each=2)
    pages = pdf_pages(data, dpi=110)
    assert [set(decode_all(p)) for p in pages] == [{urls[0]}, {urls[0]}, {urls[1]}, {urls[1]}]
