"""Cover image of one group's MP3 (title, group name, group colour): PNG bytes.

Pure function of its inputs: the same title, name and colour give the same
bytes (Pillow writes no timestamps in PNG). Uses the bundled DejaVu Sans
(``tools/fonts``), which covers accents, Greek and Cyrillic.
"""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw

from flashmob.tools.fonts import pil_font

SIZE = 800


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _ink(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads better on ``rgb`` (WCAG luminance)."""
    def lin(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    lum = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
    return (17, 17, 17) if lum > 0.35 else (255, 255, 255)


def _font(size: int, bold: bool = False):
    return pil_font(size, bold)


def _fit(draw, text: str, max_width: int, sizes=(72, 60, 50, 42, 36)) -> tuple[list[str], object]:
    for size in sizes:
        font = _font(size)
        width_chars = max(8, int(max_width / (size * 0.55)))
        lines = textwrap.wrap(text, width_chars)[:4] or [""]
        if all(draw.textlength(line, font=font) <= max_width for line in lines):
            return lines, font
    return lines, font


SURPRISE_MARK = "?"
"""What a surprise show's cover shows instead of the group name (on the neutral colour)."""


def surprise_cover_png(title: str) -> bytes:
    """The cover of every group of a surprise show: the same bytes for all (no name, no colour)."""
    from flashmob.contract.colours import DEFAULT_COLOUR
    return cover_png(title, SURPRISE_MARK, DEFAULT_COLOUR)


def cover_png(title: str, group_name: str, colour: str, footer: str = "flashmob") -> bytes:
    """An 800x800 PNG: group colour background, group name large, title above."""
    bg = _rgb(colour)
    ink = _ink(bg)
    img = Image.new("RGB", (SIZE, SIZE), bg)
    draw = ImageDraw.Draw(img)
    margin = 60
    lines, font = _fit(draw, title, SIZE - 2 * margin)
    y = margin
    for line in lines:
        draw.text((margin, y), line, fill=ink, font=font)
        y += int(font.size * 1.2)
    draw.line((margin, y + 20, SIZE - margin, y + 20), fill=ink, width=4)
    glines, gfont = _fit(draw, group_name, SIZE - 2 * margin, sizes=(150, 120, 96, 80, 64))
    gfont = _font(gfont.size, bold=True)
    gy = SIZE - margin - 90 - int(gfont.size * 1.1) * len(glines)
    for line in glines:
        draw.text((margin, gy), line, fill=ink, font=gfont)
        gy += int(gfont.size * 1.1)
    draw.text((margin, SIZE - margin - 40), footer, fill=ink, font=_font(32))
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()
