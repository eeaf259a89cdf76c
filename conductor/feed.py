"""The console feed as a typed message (docs/protocol.md, "Console feed").

Server -> console, about once a second and after each change.  Every field
is a typed record; :meth:`ConsoleFeed.to_wire` is its one serializer and
produces the ``feed`` frame the console (``client_web/js/console.js``) reads
and :class:`conductor.messages.Feed` validates (the wire shape is unchanged:
empty aggregates are ``{"playing": 0}`` / ``{"reported": 0}``, tallies are
JSON objects sorted by key).

The aggregates are computed by :mod:`conductor.telemetry` from what phones
report; the service assembles the feed (:meth:`conductor.service.Conductor.feed`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from . import messages as m


@dataclass(frozen=True)
class Drift:
    """Playback position error of playing phones (reported minus expected)."""

    playing: int = 0
    median_us: int | None = None
    max_abs_us: int | None = None

    def to_json(self) -> dict[str, int]:
        if not self.playing:
            return {"playing": 0}
        return {"playing": self.playing, "median_us": self.median_us or 0, "max_abs_us": self.max_abs_us or 0}


@dataclass(frozen=True)
class OutputLatency:
    """Output latency reported by connected phones (Bluetooth shows up here)."""

    reported: int = 0
    median_us: int | None = None
    max_us: int | None = None
    over_150ms: int = 0

    def to_json(self) -> dict[str, int]:
        if not self.reported:
            return {"reported": 0}
        return {"reported": self.reported, "median_us": self.median_us or 0, "max_us": self.max_us or 0,
                "over_150ms": self.over_150ms}


@dataclass(frozen=True)
class Tally:
    """Phones per name (engines, trouble reasons), sorted by name."""

    counts: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> "Tally":
        return cls(tuple(sorted(counts.items())))

    def to_json(self) -> dict[str, int]:
        return dict(self.counts)


OFFSET_BOUNDS_MS = (20, 50, 100, 200, 400)


@dataclass(frozen=True)
class Offsets:
    """Manual audio offsets of connected phones (``status.offset_ms``, ``offset_how``, ``output``):
    ``reported`` phones said, ``applied`` of them play with a non-zero offset; over those, the
    median and largest |offset| (ms), ``counts[i]``: |offset| <= ``OFFSET_BOUNDS_MS[i]`` (and above
    the previous bound), the last count above the last bound; ``how`` they were chosen and the
    ``outputs`` of every reporting phone (Bluetooth shows up here)."""

    reported: int = 0
    applied: int = 0
    median_ms: int | None = None
    max_abs_ms: int | None = None
    counts: tuple[int, ...] = (0,) * (len(OFFSET_BOUNDS_MS) + 1)
    how: Tally = Tally()
    outputs: Tally = Tally()

    def to_json(self) -> dict[str, Any]:
        if not self.reported:
            return {"reported": 0}
        return {"reported": self.reported, "applied": self.applied, "median_ms": self.median_ms or 0,
                "max_abs_ms": self.max_abs_ms or 0, "bounds_ms": list(OFFSET_BOUNDS_MS), "counts": list(self.counts),
                "how": self.how.to_json(), "outputs": self.outputs.to_json()}


@dataclass(frozen=True)
class ConsoleFeed:
    """What the console shows.  ``ntp`` is the NTP worker's status
    (:meth:`conductor.ntp.NtpWorker.status`, passed through; ``{}`` without NTP)."""

    TYPE: ClassVar[str] = "feed"
    show: m.ShowInfo
    server_time_us: int
    groups: tuple[m.GroupCount, ...]
    participants_total: int
    connected_total: int
    capacity: int | None
    sync_error: m.Histogram
    engines: Tally
    drift: Drift
    output_latency: OutputLatency
    ntp: Mapping[str, Any]
    seats: m.SeatCounts
    announcements: tuple[m.AnnouncementInfo, ...] = ()
    alarms: tuple[m.AlarmInfo, ...] = ()
    trouble: Tally = Tally()
    nodes: tuple[m.NodeInfo, ...] = ()
    rehearsal: m.ShowInfo | None = None
    offsets: Offsets = Offsets()

    def to_json(self) -> dict[str, Any]:
        return {"type": self.TYPE, "show": m.to_dict(self.show), "server_time_us": self.server_time_us,
                "groups": [m.to_dict(g) for g in self.groups], "participants_total": self.participants_total,
                "connected_total": self.connected_total, "capacity": self.capacity,
                "sync_error": m.to_dict(self.sync_error), "engines": self.engines.to_json(),
                "drift": self.drift.to_json(), "output_latency": self.output_latency.to_json(),
                "ntp": dict(self.ntp), "seats": m.to_dict(self.seats),
                "announcements": [m.to_dict(a) for a in self.announcements],
                "alarms": [m.to_dict(a) for a in self.alarms], "trouble": self.trouble.to_json(),
                "nodes": [m.to_dict(n) for n in self.nodes],
                "rehearsal": m.to_dict(self.rehearsal) if self.rehearsal is not None else None,
                "offsets": self.offsets.to_json()}

    def to_wire(self) -> str:
        """The ``feed`` text frame (UTF-8-safe as :func:`conductor.messages.to_wire`)."""
        obj = self.to_json()
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate reached a string: write ASCII escapes instead
            text = json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
        return text
