"""The plan's visual vocabulary: colours, font sizes, spacing (constants only).

Everything that decides *how the plan looks* but not *where things go* lives
here, so layout, SVG and PNG agree without repeating magic numbers.
"""

from __future__ import annotations

# -- page -------------------------------------------------------------------
BACKGROUND = "#ffffff"
INK = "#263238"              # main text
MUTED = "#607d8b"            # secondary text, legend shapes
GRID_MAJOR = "#cfd8dc"
GRID_MINOR = "#eceff1"
MEETING = "#ffb300"          # meeting bands (drawn as one translucent layer)
MEETING_OPACITY = 0.30
MEETING_PIN = "#ff8f00"
END_INK = "#212121"

FONT_FAMILY = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', Arimo, sans-serif"

# -- font sizes (px) --------------------------------------------------------
TITLE_SIZE = 22
SUBTITLE_SIZE = 13
LEGEND_SIZE = 12
AXIS_SIZE = 11
GROUP_SIZE = 14
LABEL_SIZE = 11
MUSIC_LABEL_SIZE = 10
COUNT_SIZE = 9

# -- geometry (px) ----------------------------------------------------------
DEFAULT_WIDTH = 1600
MARGIN = 16                  # page margin left/right/bottom
GUTTER = 128                 # group names, left of the time plot
PLOT_RIGHT_PAD = 36          # room after the last tick (end label, spilling labels)
HEADER_TOP = 34              # title baseline
AXIS_HEIGHT = 26             # tick labels above each system's lanes
LANE_GAP = 6
SYSTEM_GAP = 26
LABEL_ROWS = 3
LABEL_ROW_HEIGHT = 14
LANE_PAD_TOP = 6
TRACK_HEIGHT = 20            # speech blocks, markers
MUSIC_GAP = 5
MUSIC_ROW_HEIGHT = 16
LANE_PAD_BOTTOM = 7
MEETING_WIDTH = 10           # a meeting band is this wide, centred on its time
MIN_TICK_PX = 64             # labelled ticks at least this far apart
MIN_MINOR_PX = 30
MIN_PX_PER_S = 2.0           # below this, the show is folded into several systems
MAX_LABEL_PX = 340


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` (or ``#rgb``) -> (r, g, b)."""
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def mix(colour: str, other: str, t: float) -> str:
    """``colour`` moved a fraction ``t`` (0..1) towards ``other``, as ``#rrggbb``."""
    a, b = hex_rgb(colour), hex_rgb(other)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


def tint(colour: str, t: float = 0.93) -> str:
    """A pale version of ``colour`` (lane backgrounds)."""
    return mix(colour, "#ffffff", t)


def shade(colour: str, t: float = 0.35) -> str:
    """A darker version of ``colour`` (text and markers on a tint)."""
    return mix(colour, "#000000", t)
