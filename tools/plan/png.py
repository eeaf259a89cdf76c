"""Layout -> PNG with Pillow: the same geometry as the SVG, ``scale`` times larger.

Fonts: the first TrueType font found among metric-compatible Helvetica/Arial
clones (Liberation Sans, Arimo, Arial, Helvetica), then DejaVu Sans, then
Pillow's built-in scalable font (``ImageFont.load_default(size=...)``,
Pillow >= 10.1); all of them have accented Latin letters. Translucent shapes
are alpha-blended; meeting bands are drawn as one mask so they merge.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .metrics import text_width
from .shapes import Layout, Line, Polygon, Rect, Shape, Text
from .style import hex_rgb

SCALE = 2
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts",
              "/System/Library/Fonts", os.path.expanduser("~/.fonts"),
              os.path.expanduser("~/.local/share/fonts"), "C:/Windows/Fonts")
_REGULAR = ("LiberationSans-Regular.ttf", "Arimo-Regular.ttf", "Arial.ttf", "arial.ttf",
            "Helvetica.ttc", "DejaVuSans.ttf")
_BOLD = ("LiberationSans-Bold.ttf", "Arimo-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf",
         "Helvetica.ttc", "DejaVuSans-Bold.ttf")
_ANCHOR = {"start": "ls", "middle": "ms", "end": "rs"}


@functools.lru_cache(maxsize=None)
def font_path(bold: bool) -> str | None:
    """Path of the TrueType font used for regular or bold text (None: built-in)."""
    names = _BOLD if bold else _REGULAR
    found: dict[str, str] = {}
    for d in _FONT_DIRS:
        if not os.path.isdir(d):
            continue
        for root, _dirs, files in os.walk(d):
            for f in files:
                if f in names and f not in found:
                    found[f] = os.path.join(root, f)
    system = next((found[n] for n in names if n in found), None)
    if system:
        return system
    from flashmob.tools import fonts  # DejaVu Sans ships with flashmob: accents everywhere, any machine

    return fonts.BOLD if bold else fonts.REGULAR


_REFERENCE = ("Welcome to the demo flashmob.", "Apéro géant à Besançon & <friends>", "0:00 1:10 2:50",
              "WWW mmm iii")


@functools.lru_cache(maxsize=None)
def _fit_ratio(bold: bool) -> float:
    """How much to shrink the chosen font so that no reference text is wider than
    :func:`~tools.plan.metrics.text_width` estimates (1.0 for the Helvetica
    clones; about 0.9 for DejaVu Sans, which is wider).  The layout was made
    with those estimates, so text drawn with this ratio stays inside its box."""
    path = font_path(bold)
    if not path:
        return 1.0
    try:
        f = ImageFont.truetype(path, 100)
    except OSError:
        return 1.0
    return min(1.0, *(text_width(t, 100, bold=bold) / f.getlength(t) for t in _REFERENCE))


@functools.lru_cache(maxsize=None)
def font(size: float, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The font for text of ``size`` px, shrunk by :func:`_fit_ratio` when needed."""
    path = font_path(bold)
    if path:
        try:
            return ImageFont.truetype(path, max(1, round(size * _fit_ratio(bold))))
        except OSError:
            pass
    return ImageFont.load_default(size=round(size))


def _rgba(colour: str, opacity: float = 1.0) -> tuple[int, int, int, int]:
    return (*hex_rgb(colour), round(255 * max(0.0, min(1.0, opacity))))


def _draw(d: ImageDraw.ImageDraw, s: Shape, k: float) -> None:
    if isinstance(s, Rect):
        box = [s.x * k, s.y * k, (s.x + s.w) * k - 1, (s.y + s.h) * k - 1]
        outline = _rgba(s.stroke, s.stroke_opacity) if s.stroke else None
        width = max(1, round(s.stroke_width * k)) if s.stroke else 0
        if s.rx > 0:
            d.rounded_rectangle(box, radius=s.rx * k, fill=_rgba(s.fill, s.opacity), outline=outline, width=width)
        else:
            d.rectangle(box, fill=_rgba(s.fill, s.opacity), outline=outline, width=width)
    elif isinstance(s, Line):
        d.line([(s.x1 * k, s.y1 * k), (s.x2 * k, s.y2 * k)], fill=_rgba(s.stroke, s.opacity),
               width=max(1, round(s.width * k)))
    elif isinstance(s, Polygon):
        pts = [(x * k, y * k) for x, y in s.points]
        d.polygon(pts, fill=_rgba(s.fill, s.opacity))
        if s.stroke and s.stroke_width > 0:
            w = max(1, round(s.stroke_width * k))
            stroke = _rgba(s.stroke, s.stroke_opacity)
            d.line(pts + pts[:1], fill=stroke, width=w, joint="curve")
    elif isinstance(s, Text):
        d.text((s.x * k, s.y * k), s.text, font=font(s.size * k, s.bold), fill=_rgba(s.fill, s.opacity),
               anchor=_ANCHOR[s.anchor])
    else:
        raise TypeError(f"not a shape: {s!r}")


def to_image(lay: Layout, scale: int = SCALE) -> Image.Image:
    """The plan as an RGB image of ``(ceil(width*scale), ceil(height*scale))`` px."""
    size = (int(-(-lay.width * scale // 1)), int(-(-lay.height * scale // 1)))
    img = Image.new("RGB", size, hex_rgb(lay.background))
    d = ImageDraw.Draw(img, "RGBA")
    for s in lay.under:
        _draw(d, s, scale)
    if lay.meetings:
        mask = Image.new("L", size, 0)
        md = ImageDraw.Draw(mask)
        for m in lay.meetings:
            b = m.band
            md.rectangle([b.x * scale, b.y * scale, (b.x + b.w) * scale - 1, (b.y + b.h) * scale - 1], fill=255)
        alpha = round(255 * lay.meeting_opacity)
        img.paste(hex_rgb(lay.meetings[0].band.fill), (0, 0, *size), mask.point(lambda v: v * alpha // 255))
        for m in lay.meetings:
            _draw(d, m.pin, scale)
    for lane in lay.lanes:
        for s in lane.frame:
            _draw(d, s, scale)
        for mark in lane.marks:
            for s in mark.shapes:
                _draw(d, s, scale)
    for s in lay.over:
        _draw(d, s, scale)
    return img


def write_png(lay: Layout, path: str | Path, scale: int = SCALE) -> None:
    to_image(lay, scale).save(path, format="PNG", optimize=False)
