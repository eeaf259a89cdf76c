"""Timeline -> Layout: every position, size and colour of the plan (pure).

``layout(timeline, title, width)`` decides all geometry once; the SVG and PNG
writers only paint it. The page, top to bottom:

* header: title, a one-line summary, the legend;
* one or more *systems* (see :mod:`.timescale`), each an axis with m:ss tick
  labels and one lane per group;
* in each lane, from top to bottom: up to three rows of labels (speech and
  caption text, truncated or skipped when crowded, see :mod:`.labels`), the
  track (speech = rounded blocks, sound = diamonds, caption = flags,
  countdown numbers = small ticks, end = a bold vertical line) and the music
  rows (translucent bands whose fades are drawn as slopes);
* meeting points (``timeline.meetings_us``) as amber bands across all lanes.

The group colour is the lane's accent: tint behind the lane, bar and name on
the left, fill of its speech blocks, sounds and music.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flashmob.tools.score.timecode import format_time
from flashmob.tools.score.timeline import GroupTimeline, Timeline, TimelineEvent

from . import style as S
from .labels import PAD as LABEL_PAD, LabelRequest, PlacedLabel, place_labels
from .metrics import clean, fit_text, text_width
from .shapes import Box, Lane, Layout, Line, Mark, Meeting, Polygon, Rect, Shape, Text
from .timescale import Span, minor_step_us, system_spans, tick_step_us
from .words import LEGEND_KEYS, count, words

US = 1_000_000
_COUNTDOWN = re.compile(r"\.\d+$")


def is_countdown(ev: TimelineEvent) -> bool:
    """A countdown number: a ``say`` whose id ends in ``.3``, ``.2``, ..."""
    return ev.kind == "say" and bool(_COUNTDOWN.search(ev.id))


def layout(timeline: Timeline, title: str, width: float = S.DEFAULT_WIDTH, language: str | None = None) -> Layout:
    """The complete plan picture of ``timeline`` as positioned shapes; the words
    it draws itself are in ``language`` (English by default, see :mod:`.words`)."""
    width = float(max(width, 480))
    header, header_bottom = _header(timeline, title, width, language)
    plot_x0, plot_x1 = S.MARGIN + S.GUTTER, width - S.MARGIN - S.PLOT_RIGHT_PAD
    spans = system_spans(timeline.duration_us, plot_x1 - plot_x0, S.MIN_PX_PER_S)
    tick = tick_step_us(spans[0][1] - spans[0][0], plot_x1 - plot_x0, S.MIN_TICK_PX)

    music_rows = {g.group.id: _music_rows(g) for g in timeline.groups}
    n_music = max((max(rows.values(), default=-1) + 1 for rows in music_rows.values()), default=0)
    geo = _LaneGeometry(n_music, timeline.sample_rate)
    n = len(timeline.groups)

    systems, y = [], header_bottom
    for start, end in spans:
        y0 = y + S.AXIS_HEIGHT
        y1 = y0 + max(n, 1) * geo.height + max(n - 1, 0) * S.LANE_GAP
        systems.append(Span(start, end, plot_x0, plot_x1, y0, y1))
        y = y1 + S.SYSTEM_GAP
    height = y - S.SYSTEM_GAP + S.MARGIN + 4

    lanes = tuple(_lane(g, i, systems, geo, music_rows[g.group.id], width, language)
                  for i, g in enumerate(timeline.groups))
    end_us = timeline.duration_us if timeline.explicit_end else None
    under = tuple(s for lane in lanes for s in _lane_tints(lane)) + _grid(systems, tick)
    over = _axis(systems, tick, end_us) + header
    return Layout(width=width, height=height, title=title, background=S.BACKGROUND,
                  systems=tuple(systems), tick_step_us=tick, under=under,
                  meetings=_meetings(timeline.meetings_us, systems),
                  meeting_opacity=S.MEETING_OPACITY, lanes=lanes, over=over)


# -- lanes ----------------------------------------------------------------------

@dataclass(frozen=True)
class _LaneGeometry:
    """Vertical structure shared by every lane (offsets from the lane top)."""

    music_rows: int
    sample_rate: int

    @property
    def track_top(self) -> float:
        return S.LANE_PAD_TOP + S.LABEL_ROWS * S.LABEL_ROW_HEIGHT

    @property
    def music_top(self) -> float:
        return self.track_top + S.TRACK_HEIGHT + S.MUSIC_GAP

    @property
    def height(self) -> float:
        music = S.MUSIC_GAP + self.music_rows * S.MUSIC_ROW_HEIGHT if self.music_rows else 0
        return self.track_top + S.TRACK_HEIGHT + music + S.LANE_PAD_BOTTOM


def lane_boxes(index: int, systems: list[Span], geo: _LaneGeometry, width: float) -> tuple[Box, ...]:
    return tuple(Box(S.MARGIN, s.y0 + index * (geo.height + S.LANE_GAP), width - 2 * S.MARGIN, geo.height)
                 for s in systems)


def _ink(colour: str) -> str:
    """The group colour, darkened when too pale to show on white."""
    r, g, b = S.hex_rgb(colour)
    luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
    return S.shade(colour, 0.45) if luminance > 0.8 else colour


def _lane(g: GroupTimeline, index: int, systems: list[Span], geo: _LaneGeometry,
          music_rows: dict[str, int], width: float, language: str | None = None) -> Lane:
    colour = g.group.colour
    ink = _ink(colour)
    boxes = lane_boxes(index, systems, geo, width)
    last = len(systems) - 1
    shapes: dict[str, list[Shape]] = {e.id: [] for e in g.events}
    requests: list[list[LabelRequest]] = [[] for _ in systems]
    countdown_x = [(i, s.x(e.start_us)) for e in g.events if is_countdown(e)
                   for i, s in enumerate(systems) if s.holds(e.start_us, i == last)]

    for ev in g.events:
        for i, (span, box) in enumerate(zip(systems, boxes)):
            track = box.y + geo.track_top
            shapes[ev.id] += _event_shapes(ev, span, i == last, box, track, geo, ink,
                                           music_rows.get(ev.id, 0), countdown_x, i)
            req = _label_request(ev, span, i == last)
            if req is not None:
                requests[i].append(req)

    for i, (span, box) in enumerate(zip(systems, boxes)):
        track = box.y + geo.track_top
        x_max = min(width - S.MARGIN - 2, span.x1 + S.PLOT_RIGHT_PAD - 4)
        for lab in place_labels(_dedupe_minor(requests[i]), S.LABEL_ROWS, x_max, S.LABEL_SIZE, S.MAX_LABEL_PX):
            shapes[lab.key] += _label_shapes(lab, track, colour)

    order = {"music": 0, "say": 1, "caption": 2, "sound": 3, "end": 4}
    events = sorted(g.events, key=lambda e: order.get(e.kind, 5))
    marks = tuple(_mark(e, g.group.id, tuple(shapes[e.id])) for e in events)
    return Lane(group_id=g.group.id, name=g.group.name, colour=colour, boxes=boxes,
                frame=_lane_frame(g, boxes, colour, ink, language), marks=marks, data=(("group", g.group.id),))


def _lane_tints(lane: Lane) -> tuple[Shape, ...]:
    return tuple(Rect(b.x, b.y, b.w, b.h, S.tint(lane.colour), rx=4, cls="lane-bg") for b in lane.boxes)


def _lane_frame(g: GroupTimeline, boxes: tuple[Box, ...], colour: str, ink: str,
                language: str | None = None) -> tuple[Shape, ...]:
    out: list[Shape] = []
    cues = sum(1 for e in g.events if e.kind != "end")
    name = fit_text(g.group.name, S.GUTTER - 24, S.GROUP_SIZE, bold=True) or g.group.id
    for i, b in enumerate(boxes):
        mid = b.y + b.h / 2
        out.append(Rect(b.x, b.y, 5, b.h, colour, stroke=ink if ink != colour else None,
                        stroke_width=1.0, cls="lane-accent"))
        out.append(Text(b.x + 14, mid + (0 if i == 0 else 5), name, S.GROUP_SIZE,
                        S.shade(ink, 0.25), bold=True, cls="group-name"))
        if i == 0:
            out.append(Text(b.x + 14, mid + 16, count(cues, "cue", language),
                            S.LABEL_SIZE, S.MUTED, cls="group-info"))
    return tuple(out)


def _mark(ev: TimelineEvent, gid: str, shapes: tuple[Shape, ...]) -> Mark:
    kind_cls = "countdown" if is_countdown(ev) else ev.kind
    span = format_time(ev.start_us)
    if ev.end_us > ev.start_us and ev.kind in ("say", "music"):
        span += "\u2013" + format_time(ev.end_us)
    words = ev.text if ev.kind == "say" else ev.asset if ev.kind in ("sound", "music") else ev.caption
    tooltip = f"{span} {ev.kind}" + (f": {clean(words)}" if words else "")
    if ev.caption and ev.caption != ev.text and ev.kind != "caption":
        tooltip += f" [shows: {clean(ev.caption)}]"
    data = (("event", ev.id), ("kind", ev.kind), ("group", gid),
            ("start-us", str(ev.start_us)), ("end-us", str(ev.end_us)))
    return Mark(event_id=ev.id, kind=ev.kind, start_us=ev.start_us, shapes=shapes, tooltip=tooltip,
                cls=f"event {kind_cls}" + (" meeting-cue" if ev.meeting else ""), data=data)


# -- one event, one system --------------------------------------------------------

def _event_shapes(ev: TimelineEvent, span: Span, last: bool, box: Box, track: float,
                  geo: _LaneGeometry, ink: str, music_row: int,
                  countdown_x: list[tuple[int, float]], system: int) -> list[Shape]:
    """The shapes drawing ``ev`` inside one system (none if it is elsewhere)."""
    if ev.kind == "music":
        return _music_shapes(ev, span, box.y + geo.music_top + music_row * S.MUSIC_ROW_HEIGHT, ink,
                             geo.sample_rate)
    if ev.kind == "say" and not is_countdown(ev):
        a, b = max(ev.start_us, span.start_us), min(ev.end_us, span.end_us)
        if a >= b and not (ev.start_us == ev.end_us and span.holds(ev.start_us, last)):
            return []
        x0, x1 = span.x(a), span.x(b)
        w = max(x1 - x0, 3.0)
        return [Rect(x0, track + 2, w, S.TRACK_HEIGHT - 4, ink, rx=min(4.0, w / 2), cls="speech")]
    if not span.holds(ev.start_us, last):
        return []
    x, mid = span.x(ev.start_us), track + S.TRACK_HEIGHT / 2
    if ev.kind == "say":                                   # countdown number
        return _countdown_shapes(ev, x, track, ink, countdown_x, system)
    if ev.kind == "sound":
        r = 6.5
        return [Polygon(((x, mid - r), (x + r, mid), (x, mid + r), (x - r, mid)), ink,
                        stroke="#ffffff", stroke_width=1.2, cls="sound")]
    if ev.kind == "caption":
        top = track + 1
        return [Line(x, top, x, track + S.TRACK_HEIGHT - 1, S.shade(ink, 0.3), 1.6, cls="flag-pole"),
                Polygon(((x, top), (x + 10, top + 4.5), (x, top + 9)), S.shade(ink, 0.1), cls="flag")]
    if ev.kind == "end":
        return [Line(x, box.y, x, box.bottom, S.END_INK, 3.0, cls="end")]
    return [Rect(x - 2, mid - 2, 4, 4, ink, cls="other")]


def _countdown_shapes(ev: TimelineEvent, x: float, track: float, ink: str,
                      countdown_x: list[tuple[int, float]], system: int) -> list[Shape]:
    """A short tick in the lower half of the track, its number centred above
    it when the neighbouring ticks leave room."""
    number = ev.id.rsplit(".", 1)[1]
    out: list[Shape] = [Line(x, track + 10, x, track + S.TRACK_HEIGHT - 2, S.shade(ink, 0.2), 2.0,
                             cls="countdown-tick")]
    room = min((abs(cx - x) for i, cx in countdown_x if i == system and abs(cx - x) > 0.01),
               default=float("inf"))
    if room >= text_width(number, S.COUNT_SIZE, bold=True) + 2:
        out.append(Text(x, track + 8.5, number, S.COUNT_SIZE, S.shade(ink, 0.3), anchor="middle",
                        bold=True, cls="countdown-number"))
    return out


def _envelope(ev: TimelineEvent, sample_rate: int) -> list[tuple[float, float]]:
    """(time µs, level 0..1) breakpoints of a music bed's fades."""
    dur = ev.end_us - ev.start_us
    fi = ev.fade_in * US / sample_rate
    fo = ev.fade_out * US / sample_rate
    if fi + fo > dur > 0:
        fi, fo = fi * dur / (fi + fo), fo * dur / (fi + fo)
    pts = [(ev.start_us, 0.0 if fi > 0 else 1.0), (ev.start_us + fi, 1.0),
           (ev.end_us - fo, 1.0), (ev.end_us, 0.0 if fo > 0 else 1.0)]
    return pts


