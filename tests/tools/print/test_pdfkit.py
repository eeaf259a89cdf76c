"""PDF drawing helpers: embedded fonts, vector QR codes, colours, glyph coverage."""

import pytest

from flashmob.tools.print import pdfkit as k
from flashmob.tools.print.qr import qr_matrix

from .conftest import decode_all, pdf_pages, pdf_text

MIXED = "Apéro géant à Besançon — Флешмоб у фонтана — Ελληνικά"


def test_colours():
    assert k.rgb("#d32f2f") == (211, 47, 47) and k.rgb("#abc") == (170, 187, 204)
    assert k.rgb("blue") == (136, 136, 136) and k.rgb(None) == (136, 136, 136)
    assert k.ink_on(k.rgb("#1d2a4d")) == k.WHITE and k.ink_on(k.rgb("#fbc02d")) == k.BLACK
    assert k.ink_on(k.rgb("#d32f2f")) == k.WHITE
    pale = k.rgb("#fbc02d")
    assert k.luminance(k.deepen(pale, 0.2)) <= 0.2 and k.deepen(k.rgb("#1d2a4d")) == k.rgb("#1d2a4d")


def test_missing_glyphs():
    assert k.missing_glyphs(MIXED) == set() and k.missing_glyphs(MIXED, bold=True) == set()
    assert k.missing_glyphs("Tōkyō 東京") == {"東", "京"}


def test_text_is_embedded_and_extractable_in_any_script():
    pdf = k.new_document("t", "fr")
    pdf.add_page()
    bottom = k.draw_text(pdf, MIXED, 20, 20, 170, sizes=(20, 16, 12), max_lines=2, bold=True)
    k.draw_text(pdf, "Sécurité : « on ne court jamais »", 20, bottom + 5, 170, sizes=(12,))
    data = bytes(pdf.output())
    assert b"/FontFile2" in data  # TrueType embedded (as a subset), not a base-14 font
    text = pdf_text(data)[0]
    assert MIXED in text.replace("\r\n", " ").replace("\n", " ")
    assert "Sécurité : « on ne court jamais »" in text


def test_fitted_text_stays_within_its_width():
    pdf = k.new_document("t", "en")
    try:
        f = k.fit_text(pdf, MIXED * 3, 80, 3, (20, 16, 12, 10), bold=True)
        assert all(k.measure_with(pdf, True)(line, f.size) <= 80 + 1e-6 for line in f.lines)
    finally:
        k.close_fonts(pdf)



@pytest.mark.parametrize("size_mm", [20, 60])
def test_vector_qr_decodes_once_rendered(size_mm):
    url = "https://mob.example.org/?g=red&k=8wq1dK0mVbL2cP9sXyZ3aQ"
    pdf = k.new_document("t", "en")
    pdf.add_page()
    k.fill(pdf, (29, 42, 77))
    pdf.rect(0, 0, 210, 297, style="F")  # a dark page: the code brings its own white quiet zone
    k.draw_qr(pdf, qr_matrix(url), 30, 30, size_mm)
    page = pdf_pages(bytes(pdf.output()), dpi=150)[0]
    assert decode_all(page) == [url]
