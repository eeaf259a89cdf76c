"""A sheet of A6 flyers: four per A4 page (2 x 2, tiling the page), with cut marks.

Each flyer says what the poster says, smaller (same :class:`~tools.print.wording.Wording`):
a band with the title, the time large with the date, the place and meeting
point, the join QR (48-52 mm) with its caption, the URL and what to bring,
the safety note, and who organizes with their contact at the foot.
Content keeps 7 mm inside the flyer's edges, so a cut a millimetre off, or a
printer that cannot print near the paper's edge, loses nothing.

:func:`flyer` draws one flyer into a cell; :func:`flyers_pdf` fills pages of
four (the same flyer repeated) and draws the cut marks of
:func:`~tools.print.sheet.cut_marks`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from . import pdfkit as k
from .qr import QrMatrix, qr_matrix
from .sheet import A4, A6, Rect, cut_marks, grid
from .wording import HIGHLIGHT, Wording

PAD = 7.0
PER_PAGE = 4


def flyer(pdf, w: Wording, qr: QrMatrix, cell: Rect) -> None:
    x, width = cell.x + PAD, cell.w - 2 * PAD
    accent = k.rgb(w.accent)
    ink = k.ink_on(accent)
    # band
    tag = k.fit_text(pdf, w.tagline.upper(), width, 1, (6, 5.5, 5, 4.5), bold=True)
    if tag.truncated:
        tag = k.fit_text(pdf, w.tagline.upper(), width, 2, (6, 5.5, 5), bold=True)
    title = k.fit_text(pdf, w.title, width, 3, (20, 18, 16, 14, 12, 11, 10), bold=True)
    label = k.fit_text(pdf, w.group_label.upper(), width, 1, (9, 8), bold=True) if w.group_label else None
    band_h = (PAD + k.block_height(tag) + 3.5 + k.block_height(title, 1.1) + title.size * k.PT * k.DESCENT + 5
              + (k.block_height(label) + 3.5 if label else 0))
    k.fill(pdf, accent)
    pdf.rect(cell.x, cell.y, cell.w, band_h, style="F")
    tag_colour = k.rgb(HIGHLIGHT) if ink == k.WHITE and k.luminance(accent) < 0.1 else ink
    y = k.draw_lines(pdf, tag, x, cell.y + PAD, width, bold=True, colour=tag_colour)
    y = k.draw_lines(pdf, title, x, y + 3.5 - tag.size * k.PT * k.DESCENT, width, bold=True, colour=ink, leading=1.1)
    if label:
        k.draw_lines(pdf, label, x, y + 2.5, width, bold=True, colour=ink)
    y = cell.y + band_h + 5
    # when
    dark = k.deepen(accent, 0.12)
    time = k.fit_text(pdf, w.time, width / 2, 1, (30, 28, 26), bold=True)
    tw = k.measure_with(pdf, True)(w.time, time.size)
    k.draw_lines(pdf, time, x, y, tw, bold=True, colour=dark)
    cap = time.size * k.PT * k.CAP
    rest = width - tw - 4
    size = min(k.fit_text(pdf, t, rest, 1, (12, 11, 10, 9, 8), bold=True).size for t in (w.weekday, w.date))
    k.draw_text(pdf, w.weekday.capitalize(), x + tw + 4, y, rest, sizes=(size,), bold=True)
    k.draw_text(pdf, w.date, x + tw + 4, y + cap - size * k.PT * k.CAP, rest, sizes=(size,), bold=True)
    y += cap + 4
    # where
    y = k.draw_text(pdf, w.place, x, y, width, sizes=(13, 12, 11, 10, 9), max_lines=2, bold=True)
    if w.meeting:
        y = k.draw_text(pdf, w.meeting, x, y + 1.5, width, sizes=(8, 7.5, 7, 6.5), max_lines=2)
    # foot: organizer band, then safety above it
    foot_h = 13.0
    foot_top = cell.bottom - foot_h
    k.fill(pdf, accent)
    pdf.rect(cell.x, foot_top, cell.w, foot_h, style="F")
    yy = k.draw_text(pdf, w.organized_by, x, foot_top + 3, width, sizes=(7, 6.5, 6, 5.5), bold=True, colour=ink)
    k.draw_text(pdf, w.contact, x, yy + 0.8, width, sizes=(7, 6.5, 6, 5.5), colour=ink)
    safety = k.fit_text(pdf, f"{w.safety_label} — {w.safety}", width, 3, (6.5, 6, 5.5, 5))
    safety_top = foot_top - 3 - k.block_height(safety) - safety.size * k.PT * k.DESCENT
    k.draw_lines(pdf, safety, x, safety_top, width, colour=k.GREY)
    # QR and its column
    room = safety_top - 3 - (y + 3)
    qsize = max(36.0, min(52.0, room))
    top = y + 3 + max(0.0, room - qsize) / 2
    quiet = qsize * 4 / qr.size
    qx = x - quiet / 2
    k.draw_qr(pdf, qr, qx, top, qsize)
    cx = qx + qsize + 2
    cw = cell.right - PAD - cx
    yy = k.draw_text(pdf, w.scan, cx, top + quiet, cw, sizes=(10, 9, 8, 7), max_lines=3, bold=True)
    yy = k.draw_text(pdf, w.url, cx, yy + 1.5, cw, sizes=(6, 5.5, 5), max_lines=3, colour=k.GREY)
    yy = k.draw_text(pdf, w.bring_label, cx, yy + 3, cw, sizes=(7,), bold=True, colour=k.deepen(accent, 0.2))
    k.draw_text(pdf, w.bring, cx, yy + 1, cw, sizes=(7, 6.5, 6, 5.5), max_lines=5)


def flyers_pdf(flyers: Sequence[Wording], *, pages_each: int = 1, created: dt.datetime | None = None) -> bytes:
    """``pages_each`` A4 pages of four identical A6 flyers for each wording."""
    first = flyers[0]
    pdf = k.new_document(first.title, first.language, subject="flashmob flyers", created=created)
    cells = grid(A4, 2, 2, *A6)
    marks = cut_marks(A4, cells)
    for w in flyers:
        qr = qr_matrix(w.url)
        for _ in range(pages_each):
            pdf.add_page()
            for cell in cells:
                flyer(pdf, w, qr, cell)
            k.cut_line(pdf, marks)
    return k.finish(pdf)
