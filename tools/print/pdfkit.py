"""Drawing helpers shared by the PDF layouts (fpdf2, millimetres, y downwards).

* :func:`new_document` — an A4 fpdf2 document with the bundled DejaVu Sans
  (regular and bold, embedded as subsets: accents, Greek and Cyrillic print
  on any machine), metadata, no automatic page breaks, and a fixed creation
  date when one is given (reproducible files).
* :func:`draw_qr` — a QR code as vector squares on its own white square
  (quiet zone included), so it stays crisp at any print resolution.
* :func:`draw_text` — text fitted into a width (:mod:`tools.print.textfit`),
  placed by the top of its capitals; it returns the y just below the block.
* Colours: :func:`rgb` parses ``#rrggbb`` (anything else -> grey), :func:`ink_on`
  picks black or white text for a background, :func:`deepen` darkens a pale
  colour so it reads on white.
* :func:`missing_glyphs` — characters the bundled font cannot draw (CJK,
  Arabic...), so the caller can warn instead of printing empty boxes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

from flashmob.tools import fonts

from .qr import QrMatrix
from .textfit import Fitted, fit

FAMILY = "DejaVu"
PT = 25.4 / 72          # millimetres per point
CAP = 0.73              # DejaVu Sans cap height, in em
DESCENT = 0.24          # below the baseline, in em

Colour = tuple[int, int, int]
BLACK: Colour = (17, 17, 17)
WHITE: Colour = (255, 255, 255)
GREY: Colour = (96, 96, 96)


def new_document(title: str, language: str, *, subject: str = "", created: dt.datetime | None = None):
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FAMILY, "", fonts.REGULAR)
    pdf.add_font(FAMILY, "B", fonts.BOLD)
    pdf.set_font(FAMILY, "", 12)
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_lang(language or "en")
    pdf.set_creator("flashmob qr")
    pdf.set_producer("flashmob")
    if created is not None:
        pdf.set_creation_date(created)
    return pdf


def close_fonts(pdf) -> None:
    """Close the font files fpdf2 opened (through fontTools, lazily). Left open, each is
    closed by the garbage collector with a ResourceWarning, at a random later moment, in
    whatever code runs then. fpdf2 closes them itself only when it writes the document."""
    for font in getattr(pdf, "fonts", {}).values():
        close = getattr(font, "close", None)
        if callable(close):
            close()


def finish(pdf) -> bytes:
    """The document's bytes, its font files closed."""
    try:
        return bytes(pdf.output())
    finally:
        close_fonts(pdf)


def rgb(colour: str | None) -> Colour:
    c = (colour or "").strip().lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    try:
        return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    except ValueError:
        return (136, 136, 136)


def luminance(c: Colour) -> float:
    def lin(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])


def ink_on(background: Colour) -> Colour:
    """Black or white, whichever reads better on ``background`` (WCAG contrast)."""
    lum = luminance(background)
    return BLACK if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else WHITE


def deepen(c: Colour, max_luminance: float = 0.3) -> Colour:
    """``c`` darkened until its luminance is at most ``max_luminance`` (pale
    group colours as text or lines on white paper)."""
    out = c
    while luminance(out) > max_luminance:
        out = tuple(int(v * 0.85) for v in out)  # type: ignore[assignment]
    return out


def fill(pdf, c: Colour) -> None:
    pdf.set_fill_color(*c)


def draw_qr(pdf, matrix: QrMatrix, x: float, y: float, size: float) -> None:
    """The code (quiet zone included) in the square ``x, y, size``: white square, black runs."""
    module = size / matrix.size
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    eps = module * 0.02  # a hair of overlap: no white seams between rows in some viewers
    for row, col, n in matrix.runs():
        pdf.rect(x + col * module, y + row * module, n * module + eps, module + eps, style="F")


def measure_with(pdf, bold: bool):
    def measure(text: str, size: float) -> float:
        pdf.set_font(FAMILY, "B" if bold else "", size)
        return pdf.get_string_width(text)
    return measure


def fit_text(pdf, text: str, width: float, max_lines: int, sizes: Sequence[float], *, bold: bool = False) -> Fitted:
    return fit(text, width, max_lines, sizes, measure_with(pdf, bold))


def line_height(size: float, leading: float = 1.2) -> float:
    return size * PT * leading


def block_height(fitted: Fitted, leading: float = 1.2) -> float:
    """From the top of the capitals of the first line to the baseline of the last."""
    n = len(fitted.lines)
    return fitted.size * PT * CAP + (n - 1) * line_height(fitted.size, leading)


def draw_lines(pdf, fitted: Fitted, x: float, top: float, width: float, *, bold: bool = False,
               colour: Colour = BLACK, align: str = "L", leading: float = 1.2) -> float:
    """Draw fitted lines, capitals touching ``top``; returns the last baseline + descent."""
    pdf.set_font(FAMILY, "B" if bold else "", fitted.size)
    pdf.set_text_color(*colour)
    baseline = top + fitted.size * PT * CAP
    for line in fitted.lines:
        w = pdf.get_string_width(line)
        lx = x if align == "L" else (x + (width - w) / 2 if align == "C" else x + width - w)
        pdf.text(lx, baseline, line)
        baseline += line_height(fitted.size, leading)
    return baseline - line_height(fitted.size, leading) + fitted.size * PT * DESCENT


def draw_text(pdf, text: str, x: float, top: float, width: float, *, sizes: Sequence[float],
              max_lines: int = 1, bold: bool = False, colour: Colour = BLACK, align: str = "L",
              leading: float = 1.2) -> float:
    """Fit ``text`` and draw it (see :func:`draw_lines`); returns the y below it."""
    fitted = fit_text(pdf, text, width, max_lines, sizes, bold=bold)
    return draw_lines(pdf, fitted, x, top, width, bold=bold, colour=colour, align=align, leading=leading)


def cut_line(pdf, segments) -> None:
    """Cut marks: a thin dark line on a wider white one, visible on paper and on colour."""
    for colour, width in (((255, 255, 255), 0.8), ((40, 40, 40), 0.25)):
        pdf.set_draw_color(*colour)
        pdf.set_line_width(width)
        for x1, y1, x2, y2 in segments:
            pdf.line(x1, y1, x2, y2)


@lru_cache(maxsize=2)
def _cmap(bold: bool) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(fonts.BOLD if bold else fonts.REGULAR, lazy=True) as font:  # closed: no ResourceWarning at GC
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str, bold: bool = False) -> set[str]:
    """Characters of ``text`` that DejaVu Sans cannot draw (whitespace ignored)."""
    cmap = _cmap(bold)
    return {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}
