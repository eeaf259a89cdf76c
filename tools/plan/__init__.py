"""``flashmob plan``: a picture of a compiled show, one lane per group.

Public API::

    write_plan(timeline, title, path)      # .svg or .png, chosen by extension
    layout(timeline, title, width, language) -> Layout   # pure geometry (tools.plan.layout)
    to_svg(layout) -> str                  # tools.plan.svg
    to_image(layout, scale=2) -> PIL.Image # tools.plan.png

The layout decides everything once; the writers only paint it.
"""

from __future__ import annotations

from pathlib import Path

from flashmob.tools.score.timeline import Timeline

from .layout import layout
from .shapes import Layout
from .style import DEFAULT_WIDTH
from .svg import to_svg

FORMATS = (".svg", ".png")


class PlanFormatError(ValueError):
    """The output path's extension is not one the plan can be written as."""


def write_plan(timeline: Timeline, title: str, path: str | Path, width: float = DEFAULT_WIDTH,
               language: str | None = None) -> Path:
    """Draw ``timeline`` to ``path``: SVG for ``.svg``, PNG (2x) for ``.png``
    (case-insensitive), its own words in ``language`` (English when None). Creates missing parent directories; returns the path.
    Raises :class:`PlanFormatError` for any other extension, before writing."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in FORMATS:
        shown = path.suffix or "no extension"
        raise PlanFormatError(f"cannot write a plan as '{shown}' ({path}): use a .svg or .png file name")
    lay = layout(timeline, title, width, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".svg":
        path.write_text(to_svg(lay), encoding="utf-8")
    else:
        from .png import write_png            # Pillow only when a PNG is asked for
        write_png(lay, path)
    return path


__all__ = ["write_plan", "layout", "Layout", "to_svg", "PlanFormatError", "FORMATS"]