def _level(pts: list[tuple[float, float]], t: float) -> float:
    for (t0, v0), (t1, v1) in zip(pts, pts[1:]):
        if t0 <= t <= t1:
            return v0 if t1 == t0 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return 0.0


def _music_shapes(ev: TimelineEvent, span: Span, top: float, ink: str, sample_rate: int) -> list[Shape]:
    a, b = max(ev.start_us, span.start_us), min(ev.end_us, span.end_us)
    if a >= b:
        return []
    pts = _envelope(ev, sample_rate)
    inner = [(t, v) for t, v in pts if a < t < b]
    clipped = [(a, _level(pts, a))] + inner + [(b, _level(pts, b))]
    bottom, h = top + S.MUSIC_ROW_HEIGHT - 3, S.MUSIC_ROW_HEIGHT - 4
    outline = tuple((span.x(t), bottom - h * v) for t, v in clipped)
    poly = outline + ((span.x(b), bottom), (span.x(a), bottom))
    out: list[Shape] = [Polygon(poly, ink, stroke=ink, stroke_width=1.0, opacity=0.28,
                                   stroke_opacity=0.75, cls="music-band")]
    full = [t for t, v in clipped if v >= 1.0]
    if full:
        x0, x1 = span.x(full[0]) + 4, span.x(full[-1]) - 4
        name = (ev.asset or "music") + (" \u00b7 loop" if ev.loop else "")
        text = fit_text(name, x1 - x0, S.MUSIC_LABEL_SIZE, min_chars=3)
        if text:
            out.append(Text(x0, bottom - 3, text, S.MUSIC_LABEL_SIZE, S.shade(ink, 0.45), cls="music-label"))
    return out


