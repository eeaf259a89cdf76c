"""The A4 poster: one page per join code (the general one, or one per group).

Layout, top to bottom (A4 portrait, 14 mm margins):

1. a band in the accent colour (night blue, or the group's colour on a
   group's poster) with the tagline and the title (up to 4 lines, 54 -> 20 pt);
2. **when**: the start time very large (72 pt: ~19 mm capitals, readable from
   well beyond 3 m), the weekday and date beside it, the timezone under;
3. **where**: the place (32 -> 18 pt, up to 3 lines) and the meeting point;
4. the join QR, as large as the remaining height allows (62-100 mm, quiet
   zone included), and beside it the caption ("Scan to join"), the URL
   spelt out, "how it works" (3 numbered steps) and what to bring;
5. the safety note on a tinted box;
6. a footer band: who organizes and how to reach them.

:func:`poster_page` draws one page from a :class:`~tools.print.wording.Wording`
and a QR matrix; :func:`poster_pdf` makes a document of such pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from . import pdfkit as k
from .qr import QrMatrix, qr_matrix
from .sheet import A4
from .wording import HIGHLIGHT, Wording

MARGIN = 14.0
FOOTER_H = 24.0
QR_MIN, QR_MAX = 62.0, 100.0


def _band(pdf, w: Wording) -> float:
    """The title band; returns its bottom."""
    width = A4[0] - 2 * MARGIN
    accent = k.rgb(w.accent)
    ink = k.ink_on(accent)
    tag_colour = k.rgb(HIGHLIGHT) if ink == k.WHITE and k.luminance(accent) < 0.1 else ink
    title = k.fit_text(pdf, w.title, width, 4, (54, 48, 42, 36, 32, 28, 24, 22, 20), bold=True)
    tag = k.fit_text(pdf, w.tagline.upper(), width, 1, (12, 11, 10, 9, 8), bold=True)
    label = None
    if w.group_label:
        label = k.fit_text(pdf, w.group_label.upper(), width, 1, (20, 18, 16, 14), bold=True)
    top = 11.0
    h = top + k.block_height(tag) + 7 + k.block_height(title, 1.1) + k.DESCENT * title.size * k.PT + 8
    if label:
        h += k.block_height(label) + 8
    k.fill(pdf, accent)
    pdf.rect(0, 0, A4[0], h, style="F")
    y = k.draw_lines(pdf, tag, MARGIN, top, width, bold=True, colour=tag_colour)
    y = k.draw_lines(pdf, title, MARGIN, y + 7 - k.DESCENT * tag.size * k.PT, width, bold=True, colour=ink,
                     leading=1.1)
    if label:
        k.draw_lines(pdf, label, MARGIN, y + 6, width, bold=True, colour=ink)
    return h


def _when(pdf, w: Wording, top: float) -> float:
    width = A4[0] - 2 * MARGIN
    dark = k.deepen(k.rgb(w.accent), 0.12)
    time = k.fit_text(pdf, w.time, width * 0.5, 1, (72, 64, 56), bold=True)
    time_w = k.measure_with(pdf, True)(w.time, time.size)
    k.draw_lines(pdf, time, MARGIN, top, time_w, bold=True, colour=dark)
    x = MARGIN + time_w + 8
    rest = width - time_w - 8
    cap = time.size * k.PT * k.CAP
    day = k.fit_text(pdf, w.weekday.capitalize(), rest, 1, (28, 26, 24, 22, 20, 18), bold=True)
    date = k.fit_text(pdf, w.date, rest, 1, (28, 26, 24, 22, 20, 18), bold=True)
    size = min(day.size, date.size)
    day = k.fit_text(pdf, w.weekday.capitalize(), rest, 1, (size,), bold=True)
    date = k.fit_text(pdf, w.date, rest, 1, (size,), bold=True)
    k.draw_lines(pdf, day, x, top, rest, bold=True, colour=k.BLACK)
    k.draw_lines(pdf, date, x, top + cap - size * k.PT * k.CAP, rest, bold=True, colour=k.BLACK)
    y = top + cap + time.size * k.PT * k.DESCENT
    if w.timezone:
        y = k.draw_text(pdf, w.timezone, x, y - 1, rest, sizes=(10, 9), colour=k.GREY)
    return y


def _where(pdf, w: Wording, top: float) -> float:
    width = A4[0] - 2 * MARGIN
    y = k.draw_text(pdf, w.place, MARGIN, top, width, sizes=(32, 30, 28, 26, 24, 22, 20, 18), max_lines=3,
                    bold=True)
    if w.meeting:
        y = k.draw_text(pdf, f"{w.meeting_label} : {w.meeting}" if w.language.startswith("fr")
                        else f"{w.meeting_label}: {w.meeting}",
                        MARGIN, y + 4, width, sizes=(16, 15, 14, 13, 12, 11), max_lines=2)
    return y


def _column(pdf, w: Wording, x: float, top: float, width: float, height: float) -> None:
    """Beside the QR: the scan caption and URL, how it works, what to bring —
    at the largest size that fits ``height``."""
    accent = k.deepen(k.rgb(w.accent), 0.2)
    for size in (14, 13, 12, 11, 10, 9, 8):
        num_w = size * k.PT * 1.9
        scan = k.fit_text(pdf, "← " + w.scan, width, 2, (size + 6, size + 4), bold=True)
        url = k.fit_text(pdf, w.url, width, 2, (max(8, size - 2), 8, 7))
        head = k.fit_text(pdf, w.how, width, 1, (size + 2,), bold=True)
        steps = [k.fit_text(pdf, s, width - num_w, 5, (size,)) for s in w.steps]
        bring = k.fit_text(pdf, w.bring, width, 3, (size,))
        need = (k.block_height(scan) + 2.5 + k.block_height(url) + 8 + k.block_height(head) + 4.5
                + sum(k.block_height(s) + size * k.PT * 1.0 for s in steps)
                + 2 + size * k.PT + k.block_height(bring) + 3)
        if need <= height and not any(s.truncated for s in steps) or size == 8:
            break
    y = k.draw_lines(pdf, scan, x, top, width, bold=True, colour=k.BLACK)
    y = k.draw_lines(pdf, url, x, y + 2.5, width, colour=k.GREY) + 6
    pdf.set_draw_color(*accent)
    pdf.set_line_width(0.5)
    pdf.line(x, y - 3.5, x + width, y - 3.5)
    y = k.draw_lines(pdf, head, x, y + 1, width, bold=True, colour=accent) + 4
    for i, s in enumerate(steps, 1):
        r = size * k.PT * 0.75
        k.fill(pdf, accent)
        cy = y + size * k.PT * k.CAP / 2
        pdf.circle(x + r, cy, r, style="F")
        num = k.fit_text(pdf, str(i), 2 * r, 1, (size * 0.9,), bold=True)
        k.draw_lines(pdf, num, x, cy - num.size * k.PT * k.CAP / 2, 2 * r, bold=True,
                     colour=k.ink_on(accent), align="C")
        y = k.draw_lines(pdf, s, x + num_w, y, width - num_w) + size * k.PT * 1.0
    y += 2
    label = k.fit_text(pdf, w.bring_label, width, 1, (size,), bold=True)
    y = k.draw_lines(pdf, label, x, y, width, bold=True, colour=accent) + 1.5
    k.draw_lines(pdf, bring, x, y, width)


def _safety(pdf, w: Wording, bottom: float) -> float:
    """The safety box (bold label, then the note), ending at ``bottom``; returns its top."""
    width = A4[0] - 2 * MARGIN
    pad = 4.0
    for size in (12, 11, 10, 9, 8):
        text = k.fit_text(pdf, w.safety, width - 2 * pad, 4, (size,))
        if not text.truncated:
            break
    label = k.fit_text(pdf, w.safety_label, width - 2 * pad, 1, (text.size,), bold=True)
    gap = 1.8
    h = k.block_height(label) + gap + text.size * k.PT * (1 - k.CAP) + k.block_height(text) \
        + k.DESCENT * text.size * k.PT + 2 * pad
    top = bottom - h
    pdf.set_fill_color(241, 241, 236)
    pdf.rect(MARGIN, top, width, h, style="F", round_corners=True, corner_radius=2.5)
    y = k.draw_lines(pdf, label, MARGIN + pad, top + pad, width - 2 * pad, bold=True)
    k.draw_lines(pdf, text, MARGIN + pad, y + gap, width - 2 * pad)
    return top


def _footer(pdf, w: Wording) -> None:
    top = A4[1] - FOOTER_H
    accent = k.rgb(w.accent)
    k.fill(pdf, accent)
    pdf.rect(0, top, A4[0], FOOTER_H, style="F")
    ink = k.ink_on(accent)
    width = A4[0] - 2 * MARGIN
    who = k.fit_text(pdf, w.organized_by, width, 1, (14, 13, 12, 11, 10, 9), bold=True)
    contact = k.fit_text(pdf, w.contact, width, 1, (14, 13, 12, 11, 10, 9))
    y = k.draw_lines(pdf, who, MARGIN, top + 6, width, bold=True, colour=ink)
    k.draw_lines(pdf, contact, MARGIN, y + 1.5, width, colour=ink)


def poster_page(pdf, w: Wording, qr: QrMatrix) -> None:
    pdf.add_page()
    y = _band(pdf, w)
    y = _when(pdf, w, y + 10)
    y = _where(pdf, w, y + 7)
    safety_top = _safety(pdf, w, A4[1] - FOOTER_H - 7)
    width = A4[0] - 2 * MARGIN
    top = y + 6
    size = max(QR_MIN, min(QR_MAX, safety_top - 5 - top, width * 0.54))
    top += max(0.0, safety_top - 5 - top - size) / 2  # spare height: centre the QR section
    quiet = size * 4 / qr.size
    qx = MARGIN - quiet / 2  # half the quiet zone may reach into the margin: it is white anyway
    k.draw_qr(pdf, qr, qx, top, size)
    col = qx + size + 4
    _column(pdf, w, col, top + quiet, A4[0] - MARGIN - col, safety_top - 6 - top - quiet)
    _footer(pdf, w)


def poster_pdf(pages: Sequence[Wording], *, created: dt.datetime | None = None) -> bytes:
    """A PDF with one poster page per wording (its ``url`` is the QR)."""
    first = pages[0]
    pdf = k.new_document(first.title, first.language, subject="flashmob poster", created=created)
    for w in pages:
        poster_page(pdf, w, qr_matrix(w.url))
    return k.finish(pdf)
