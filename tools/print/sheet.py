"""Imposition: placing equal cells (flyers, badges) on a sheet, with cut marks (pure).

All lengths are millimetres, origin top-left, y downwards (fpdf2's default).

Contract:

* :func:`grid` centres ``cols`` x ``rows`` cells of ``cell_w`` x ``cell_h`` on
  the page (row by row, left to right), with ``gutter`` between cells; it
  raises ValueError if they do not fit.
* :func:`cut_marks` returns short segments on every cut line (every cell edge
  that is not the paper edge), two per line, near the paper edges. Where the
  block of cells leaves a margin they sit in it, ``offset`` away from the
  cells and at least ``edge`` from the paper edge (a home printer's
  unprintable band); where cells run to the paper edge (A6 flyers tile A4
  exactly) they lie on the cut line itself, from ``edge`` inwards, and go
  away with the cut. They are never drawn across the inside of a cell.
  With no gutter, a shared edge between two cells is a single cut line.
"""

from __future__ import annotations

from dataclasses import dataclass

A4 = (210.0, 297.0)
A5 = (148.0, 210.0)
A6 = (105.0, 148.0)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def inset(self, d: float) -> "Rect":
        return Rect(self.x + d, self.y + d, self.w - 2 * d, self.h - 2 * d)


Segment = tuple[float, float, float, float]


def grid(page: tuple[float, float], cols: int, rows: int, cell_w: float, cell_h: float,
         gutter: float = 0.0) -> list[Rect]:
    pw, ph = page
    block_w = cols * cell_w + (cols - 1) * gutter
    block_h = rows * cell_h + (rows - 1) * gutter
    if cols < 1 or rows < 1 or block_w > pw + 1e-9 or block_h > ph + 1e-9:
        raise ValueError(f"{cols}x{rows} cells of {cell_w}x{cell_h} mm do not fit on {pw}x{ph} mm")
    x0, y0 = (pw - block_w) / 2, (ph - block_h) / 2
    return [Rect(x0 + c * (cell_w + gutter), y0 + r * (cell_h + gutter), cell_w, cell_h)
            for r in range(rows) for c in range(cols)]


def _unique(values) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or abs(v - out[-1]) > 1e-6:
            out.append(v)
    return out


def cut_marks(page: tuple[float, float], cells: list[Rect], *, length: float = 6.0, offset: float = 2.0,
              edge: float = 4.0) -> list[Segment]:
    """Segments ``(x1, y1, x2, y2)`` marking where to cut (see the module docstring)."""
    if not cells:
        return []
    pw, ph = page
    left = min(c.x for c in cells)
    top = min(c.y for c in cells)
    right = max(c.right for c in cells)
    bottom = max(c.bottom for c in cells)
    xs = [x for x in _unique([c.x for c in cells] + [c.right for c in cells]) if 0.5 < x < pw - 0.5]
    ys = [y for y in _unique([c.y for c in cells] + [c.bottom for c in cells]) if 0.5 < y < ph - 0.5]

    def mark(block_side: float, paper_edge: float) -> tuple[float, float]:
        """From the block side towards the paper edge: outside the block when the
        margin has room, else on the cut line from ``edge`` inwards."""
        sign = -1 if paper_edge == 0.0 else 1
        margin = max(0.0, sign * (paper_edge - block_side))
        if margin >= offset + edge + 2:
            a = block_side + sign * offset
            n = min(length, margin - offset - edge)
            return a, a + sign * n
        start = paper_edge - sign * edge
        return start, start - sign * length

    segs: list[Segment] = []
    for x in xs:
        for side, paper in ((top, 0.0), (bottom, ph)):
            a, b = mark(side, paper)
            segs.append((x, a, x, b))
    for y in ys:
        for side, paper in ((left, 0.0), (right, pw)):
            a, b = mark(side, paper)
            segs.append((a, y, b, y))
    return segs