def _music_rows(g: GroupTimeline) -> dict[str, int]:
    """Music bed id -> row, first fit (beds overlapping in time get rows 0, 1, ...)."""
    ends: list[int] = []
    rows: dict[str, int] = {}
    for ev in g.of_kind("music"):
        for r, end in enumerate(ends):
            if end <= ev.start_us:
                ends[r] = ev.end_us
                rows[ev.id] = r
                break
        else:
            rows[ev.id] = len(ends)
            ends.append(ev.end_us)
    return rows


# -- labels -------------------------------------------------------------------------

def _label_request(ev: TimelineEvent, span: Span, last: bool) -> LabelRequest | None:
    """What to write above ``ev`` in this system (None: nothing here)."""
    if not span.holds(ev.start_us, last) or ev.kind in ("music", "end") or is_countdown(ev):
        return None
    x = span.x(ev.start_us)
    if ev.kind == "say":
        return LabelRequest(ev.id, x, ev.caption or ev.text or "")
    if ev.kind == "caption" and ev.caption:
        return LabelRequest(ev.id, x, ev.caption)
    if ev.kind == "sound":
        if ev.caption:
            return LabelRequest(ev.id, x, ev.caption)
        return LabelRequest(ev.id, x, ev.asset or "sound", priority=1)
    return None


