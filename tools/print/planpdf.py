"""The plan picture painted into a PDF page as vector shapes (fpdf2).

A third writer of :class:`tools.plan.shapes.Layout`, beside the SVG and PNG
ones, with the same paint order (under, meetings, each lane's frame and marks,
over): rectangles (rounded or not), lines and polygons become PDF paths with
their fill and stroke opacity; texts are real text in the embedded DejaVu
Sans, so they print sharp and can be extracted and searched. No raster image
is made: the plan stays vector at any zoom.

The layout measured its texts with Helvetica-like widths
(:func:`tools.plan.metrics.text_width`); DejaVu Sans is wider, so texts are
drawn at :func:`fit_ratio` of their size (as the PNG writer does) to stay
inside the boxes the layout gave them.

:func:`draw_plan` paints a layout into the box ``x, y, w, h`` (mm), scaled
to fit while keeping its proportions; it returns the painted height.
"""

from __future__ import annotations

from flashmob.tools.plan.metrics import text_width
from flashmob.tools.plan.shapes import Layout, Line, Polygon, Rect, Shape, Text

from . import pdfkit as k

_REFERENCE = ("Welcome to the demo flashmob.", "Apéro géant à Besançon & <friends>", "0:00 1:10 2:50",
              "WWW mmm iii")


def fit_ratio(pdf, bold: bool) -> float:
    """The factor that keeps DejaVu Sans text within the layout's estimated widths (<= 1)."""
    pdf.set_font(k.FAMILY, "B" if bold else "", 100)
    return min(1.0, *(text_width(t, 100, bold=bold) / (pdf.get_string_width(t) / k.PT) for t in _REFERENCE))


class _Painter:
    def __init__(self, pdf, x0: float, y0: float, scale: float):
        self.pdf, self.x0, self.y0, self.s = pdf, x0, y0, scale
        self.ratio = {False: fit_ratio(pdf, False), True: fit_ratio(pdf, True)}

    def X(self, x: float) -> float:
        return self.x0 + x * self.s

    def Y(self, y: float) -> float:
        return self.y0 + y * self.s

    def shape(self, sh: Shape) -> None:
        pdf, s = self.pdf, self.s
        if isinstance(sh, Rect):
            pdf.set_fill_color(*k.rgb(sh.fill))
            style = "F"
            if sh.stroke and sh.stroke_width > 0:
                pdf.set_draw_color(*k.rgb(sh.stroke))
                pdf.set_line_width(sh.stroke_width * s)
                style = "DF"
            with pdf.local_context(fill_opacity=sh.opacity, stroke_opacity=sh.stroke_opacity):
                pdf.rect(self.X(sh.x), self.Y(sh.y), sh.w * s, sh.h * s, style=style,
                         round_corners=sh.rx > 0, corner_radius=min(sh.rx, sh.w / 2, sh.h / 2) * s)
        elif isinstance(sh, Line):
            pdf.set_draw_color(*k.rgb(sh.stroke))
            pdf.set_line_width(sh.width * s)
            with pdf.local_context(stroke_opacity=sh.opacity):
                pdf.line(self.X(sh.x1), self.Y(sh.y1), self.X(sh.x2), self.Y(sh.y2))
        elif isinstance(sh, Polygon):
            pts = [(self.X(px), self.Y(py)) for px, py in sh.points]
            pdf.set_fill_color(*k.rgb(sh.fill))
            with pdf.local_context(fill_opacity=sh.opacity):
                pdf.polygon(pts, style="F")
            if sh.stroke and sh.stroke_width > 0:
                pdf.set_draw_color(*k.rgb(sh.stroke))
                pdf.set_line_width(sh.stroke_width * s)
                with pdf.local_context(stroke_opacity=sh.stroke_opacity):
                    pdf.polygon(pts, style="D")
        elif isinstance(sh, Text):
            size_mm = sh.size * s * self.ratio[sh.bold]
            pdf.set_font(k.FAMILY, "B" if sh.bold else "", size_mm / k.PT)
            pdf.set_text_color(*k.rgb(sh.fill))
            w = pdf.get_string_width(sh.text)
            x = self.X(sh.x) - (w / 2 if sh.anchor == "middle" else w if sh.anchor == "end" else 0)
            with pdf.local_context(fill_opacity=sh.opacity):
                pdf.text(x, self.Y(sh.y), sh.text)
        else:
            raise TypeError(f"not a shape: {sh!r}")


def draw_plan(pdf, lay: Layout, x: float, y: float, w: float, h: float) -> float:
    """Paint ``lay`` into the box (mm), proportions kept; returns the height used."""
    scale = min(w / lay.width, h / lay.height)
    p = _Painter(pdf, x, y, scale)
    p.shape(Rect(0, 0, lay.width, lay.height, lay.background))
    for sh in lay.under:
        p.shape(sh)
    for m in lay.meetings:  # bands are narrow and rarely overlap: each at the layer's opacity
        p.shape(Rect(m.band.x, m.band.y, m.band.w, m.band.h, m.band.fill, opacity=lay.meeting_opacity))
    for m in lay.meetings:
        p.shape(m.pin)
    for lane in lay.lanes:
        for sh in lane.frame:
            p.shape(sh)
        for mark in lane.marks:
            for sh in mark.shapes:
                p.shape(sh)
    for sh in lay.over:
        p.shape(sh)
    return lay.height * scale


__all__ = ["draw_plan", "fit_ratio"]
