"""The drawing vocabulary of a plan: frozen, writer-neutral shapes.

A :class:`Layout` is everything a writer needs and nothing it must decide:
absolute coordinates in px (SVG user units; the PNG writer multiplies them by
its scale), colours as ``#rrggbb``, opacity, CSS classes and ``data-*``
attributes. Text ``y`` is the baseline; ``anchor`` is start/middle/end. A
rectangle's or polygon's ``opacity`` is its fill's; its outline has
``stroke_opacity``.

Paint order: ``under`` (lane tints, grid), ``meetings`` (all bands as one
layer at ``meeting_opacity``, so overlapping bands merge instead of
darkening), then each lane's ``frame`` and ``marks``, then ``over`` (axis
labels, header, legend).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

Data = tuple[tuple[str, str], ...]     # data-* attributes: (("event", "cue12"), ...)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    rx: float = 0.0
    stroke: str | None = None
    stroke_width: float = 0.0
    opacity: float = 1.0                # of the fill
    stroke_opacity: float = 1.0
    cls: str = ""


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.0
    opacity: float = 1.0
    cls: str = ""


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str
    stroke: str | None = None
    stroke_width: float = 0.0
    opacity: float = 1.0                # of the fill
    stroke_opacity: float = 1.0
    cls: str = ""


@dataclass(frozen=True)
class Text:
    x: float
    y: float                            # baseline
    text: str
    size: float
    fill: str
    anchor: str = "start"               # start | middle | end
    bold: bool = False
    opacity: float = 1.0
    cls: str = ""


Shape = Union[Rect, Line, Polygon, Text]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w


@dataclass(frozen=True)
class Mark:
    """The drawing of one timeline event in one lane (SVG: one ``<g>``)."""

    event_id: str
    kind: str                           # say | sound | music | caption | end (+ countdown style)
    start_us: int
    shapes: tuple[Shape, ...]
    tooltip: str                        # full text: SVG <title>
    cls: str
    data: Data


@dataclass(frozen=True)
class Lane:
    """One group: a horizontal box in every system (``boxes``), its accent
    and name (``frame``) and one :class:`Mark` per event of the group."""

    group_id: str
    name: str
    colour: str
    boxes: tuple[Box, ...]
    frame: tuple[Shape, ...]
    marks: tuple[Mark, ...]
    data: Data


@dataclass(frozen=True)
class Meeting:
    """A moment every group shares: a band across all lanes of its system."""

    time_us: int
    x: float
    band: Rect
    pin: Polygon
    data: Data


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    title: str
    background: str
    systems: tuple                      # tuple[timescale.Span, ...]
    tick_step_us: int
    under: tuple[Shape, ...]
    meetings: tuple[Meeting, ...]
    meeting_opacity: float
    lanes: tuple[Lane, ...]
    over: tuple[Shape, ...]
