"""Fitting text into boxes (pure: the width of a string is injected).

``measure(text, size) -> width`` (same unit as the box width) is given by the
caller — fpdf2's ``get_string_width`` in a PDF, a fake proportional measure
in tests — so wrapping and shrinking never depend on a drawing surface.

Contract of :func:`fit`: the largest size of ``sizes`` at which the text wraps
into at most ``max_lines`` lines no wider than ``width`` without breaking a
word (else, the largest at which it does with words broken); if even the smallest
size does not fit, the smallest size with the text cut after ``max_lines``
lines, the last ending in an ellipsis. Words longer than a line (URLs) are
broken after a ``/?&=-_.`` in the second half of the line, else between
characters. Line breaks in the text are kept; lines break at plain
spaces only, never at a no-break space (U+00A0, U+202F).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Measure = Callable[[str, float], float]
ELLIPSIS = "…"


@dataclass(frozen=True)
class Fitted:
    size: float
    lines: tuple[str, ...]
    truncated: bool = False


URL_BREAKS = "/?&=-_."


def _break_word(word: str, width: float, size: float, measure: Measure) -> list[str]:
    """Pieces of a word too long for a line: after a URL separator when one
    fits on the line (``https://host/`` | ``?g=red&``), else between characters."""
    parts, cur = [], ""
    for ch in word:
        if cur and measure(cur + ch, size) > width:
            cut = max(cur.rfind(c) for c in URL_BREAKS)
            if cut >= len(cur) // 2:
                parts.append(cur[:cut + 1])
                cur = cur[cut + 1:] + ch
            else:
                parts.append(cur)
                cur = ch
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def wrap(text: str, width: float, size: float, measure: Measure) -> list[str]:
    """Greedy word wrap of ``text`` at ``size`` into lines no wider than ``width``."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        words = [w for w in para.replace("\t", " ").split(" ") if w]  # no-break spaces stay inside words
        if not words:
            lines.append("")
            continue
        cur = ""
        for word in words:
            candidate = f"{cur} {word}" if cur else word
            if measure(candidate, size) <= width:
                cur = candidate
                continue
            if cur:
                lines.append(cur)
            if measure(word, size) <= width:
                cur = word
            else:
                pieces = _break_word(word, width, size, measure)
                lines.extend(pieces[:-1])
                cur = pieces[-1]
        lines.append(cur)
    return lines


def _ellipsize(line: str, width: float, size: float, measure: Measure) -> str:
    text = line.rstrip()
    while text and measure(text + ELLIPSIS, size) > width:
        text = text[:-1].rstrip()
    return text + ELLIPSIS


def fit(text: str, width: float, max_lines: int, sizes: Sequence[float], measure: Measure) -> Fitted:
    """See the module docstring. ``sizes`` are tried in the order given (largest first)."""
    if not sizes or max_lines < 1 or width <= 0:
        raise ValueError("fit() needs sizes, max_lines >= 1 and a positive width")
    words = text.split(" ")
    for whole_words in (True, False):  # breaking inside a word only when no size avoids it
        for size in sizes:
            if whole_words and any(measure(w, size) > width for w in words):
                continue
            lines = wrap(text, width, size, measure)
            if len(lines) <= max_lines:
                return Fitted(size, tuple(lines))
    size = sizes[-1]
    lines = wrap(text, width, size, measure)[:max_lines]
    lines[-1] = _ellipsize(lines[-1], width, size, measure)
    return Fitted(size, tuple(lines), truncated=True)
