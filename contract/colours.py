"""The one colour a bundle manifest may hold: ``#rrggbb`` in lower case.

A group colour ends up in CSS on phones, consoles and printed matter, so
nothing but six lower-case hex digits after ``#`` may get through.  The
score's colour rule (``tools/score/colours.parse_colour``: names, ``#rgb``,
upper case) normalises to exactly this form; the conductor refuses any other
when it loads a bundle, and the manifest's JSON Schema carries
:data:`MANIFEST_COLOUR` as the pattern (the phone checks it again).
"""

from __future__ import annotations

import re

MANIFEST_COLOUR = r"^#[0-9a-f]{6}$"
EXPECTED = '"#rrggbb" in lower case (as flashmob render writes it)'
DEFAULT_COLOUR = "#888888"  # a group without a colour (hand-made bundles)

_COLOUR = re.compile(MANIFEST_COLOUR)


def is_manifest_colour(value: object) -> bool:
    """True for ``#rrggbb`` in lower case, and for nothing else."""
    return isinstance(value, str) and _COLOUR.fullmatch(value) is not None
