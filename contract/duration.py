"""The bundle duration rule: samples -> time, rounded up, once.

A show's length is ``samples`` at ``sample_rate`` (every group's timeline
has the same length).  Converted to a time unit it is rounded **up** — the
show is over only once its last sample has played — with exact integer
arithmetic:

* :func:`samples_to_us` ``ceil(samples * 1e6 / rate)``: the conductor's show
  duration (``duration_us`` on the wire);
* :func:`samples_to_ms` ``ceil(samples * 1000 / rate)``: what the renderer
  writes as ``duration.ms`` and ``mp3.duration_ms``, and what captions and
  printed matter use.

A manifest without ``samples`` (hand-made bundles) gives its length as
``duration.ms`` alone: :func:`show_duration_us` is then ``ms * 1000``.
Before this rule the renderer rounded ``duration.ms`` to the nearest
millisecond and the print kit floored it; both agree with the new rule
whenever the duration is a whole number of milliseconds (every score whose
length is not set by a speech clip), and differ by at most 1 ms otherwise.
"""

from __future__ import annotations

US_PER_S = 1_000_000


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def samples_to_us(samples: int, sample_rate: int) -> int:
    """Samples -> microseconds, rounded up (exact integers)."""
    return _ceil_div(samples * US_PER_S, sample_rate)


def samples_to_ms(samples: int, sample_rate: int) -> int:
    """Samples -> milliseconds, rounded up (exact integers)."""
    return _ceil_div(samples * 1000, sample_rate)


def show_duration_us(samples: int | None, ms: int | None, sample_rate: int | None) -> int | None:
    """The show's length in µs: from ``samples`` when both it and the rate are known, else ``ms``."""
    if samples is not None and sample_rate:
        return samples_to_us(samples, sample_rate)
    return ms * 1000 if ms is not None else None


def show_duration_ms(samples: int | None, ms: int | None, sample_rate: int | None) -> int | None:
    """The show's length in ms, by the same rule (rounded up from µs)."""
    us = show_duration_us(samples, ms, sample_rate)
    return _ceil_div(us, 1000) if us is not None else None