def _dedupe_minor(requests: list[LabelRequest], within_px: float = 120) -> list[LabelRequest]:
    """Drop a minor label repeating the previous minor label's text nearby
    (six claps make one "clap" label)."""
    out, last_x = [], {}
    for r in sorted(requests, key=lambda r: r.x):
        if r.priority > 0:
            if r.text in last_x and r.x - last_x[r.text] < within_px:
                continue
            last_x[r.text] = r.x
        out.append(r)
    return out


def _label_shapes(lab: PlacedLabel, track: float, colour: str) -> list[Shape]:
    baseline = track - 4 - lab.row * S.LABEL_ROW_HEIGHT
    return [Line(lab.x, baseline - S.LABEL_SIZE * 0.8, lab.x, track, colour, 1.0, opacity=0.55, cls="leader"),
            Text(lab.x + LABEL_PAD, baseline, lab.text, S.LABEL_SIZE, S.INK, cls="label")]


# -- axis, grid, meetings -------------------------------------------------------------

def ticks(span: Span, step_us: int) -> list[int]:
    first = -(-span.start_us // step_us) * step_us
    return list(range(first, span.end_us + 1, step_us))


def _grid(systems: list[Span], tick: int) -> tuple[Shape, ...]:
    out: list[Shape] = []
    for s in systems:
        minor = minor_step_us(tick, s.px_per_us, S.MIN_MINOR_PX)
        if minor:
            out += [Line(s.x(t), s.y0, s.x(t), s.y1, S.GRID_MINOR, 1.0, cls="grid-minor")
                    for t in ticks(s, minor) if t % tick]
        out += [Line(s.x(t), s.y0, s.x(t), s.y1, S.GRID_MAJOR, 1.0, cls="grid") for t in ticks(s, tick)]
    return tuple(out)


def _axis(systems: list[Span], tick: int, end_us: int | None) -> tuple[Shape, ...]:
    out: list[Shape] = []
    last = len(systems) - 1
    for i, s in enumerate(systems):
        base = s.y0 - 10
        blocked: list[tuple[float, float]] = []
        if end_us is not None and s.holds(end_us, i == last):
            x = s.x(end_us)
            w = text_width("END", S.AXIS_SIZE, bold=True)
            out.append(Text(x, base, "END", S.AXIS_SIZE, S.END_INK, anchor="middle", bold=True, cls="end-label"))
            blocked.append((x - w / 2 - 4, x + w / 2 + 4))
        for t in ticks(s, tick):
            x, label = s.x(t), format_time(t)
            half = text_width(label, S.AXIS_SIZE) / 2
            out.append(Line(x, s.y0 - 5, x, s.y0, S.GRID_MAJOR, 1.0, cls="tick"))
            if all(x + half < a or x - half > b for a, b in blocked):
                out.append(Text(x, base, label, S.AXIS_SIZE, S.MUTED, anchor="middle", cls="tick-label"))
    return tuple(out)


def _meetings(times: tuple[int, ...], systems: list[Span]) -> tuple[Meeting, ...]:
    out = []
    last = len(systems) - 1
    for t in times:
        for i, s in enumerate(systems):
            if s.holds(t, i == last):
                x, w = s.x(t), S.MEETING_WIDTH
                band = Rect(x - w / 2, s.y0, w, s.y1 - s.y0, S.MEETING, cls="meeting")
                pin = Polygon(((x - 5, s.y0 - 7), (x + 5, s.y0 - 7), (x, s.y0 - 1)), S.MEETING_PIN,
                              cls="meeting-pin")
                out.append(Meeting(t, x, band, pin, (("time-us", str(t)), ("time", format_time(t)))))
                break
    return tuple(out)


# -- header -----------------------------------------------------------------------------

def _summary(timeline: Timeline, language: str | None = None) -> str:
    parts = [count(len(timeline.groups), "group", language), count(timeline.cue_count, "cue", language),
             format_time(timeline.duration_us), count(len(timeline.meetings_us), "meeting point", language)]
    if any(e.estimated for g in timeline.groups for e in g.events if e.kind == "say"):
        parts.append(words(language)["estimated"])
    return " \u00b7 ".join(parts)


def _legend_item(kind: str, x: float, mid: float) -> list[Shape]:
    c = S.MUTED
    if kind == "speech":
        return [Rect(x, mid - 6, 22, 12, c, rx=4)]
    if kind.startswith("music"):
        return [Polygon(((x, mid + 6), (x + 6, mid - 5), (x + 16, mid - 5), (x + 22, mid + 6)), c,
                        stroke=c, stroke_width=1.0, opacity=0.3, stroke_opacity=0.75)]
    if kind == "sound":
        return [Polygon(((x + 11, mid - 6.5), (x + 17.5, mid), (x + 11, mid + 6.5), (x + 4.5, mid)), c)]
    if kind == "caption":
        return [Line(x + 8, mid - 7, x + 8, mid + 7, c, 1.6),
                Polygon(((x + 8, mid - 7), (x + 18, mid - 2.5), (x + 8, mid + 2)), c)]
    if kind == "countdown":
        return [Line(x + dx, mid - 6, x + dx, mid + 6, c, 2.0) for dx in (4, 11, 18)]
    if kind == "meeting point":
        return [Rect(x + 4, mid - 8, 14, 16, S.MEETING, opacity=0.55)]
    return [Line(x + 11, mid - 8, x + 11, mid + 8, S.END_INK, 3.0)]


def _legend(x: float, baseline: float, language: str | None = None) -> tuple[list[Shape], float]:
    """Legend shapes starting at ``x``; returns them and the x where they end."""
    out: list[Shape] = []
    names = words(language)["legend"]
    for kind in LEGEND_KEYS:
        out += _legend_item(kind, x, baseline - 4)
        out.append(Text(x + 28, baseline, names[kind], S.LEGEND_SIZE, S.INK, cls="legend-label"))
        x += 28 + text_width(names[kind], S.LEGEND_SIZE) + 20
    return out, x - 20


def _header(timeline: Timeline, title: str, width: float,
            language: str | None = None) -> tuple[tuple[Shape, ...], float]:
    inner = width - 2 * S.MARGIN
    title_text = fit_text(title, inner, S.TITLE_SIZE, bold=True) or ""
    summary = fit_text(_summary(timeline, language), inner, S.SUBTITLE_SIZE) or ""
    sub_y = S.HEADER_TOP + 22
    out: list[Shape] = [Text(S.MARGIN, S.HEADER_TOP, title_text, S.TITLE_SIZE, S.INK, bold=True, cls="title"),
                        Text(S.MARGIN, sub_y, summary, S.SUBTITLE_SIZE, S.MUTED, cls="summary")]
    _, legend_end = _legend(0, 0, language)
    legend_w = legend_end
    after_summary = S.MARGIN + text_width(summary, S.SUBTITLE_SIZE) + 40
    if after_summary + legend_w <= width - S.MARGIN:
        shapes, _ = _legend(width - S.MARGIN - legend_w, sub_y, language)
        bottom = sub_y + 12
    else:
        shapes, _ = _legend(S.MARGIN, sub_y + 24, language)
        bottom = sub_y + 24 + 12
    return tuple(out + shapes), bottom
