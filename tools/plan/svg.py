"""Layout -> standalone SVG text (no dependencies, no external resources).

Structure (stable, tests and styling rely on it)::

    <svg class="flashmob-plan">
      <title>TITLE</title> <style>...</style> <rect class="background"/>
      <g class="under"> lane tints, grid </g>
      <g class="meetings" opacity="..."> <rect class="meeting" data-time-us=".."/> ... </g>
      <g class="meeting-pins"> <polygon class="meeting-pin" data-time-us=".."/> ... </g>
      <g class="lanes">
        <g class="lane" data-group="red"> frame shapes
          <g class="event say" data-event=".." data-kind="say" ..><title>..</title> shapes </g> ...
        </g> ...
      </g>
      <g class="over"> axis labels, header, legend </g>
    </svg>

All text and attribute values are XML-escaped; characters XML 1.0 forbids are
dropped. Meeting bands are opaque inside a translucent group, so overlapping
bands merge into one band of uniform colour.
"""

from __future__ import annotations

import re

from . import style as S
from .shapes import Layout, Line, Mark, Polygon, Rect, Shape, Text

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ANCHORS = {"start": "start", "middle": "middle", "end": "end"}


def escape(text: str) -> str:
    """Text content or attribute value, safe inside double quotes."""
    text = _INVALID_XML.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def num(v: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _attrs(**kv: object) -> str:
    out = []
    for k, v in kv.items():
        if v is None or v == "":
            continue
        name = k.rstrip("_").replace("_", "-")
        out.append(f'{name}="{escape(num(v) if isinstance(v, float) else str(v))}"')
    return " ".join(out)


def _opacity(o: float) -> float | None:
    return None if o >= 1.0 else o


def _paint(s: Rect | Polygon) -> dict[str, object]:
    stroke = {"stroke": s.stroke, "stroke_width": s.stroke_width or None,
              "stroke_opacity": _opacity(s.stroke_opacity)} if s.stroke else {}
    return {"fill": s.fill, "fill_opacity": _opacity(s.opacity), **stroke}


def shape_svg(s: Shape, data: tuple[tuple[str, str], ...] = ()) -> str:
    """One shape as one SVG element (``data`` adds ``data-*`` attributes)."""
    extra = _data(data)
    if isinstance(s, Rect):
        a = _attrs(class_=s.cls, x=s.x, y=s.y, width=s.w, height=s.h, rx=s.rx or None, **_paint(s))
        return f"<rect {a}{extra}/>"
    if isinstance(s, Line):
        a = _attrs(class_=s.cls, x1=s.x1, y1=s.y1, x2=s.x2, y2=s.y2, stroke=s.stroke,
                   stroke_width=s.width, opacity=_opacity(s.opacity))
        return f"<line {a}{extra}/>"
    if isinstance(s, Polygon):
        pts = " ".join(f"{num(x)},{num(y)}" for x, y in s.points)
        a = _attrs(class_=s.cls, points=pts, stroke_linejoin="round" if s.stroke else None, **_paint(s))
        return f"<polygon {a}{extra}/>"
    if isinstance(s, Text):
        a = _attrs(class_=s.cls, x=s.x, y=s.y, font_size=s.size, fill=s.fill,
                   text_anchor=None if s.anchor == "start" else _ANCHORS[s.anchor],
                   font_weight="bold" if s.bold else None, opacity=_opacity(s.opacity))
        return f"<text {a}{extra}>{escape(s.text)}</text>"
    raise TypeError(f"not a shape: {s!r}")


def _data(data: tuple[tuple[str, str], ...]) -> str:
    return "".join(f' data-{k}="{escape(v)}"' for k, v in data)


def _mark(m: Mark) -> str:
    inner = "".join(shape_svg(s) for s in m.shapes)
    return f'<g class="{escape(m.cls)}"{_data(m.data)}><title>{escape(m.tooltip)}</title>{inner}</g>'


def to_svg(lay: Layout) -> str:
    """The whole plan as one SVG document (UTF-8 text, ends with a newline)."""
    w, h = num(lay.width), num(lay.height)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flashmob-plan" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="{escape(S.FONT_FAMILY)}">',
        f"<title>{escape(lay.title)}</title>",
        f"<style>text{{font-family:{S.FONT_FAMILY};}} .event:hover{{filter:brightness(1.15);}}</style>",
        f'<rect class="background" width="100%" height="100%" fill="{lay.background}"/>',
        '<g class="under">', *map(shape_svg, lay.under), "</g>",
        f'<g class="meetings" opacity="{num(lay.meeting_opacity)}">', *(shape_svg(m.band, m.data) for m in lay.meetings), "</g>",
        '<g class="meeting-pins">', *(shape_svg(m.pin, m.data) for m in lay.meetings), "</g>",
        '<g class="lanes">',
    ]
    for lane in lay.lanes:
        out.append(f'<g class="lane"{_data(lane.data)}>')
        out += map(shape_svg, lane.frame)
        out += map(_mark, lane.marks)
        out.append("</g>")
    out += ["</g>", '<g class="over">', *map(shape_svg, lay.over), "</g>", "</svg>"]
    return "\n".join(out) + "\n"
