"""The dossier for the authorities as an A4 PDF (fpdf2), from a :class:`~tools.print.dossier.Dossier`.

Layout (A4 portrait, 18 mm margins, pages flow):

1. the heading, the show's title, the introduction, and — when facts are
   missing — a tinted notice pointing to the "to complete" section;
2. the sections (organizer; date, time and place; expected attendance;
   safety set-up; urgent messages and stopping the show) as label / value
   rows; a missing value reads "to complete" in bold red;
3. the programme: its introduction and the list of movements (a table whose
   header repeats on each page);
4. the plan picture on a page of its own, painted as vector shapes with
   real text (:mod:`tools.print.planpdf`): no raster image;
5. the "to complete" list, each missing fact with what to add;
6. page numbers at the foot of every page.

Fonts: DejaVu Sans, embedded (:func:`tools.print.pdfkit.new_document`), so the
text can be extracted. :func:`dossier_pdf` returns the bytes and the
characters the font lacks (for a warning), and closes the font files.
"""

from __future__ import annotations

import datetime as dt

from flashmob.tools.plan import layout

from . import pdfkit as k
from .dossier import Dossier, Row, Section
from .planpdf import draw_plan
from .sheet import A4

MARGIN = 18.0
BOTTOM = A4[1] - 16.0
WIDTH = A4[0] - 2 * MARGIN
LABEL_W = 52.0
LINE = 4.6
RED = (176, 0, 32)
TINT = (255, 243, 224)
PLAN_WIDTH_PX = 900.0


RESTRICTED = (183, 28, 28)
"""The colour of a surprise show's "organizers only" notice."""


def _space(pdf, h: float) -> None:
    """A new page unless ``h`` mm fit above the bottom margin."""
    if pdf.get_y() + h > BOTTOM:
        pdf.add_page()
        pdf.set_y(MARGIN)


