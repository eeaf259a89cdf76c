"""Direct-download cards: one group's MP3 behind a QR, with the offline instructions.

For people who only want the file (no phone browser on the day, no network in
the crowd, a dedicated MP3 player): scan, save the MP3 before the day, set the
clock, and **press play at exactly HH:MM:SS** — the MP3 Experiment way.

Each card is half an A4 page (A5 landscape, 210 x 148.5 mm), two per page
with a cut mark between them: a band in the group's colour ("Just the MP3 ·
Group Reds"), the download QR (75-80 mm) and beside it the three steps, the
start time very large with seconds, and a pointer to the synchronized join
code. :class:`DownloadCard` holds what one card says (pure, from
:func:`download_card`); :func:`downloads_pdf` lays them out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from . import pdfkit as k
from .event import EventInfo
from .qr import qr_matrix
from .sheet import A4, Rect, cut_marks
from .texts import clock, duration_text, labels, long_date, size_text

PAD = 10.0


@dataclass(frozen=True)
class DownloadCard:
    language: str
    heading: str          # "Just the MP3 · Group Reds"
    title: str
    colour: str
    url: str
    intro: str
    steps: tuple[str, str, str]
    hhmmss: str           # "18:30:00"
    date: str             # "samedi 13 juin 2026 · heure de Paris"
    note: str
    footer: str


def download_card(info: EventInfo, *, group_name: str, colour: str, url: str, file_name: str,
                  n_bytes: int) -> DownloadCard:
    """What one group's card says (requires ``info.start``)."""
    if info.start is None:
        raise ValueError("a download card needs the start time")
    t = labels(info.language)
    hhmmss = clock(info.start, seconds=True)
    date = long_date(info.start.date(), info.language)
    tz = info.timezone_label
    when = f"{date} · {t['tz_note'].format(tz=tz) if info.timezone else tz}" if tz else date
    size = size_text(n_bytes, info.language)
    who = " · ".join(x for x in (f"{t['organized_by']} {info.organizer_name}" if info.organizer_name else None,
                                 info.organizer_contact, info.place) if x)
    return DownloadCard(
        language=info.language, heading=f"{t['download_title']} · {t['group']} {group_name}",
        title=info.title, colour=colour, url=url, intro=t["download_intro"],
        steps=(t["offline_1"].format(file=file_name, size=size, duration=duration_text(info.duration_ms)),
               t["offline_2"], t["offline_3"].format(hhmmss=hhmmss, date=date)),
        hhmmss=hhmmss, date=when, note=t["offline_note"], footer=who)


def card(pdf, c: DownloadCard, cell: Rect) -> None:
    accent = k.rgb(c.colour)
    ink = k.ink_on(accent)
    x, width = cell.x + PAD, cell.w - 2 * PAD
    head = k.fit_text(pdf, c.heading, width, 1, (18, 16, 14, 12, 11), bold=True)
    title = k.fit_text(pdf, c.title, width, 1, (10, 9, 8, 7))
    band_h = PAD * 0.8 + k.block_height(head) + 3 + k.block_height(title) + 5
    k.fill(pdf, accent)
    pdf.rect(cell.x, cell.y, cell.w, band_h, style="F")
    y = k.draw_lines(pdf, head, x, cell.y + PAD * 0.8, width, bold=True, colour=ink)
    k.draw_lines(pdf, title, x, y + 2.5, width, colour=ink)
    top = cell.y + band_h + 6
    foot = k.fit_text(pdf, c.footer, width, 1, (7.5, 7, 6.5, 6, 5.5))
    foot_top = cell.bottom - PAD * 0.7 - k.block_height(foot)
    k.draw_lines(pdf, foot, x, foot_top, width, colour=k.GREY)
    qr = qr_matrix(c.url)
    url = k.fit_text(pdf, c.url, 80.0, 2, (7, 6.5, 6, 5.5))
    qsize = min(80.0, foot_top - 6 - top - k.block_height(url))
    quiet = qsize * 4 / qr.size
    k.draw_qr(pdf, qr, x - quiet / 2, top, qsize)
    k.draw_lines(pdf, url, x - quiet / 2, top + qsize + 1, qsize, colour=k.GREY, align="C")
    cx = x - quiet / 2 + qsize + 4
    cw = cell.right - PAD - cx
    dark = k.deepen(accent, 0.15)
    y = k.draw_text(pdf, c.intro, cx, top + quiet * 0.6, cw, sizes=(13, 12, 11, 10), max_lines=2, bold=True)
    y += 4
    for i, step in enumerate(c.steps, 1):
        k.draw_text(pdf, f"{i}.", cx, y, 6, sizes=(11,), bold=True, colour=dark)
        y = k.draw_text(pdf, step, cx + 6, y, cw - 6, sizes=(11, 10.5, 10, 9.5, 9, 8), max_lines=3) + 2.5
    y += 3
    y = k.draw_text(pdf, c.hhmmss, cx, y, cw, sizes=(48, 44, 40, 36, 32), bold=True, colour=dark)
    y = k.draw_text(pdf, c.date, cx, y + 1.5, cw, sizes=(11, 10, 9, 8), max_lines=2, bold=True)
    k.draw_text(pdf, c.note, cx, y + 4, cw, sizes=(9, 8.5, 8, 7.5), max_lines=2, colour=k.GREY)


def downloads_pdf(cards: Sequence[DownloadCard], *, created: dt.datetime | None = None) -> bytes:
    """Two cards per A4 page (top and bottom halves), with cut marks between them."""
    first = cards[0]
    pdf = k.new_document(first.title, first.language, subject="flashmob direct downloads", created=created)
    half = Rect(0, 0, A4[0], A4[1] / 2)
    for i in range(0, len(cards), 2):
        pdf.add_page()
        pair = cards[i:i + 2]
        cells = [Rect(0, j * half.h, half.w, half.h) for j in range(len(pair))]
        for c, cell in zip(pair, cells):
            card(pdf, c, cell)
        k.cut_line(pdf, cut_marks(A4, cells))
    return k.finish(pdf)
