"""Group colours: ``#rgb``/``#rrggbb`` or a few common names -> ``#rrggbb``.

:func:`parse_colour` is the score's rule; its output, ``#rrggbb`` in lower
case, is the only form a bundle manifest may hold (:func:`is_manifest_colour`, the
rule of :mod:`flashmob.contract.colours`, checked again by the conductor when it loads a bundle: a colour ends up in
CSS on phones and consoles, so nothing else may get through)."""

from __future__ import annotations

import re

from flashmob.contract.colours import is_manifest_colour as _contract_colour

NAMED = {
    "red": "#d32f2f", "blue": "#1976d2", "green": "#388e3c", "yellow": "#fbc02d",
    "orange": "#f57c00", "purple": "#7b1fa2", "pink": "#c2185b", "cyan": "#0097a7",
    "teal": "#00796b", "brown": "#5d4037", "grey": "#616161", "gray": "#616161",
    "black": "#212121", "white": "#fafafa",
    # French names, since scores are often written in French
    "rouge": "#d32f2f", "bleu": "#1976d2", "vert": "#388e3c", "jaune": "#fbc02d",
    "violet": "#7b1fa2", "rose": "#c2185b", "gris": "#616161", "noir": "#212121",
    "blanc": "#fafafa", "marron": "#5d4037",
}
PALETTE = ("#d32f2f", "#1976d2", "#388e3c", "#f57c00", "#7b1fa2", "#0097a7", "#c2185b", "#5d4037")
_HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_colour(text: str) -> str | None:
    """Normalise a colour to ``#rrggbb`` (lower case); None if not a colour."""
    t = text.strip()
    if t.lower() in NAMED:
        return NAMED[t.lower()]
    m = _HEX.match(t)
    if not m:
        return None
    digits = m.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def is_manifest_colour(value: object) -> bool:
    """True for exactly what :func:`parse_colour` produces: ``#rrggbb``, lower case (the contract's rule)."""
    return _contract_colour(value)


def default_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]
