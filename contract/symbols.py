"""Group symbols: the shape a phone shows next to a group's name and colour.

A colour alone does not tell groups apart for colour-blind participants, so
where a group is revealed (a surprise show's reveal, docs/playback.md) the
phone shows its name, its colour *and* one of these shapes.  The score may
choose one per group (``groups: {red: {symbol: star}}``); otherwise a group
gets the shape of its position in the score (:func:`default_symbol`).  The
phone draws each one (``client_web/js/surprise.js``); a name the phone does
not know is drawn as a circle.
"""

from __future__ import annotations

SYMBOLS = ("circle", "square", "triangle", "diamond", "star", "cross", "heart", "hexagon")


def default_symbol(index: int) -> str:
    """The symbol of the ``index``-th group of a score when it names none."""
    return SYMBOLS[index % len(SYMBOLS)]