def _para(pdf, text: str, size: float = 10, *, bold: bool = False, colour=k.BLACK, x: float = MARGIN,
          w: float = WIDTH, after: float = 2.0) -> None:
    pdf.set_font(k.FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    h = pdf.multi_cell(w, size * k.PT * 1.35, text, dry_run=True, output="HEIGHT", align="L")
    _space(pdf, h)
    pdf.set_x(x)
    pdf.multi_cell(w, size * k.PT * 1.35, text, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_y(pdf.get_y() + after)


def _title(pdf, text: str) -> None:
    _space(pdf, 22)
    pdf.set_y(pdf.get_y() + 3)
    _para(pdf, text, 13, bold=True, after=0.5)
    pdf.set_draw_color(*k.GREY)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + WIDTH, pdf.get_y())
    pdf.set_y(pdf.get_y() + 2.5)


def _row(pdf, row: Row) -> None:
    pdf.set_font(k.FAMILY, "B", 9.5)
    lh = pdf.multi_cell(LABEL_W - 3, LINE, row.label, dry_run=True, output="HEIGHT", align="L")
    pdf.set_font(k.FAMILY, "B" if row.missing else "", 10)
    vh = pdf.multi_cell(WIDTH - LABEL_W, LINE, row.value, dry_run=True, output="HEIGHT", align="L")
    _space(pdf, max(lh, vh))
    y = pdf.get_y()
    pdf.set_font(k.FAMILY, "B", 9.5)
    pdf.set_text_color(*k.GREY)
    pdf.set_xy(MARGIN, y)
    pdf.multi_cell(LABEL_W - 3, LINE, row.label, align="L")
    pdf.set_font(k.FAMILY, "B" if row.missing else "", 10)
    pdf.set_text_color(*(RED if row.missing else k.BLACK))
    pdf.set_xy(MARGIN + LABEL_W, y)
    pdf.multi_cell(WIDTH - LABEL_W, LINE, row.value, align="L")
    pdf.set_y(y + max(lh, vh) + 1.6)


def _section(pdf, s: Section) -> None:
    _title(pdf, s.title)
    for p in s.paragraphs:
        _para(pdf, p)
    for row in s.rows:
        _row(pdf, row)
    for b in s.bullets:
        _para(pdf, "\u2022 " + b, x=MARGIN + 4, w=WIDTH - 4, after=0.6)
    if s.bullets:
        pdf.set_y(pdf.get_y() + 1.5)
    for p in s.notes:
        _para(pdf, p)


def _movements(pdf, d: Dossier) -> None:
    if not d.movements:
        return
    _space(pdf, 30)
    _para(pdf, d.movements_title, 10.5, bold=True, after=1)
    pdf.set_font(k.FAMILY, "", 9)
    pdf.set_text_color(*k.BLACK)
    pdf.set_auto_page_break(True, margin=A4[1] - BOTTOM)  # the table flows over pages, header repeated
    with pdf.table(col_widths=(20, 32, WIDTH - 52), width=WIDTH, align="LEFT", line_height=LINE,
                   text_align=("LEFT", "LEFT", "LEFT"), first_row_as_headings=True, repeat_headings=1) as table:
        table.row(d.movement_columns)
        for m in d.movements:
            table.row((m.time, m.groups, m.text))
    pdf.set_auto_page_break(False)


def _plan(pdf, d: Dossier) -> None:
    pdf.add_page()
    pdf.set_y(MARGIN)
    _para(pdf, d.plan_title, 13, bold=True, after=3)
    lay = layout(d.timeline, d.title, PLAN_WIDTH_PX, d.language)
    top = pdf.get_y()
    used = draw_plan(pdf, lay, MARGIN, top, WIDTH, BOTTOM - top)
    pdf.set_y(top + used + 4)


def _notice(pdf, d: Dossier) -> None:
    text = d.complete_notice
    pdf.set_font(k.FAMILY, "B", 10)
    h = pdf.multi_cell(WIDTH - 6, LINE, text, dry_run=True, output="HEIGHT", align="L")
    y = pdf.get_y()
    pdf.set_fill_color(*TINT)
    pdf.rect(MARGIN, y, WIDTH, h + 5, style="F")
    pdf.set_text_color(*RED)
    pdf.set_xy(MARGIN + 3, y + 2.5)
    pdf.multi_cell(WIDTH - 6, LINE, text, align="L")
    pdf.set_y(y + h + 8)


def _page_numbers(pdf, label: str) -> None:
    last = pdf.page
    for n in range(1, last + 1):
        pdf.page = n
        pdf.set_font(k.FAMILY, "", 8)
        pdf.set_text_color(*k.GREY)
        text = label.format(n=n) + f" / {last}"
        pdf.text(A4[0] - MARGIN - pdf.get_string_width(text), A4[1] - 9, text)
    pdf.page = last


def _all_text(d: Dossier) -> str:
    parts = [d.heading, d.intro, d.title, d.complete_intro, d.complete_notice, *d.to_complete]
    parts += [d.restricted] if d.restricted else []
    for s in (*d.sections, d.programme):
        parts += [s.title, *s.paragraphs, *s.bullets, *s.notes]
        parts += [x for r in s.rows for x in (r.label, r.value)]
    parts += [x for m in d.movements for x in (m.time, m.groups, m.text)]
    return "\n".join(parts)


def dossier_pdf(d: Dossier, *, created: dt.datetime | None = None) -> tuple[bytes, set[str]]:
    """The PDF's bytes and the characters DejaVu Sans lacks (see the module docstring)."""
    pdf = k.new_document(f"{d.heading} \u2014 {d.title}", d.language, subject=d.heading, created=created)
    pdf.set_creator("flashmob dossier")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_page()
    pdf.set_y(MARGIN)
    _para(pdf, d.heading, 18, bold=True, after=1)
    _para(pdf, d.title, 14, bold=True, after=2)
    if d.restricted:  # a surprise show: the file names the groups
        _para(pdf, d.restricted, 11, bold=True, colour=RESTRICTED, after=3)
    _para(pdf, d.intro, 9.5, colour=k.GREY, after=4)
    if d.to_complete:
        _notice(pdf, d)
    for s in d.sections:
        _section(pdf, s)
    _section(pdf, d.programme)
    _movements(pdf, d)
    _plan(pdf, d)
    _title(pdf, d.complete_title)
    _para(pdf, d.complete_intro)
    for item in d.to_complete:
        _para(pdf, "\u2610 " + item, x=MARGIN + 4, w=WIDTH - 4, after=1)
    _page_numbers(pdf, d.page_label)
    text = _all_text(d)
    return k.finish(pdf), k.missing_glyphs(text) | k.missing_glyphs(text, bold=True)


__all__ = ["dossier_pdf"]
