"""QR codes for print: one encoder, three outputs (matrix, PNG, SVG).

Contract:

* Error correction level **Q** (recovers ~25 % damage): posters get scuffed,
  rained on, half-covered by another poster; level Q keeps even a personal
  join URL with a group token and a hint at version 6 or less (41 modules),
  which stays easy to scan at badge size.
* A **quiet zone of 4 modules** (the minimum the standard asks for) is part of
  every output, always white, with nothing drawn over the code (no logo): on a
  coloured page the QR still sits on its own white square.
* Outputs are pure functions of the text: the same URL gives the same bytes.
* :func:`qr_matrix` is the source of truth; PDF layouts draw it as vector
  squares (crisp at any print resolution), PNG and SVG are made from it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

ERROR_CORRECTION = "Q"
QUIET_ZONE = 4


@dataclass(frozen=True)
class QrMatrix:
    """Dark modules of one QR code, quiet zone included (``size`` x ``size``)."""

    text: str
    version: int
    rows: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        return len(self.rows)

    def runs(self):
        """Horizontal runs of dark modules: ``(row, col, length)``, left to right."""
        for y, row in enumerate(self.rows):
            x = 0
            n = len(row)
            while x < n:
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    yield y, start, x - start
                else:
                    x += 1


def qr_matrix(text: str) -> QrMatrix:
    """Encode ``text`` (UTF-8, smallest version that fits at level Q)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_Q

    if not text:
        raise ValueError("nothing to encode")
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=QUIET_ZONE, box_size=1)
    qr.add_data(text.encode("utf-8"), optimize=0)
    qr.make(fit=True)
    rows = tuple(tuple(bool(v) for v in row) for row in qr.get_matrix())
    return QrMatrix(text=text, version=qr.version, rows=rows)


def qr_png(text: str, *, module_px: int = 12) -> bytes:
    """A 1-bit PNG, ``module_px`` pixels per module (12 -> ~10 cm at 300 dpi for a
    short URL)."""
    from PIL import Image, ImageDraw

    m = qr_matrix(text)
    side = m.size * module_px
    img = Image.new("1", (side, side), 1)
    draw = ImageDraw.Draw(img)
    for y, x, n in m.runs():
        draw.rectangle((x * module_px, y * module_px, (x + n) * module_px - 1, (y + 1) * module_px - 1), fill=0)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True, dpi=(300, 300))
    return out.getvalue()


def qr_svg(text: str, *, module_mm: float = 1.0) -> str:
    """A standalone SVG (one path, white background), ``module_mm`` per module."""
    m = qr_matrix(text)
    side = m.size
    d = "".join(f"M{x} {y}h{n}v1h-{n}z" for y, x, n in m.runs())
    mm = f"{side * module_mm:g}mm"
    title = (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{mm}" height="{mm}" '
            f'viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
            f"<title>{title}</title>"
            f'<rect width="{side}" height="{side}" fill="#fff"/>'
            f'<path fill="#000" d="{d}"/></svg>\n')
