"""Time values in scores -> integer microseconds, and back.

Semantics (the same for every time field, quoted or not):

=====================  ==========================================
written                meaning
=====================  ==========================================
``45``  ``45.5``       seconds
``1:30``               minutes:seconds (90 s) — never sexagesimal
``1:02:03.250``        hours:minutes:seconds.fraction
``0:05.5``             5.5 s
``90s`` ``500ms``      seconds, milliseconds
``2m`` ``1h``          minutes, hours
``1m30s`` ``1h2m3s``   units may be combined, largest first
=====================  ==========================================

Fractions are exact to the microsecond (at most 6 decimals); nothing goes
through a float, so no rounding drift accumulates. In ``m:ss`` forms the
seconds and minutes fields after the first must be below 60.
"""

from __future__ import annotations

import re

US_PER_S = 1_000_000

_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+)(?:\.(\d{1,6}))?$")
_NUMBER = re.compile(r"^(\d+)(?:\.(\d{1,6}))?$")
_UNITS = re.compile(r"^(?:(\d+(?:\.\d{1,6})?)h)?(?:(\d+(?:\.\d{1,6})?)m(?!s))?"
                    r"(?:(\d+(?:\.\d{1,6})?)s)?(?:(\d+(?:\.\d{1,3})?)ms)?$")

EXPECTED = ("a time such as 45, 1:30, 1:02:03.250, 90s, 500ms, 2m or 1m30s")


class TimeFormatError(ValueError):
    """The text is not a time; the message says what was expected."""


def _decimal_us(whole: str, frac: str | None, unit_us: int) -> int:
    frac = frac or ""
    # exact: whole*unit + frac/10^len * unit, computed in integers
    return int(whole) * unit_us + (int(frac) * unit_us // 10 ** len(frac) if frac else 0)


def _unit_value(text: str | None, unit_us: int) -> int:
    if text is None:
        return 0
    whole, _, frac = text.partition(".")
    return _decimal_us(whole, frac or None, unit_us)


def parse_time(text: str) -> int:
    """Parse a time as written in a score; returns integer microseconds (>= 0)."""
    t = text.strip()
    if not t:
        raise TimeFormatError(f"expected {EXPECTED}, found nothing")
    if t.startswith("-"):
        raise TimeFormatError(f"times cannot be negative, found '{text}'")
    m = _NUMBER.match(t)
    if m:
        return _decimal_us(m.group(1), m.group(2), US_PER_S)
    m = _CLOCK.match(t)
    if m:
        hours, minutes, seconds, frac = m.groups()
        if int(seconds) >= 60:
            raise TimeFormatError(f"seconds must be below 60 in '{text}'")
        if hours is not None and int(minutes) >= 60:
            raise TimeFormatError(f"minutes must be below 60 in '{text}'")
        total_s = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
        return _decimal_us(str(total_s), frac, US_PER_S)
    m = _UNITS.match(t.replace(" ", ""))
    if m and any(m.groups()):
        h, mi, s, ms = m.groups()
        return (_unit_value(h, 3600 * US_PER_S) + _unit_value(mi, 60 * US_PER_S)
                + _unit_value(s, US_PER_S) + _unit_value(ms, 1000))
    raise TimeFormatError(f"expected {EXPECTED}, found '{text}'")


def format_time(us: int) -> str:
    """Format microseconds the way organizers write them: ``m:ss`` or ``h:mm:ss``,
    with milliseconds only when not whole seconds (``1:30``, ``0:05.500``)."""
    sign = "-" if us < 0 else ""
    us = abs(us)
    total_ms, _ = divmod(us, 1000)
    s, ms = divmod(total_ms, 1000)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    body = f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
    if ms:
        body += f".{ms:03d}"
    return sign + body


def us_to_samples(us: int, sample_rate: int) -> int:
    """Microseconds -> nearest sample index (integer arithmetic, half up)."""
    return (us * sample_rate + US_PER_S // 2) // US_PER_S


def samples_to_ms(samples: int, sample_rate: int) -> int:
    """Samples -> nearest millisecond (integer arithmetic, half up).

    For displaying score positions; a bundle's durations follow the contract's
    duration rule instead (``flashmob.contract.duration``: rounded up)."""
    return (samples * 1000 + sample_rate // 2) // sample_rate
