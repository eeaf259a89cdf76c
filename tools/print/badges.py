"""Name badges: eight per A4 sheet (2 x 4 cells of 95 x 65 mm), with cut marks.

Each badge carries, for one registrant:

* a stripe in their group's colour with the group's name (or, without a
  group, the show's title on the neutral accent);
* their name, large (up to 3 lines, 22 -> 11 pt), and their handle;
* their **personal join QR** (34 mm): the join URL with their group's signed
  token and their handle as a hint, so scanning it puts their phone in the
  group printed on the badge;
* the show's title and date at the foot.

:class:`Badge` is what one badge says (pure, built by the caller from a
registrant and the show's links); :func:`badges_pdf` lays them out in
registrant order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from . import pdfkit as k
from .qr import qr_matrix
from .sheet import A4, Rect, cut_marks, grid
from .wording import ACCENT

COLS, ROWS = 2, 4
CELL_W, CELL_H = 95.0, 65.0
PER_PAGE = COLS * ROWS
PAD = 5.0
QR_SIZE = 34.0
STRIPE_H = 11.0


@dataclass(frozen=True)
class Badge:
    name: str
    handle: str | None
    group_name: str | None
    colour: str | None      # the group's colour, None without a group
    url: str                # the personal join URL
    caption: str            # under the QR
    footer: str             # "Title · samedi 13 juin 2026"
    language: str = "en"


def badge(pdf, b: Badge, cell: Rect) -> None:
    accent = k.rgb(b.colour or ACCENT)
    ink = k.ink_on(accent)
    x, width = cell.x + PAD, cell.w - 2 * PAD
    # frame, stripe
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    pdf.rect(cell.x, cell.y, cell.w, cell.h)
    k.fill(pdf, accent)
    pdf.rect(cell.x, cell.y, cell.w, STRIPE_H, style="F")
    label = (b.group_name or b.footer.split(" · ")[0]).upper()
    stripe = k.fit_text(pdf, label, width, 1, (12, 11, 10, 9, 8, 7), bold=True)
    k.draw_lines(pdf, stripe, x, cell.y + (STRIPE_H - stripe.size * k.PT * k.CAP) / 2, width, bold=True, colour=ink)
    # QR at the right, under the stripe
    qr = qr_matrix(b.url)
    quiet = QR_SIZE * 4 / qr.size
    qx = cell.right - PAD - QR_SIZE + quiet / 2
    qy = cell.y + STRIPE_H + 2
    k.draw_qr(pdf, qr, qx, qy, QR_SIZE)
    k.draw_text(pdf, b.caption, qx, qy + QR_SIZE - quiet / 2 + 0.5, QR_SIZE, sizes=(6.5, 6, 5.5, 5), max_lines=2,
                align="C", colour=k.GREY)
    # name and handle at the left
    cw = qx + quiet / 2 - 3 - x
    top = cell.y + STRIPE_H + 6
    name = k.fit_text(pdf, b.name, cw, 3, (22, 20, 18, 16, 15, 14, 13, 12, 11), bold=True)
    y = k.draw_lines(pdf, name, x, top, cw, bold=True, leading=1.1)
    if b.handle:
        k.draw_text(pdf, b.handle, x, y + 2.5, cw, sizes=(13, 12, 11, 10, 9, 8), colour=k.deepen(accent, 0.2))
    # foot
    foot = k.fit_text(pdf, b.footer, cw, 2, (7, 6.5, 6, 5.5))
    k.draw_lines(pdf, foot, x, cell.bottom - PAD - k.block_height(foot), cw, colour=k.GREY)


def badges_pdf(badges: Sequence[Badge], title: str, language: str, *, created: dt.datetime | None = None) -> bytes:
    pdf = k.new_document(title, language, subject="flashmob badges", created=created)
    cells = grid(A4, COLS, ROWS, CELL_W, CELL_H)
    marks = cut_marks(A4, cells)
    for i in range(0, len(badges), PER_PAGE):
        pdf.add_page()
        for b, cell in zip(badges[i:i + PER_PAGE], cells):
            badge(pdf, b, cell)
        k.cut_line(pdf, marks)
    return k.finish(pdf)
