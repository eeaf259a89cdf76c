"""Text width estimates and truncation, without any font file (pure).

The layout must decide where labels go before any writer runs, so it cannot
ask a font. Widths come from the Helvetica/Arial advance table (the SVG font
stack and the PNG writer's preferred font, Liberation Sans, share these
metrics), with a small safety margin so a somewhat wider fallback font still
fits. Accented letters take their base letter's width; wide (CJK) characters
one em; anything unknown 0.6 em.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "\u2026"
SAFETY = 1.06            # estimates are this much wider than Helvetica
BOLD = 1.07              # Helvetica-Bold is about this much wider

# advance widths in 1/1000 em for ASCII 32..126 (Helvetica AFM)
_ASCII = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,   # space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556,                                  # 0..9
    278, 278, 584, 584, 584, 556, 1015,                                                # :..@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,                   # A..M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611,                   # N..Z
    278, 278, 278, 469, 556, 333,                                                      # [..`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,                   # a..m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500,                   # n..z
    334, 260, 334, 584,                                                                # {..~
)
_EXTRA = {ELLIPSIS: 1000, "\u2013": 556, "\u2014": 1000, "\u00b7": 278, "\u2019": 222,
          "\u2018": 222, "\u201c": 333, "\u201d": 333, "\u00ab": 556, "\u00bb": 556,
          "\u00a0": 278, "\u00df": 611, "\u00e6": 889, "\u00c6": 1000, "\u0153": 944,
          "\u0152": 1000, "\u00f8": 611, "\u00d8": 778}


def _char_units(ch: str) -> int:
    code = ord(ch)
    if 32 <= code <= 126:
        return _ASCII[code - 32]
    if ch in _EXTRA:
        return _EXTRA[ch]
    if unicodedata.combining(ch):
        return 0
    base = unicodedata.normalize("NFD", ch)[0]
    if base != ch and 32 <= ord(base) <= 126:
        return _ASCII[ord(base) - 32]
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1000
    return 600


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated advance width in px of ``text`` set at ``size`` px."""
    units = sum(_char_units(ch) for ch in text)
    return units * size / 1000 * SAFETY * (BOLD if bold else 1.0)


def clean(text: str) -> str:
    """Collapse whitespace (labels are one line)."""
    return " ".join(text.split())


def fit_text(text: str, max_width: float, size: float, bold: bool = False,
             min_chars: int = 1) -> str | None:
    """``text`` if it fits in ``max_width`` px, else the longest prefix ending
    in an ellipsis that fits (cut at a word boundary when that keeps most of
    it). None when fewer than ``min_chars`` characters of ``text`` would remain
    (a text shorter than ``min_chars`` must fit whole)."""
    text = clean(text)
    if text_width(text, size, bold) <= max_width:
        return text
    room = max_width - text_width(ELLIPSIS, size, bold)
    cut, used = 0, 0.0
    for ch in text:
        w = text_width(ch, size, bold)
        if used + w > room:
            break
        used += w
        cut += 1
    prefix = text[:cut].rstrip()
    space = prefix.rfind(" ")
    if space >= max(min_chars, int(cut * 0.6)):
        prefix = prefix[:space]
    prefix = prefix.rstrip(" ,;:.-\u2013\u2014")
    if len(prefix) < min_chars or not prefix:
        return None
    return prefix + ELLIPSIS
