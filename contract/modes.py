"""Assignment modes: how the conductor puts a phone in a group (``--assign``).

The one list, used by ``flashmob serve --assign`` (the conductor's registry
applies it) and ``flashmob qr --assign`` (the print kit prints what that mode
honours), so the two can never disagree:

* ``balanced`` - the conductor picks the group whose count is lowest relative
  to its share; one general join URL (``PUBLIC/``).
* ``random`` - drawn with probability proportional to the shares; one general URL.
* ``fixed`` - the join URL carries the group and its signed token
  (:mod:`.grouptokens`), one per group; a general URL, a missing or forged
  token is refused.
* ``choice`` - the participant picks; a join URL that carries a group (a
  badge's personal URL) picks it for them.

:data:`GROUP_MODES` are the modes that honour the group of a join URL.
"""

from __future__ import annotations

MODES = ("balanced", "random", "fixed", "choice")
GROUP_MODES = ("fixed", "choice")
"""Assignment modes in which the conductor honours the group of a join URL."""


def check_mode(mode: str) -> str:
    """``mode`` if it is one of :data:`MODES`, else ValueError naming the choices."""
    if mode not in MODES:
        raise ValueError(f"assignment mode must be one of {', '.join(MODES)}, not {mode!r}")
    return mode
