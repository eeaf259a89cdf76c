"""Telemetry: what connected phones say about themselves, aggregated for the console feed.

Sans-I/O.  :class:`Telemetry` counts the open sockets of each participant id
and keeps the last ``status`` each one reported (with its playback drift,
computed by the caller from the show record and the frame's receive time).
It decides nothing about admission (:mod:`conductor.registry`) and writes
nothing: its aggregates are the typed records of :mod:`conductor.feed`.
Status reports are the hot path (every phone, every few seconds): ``report``
does a dict lookup and two stores.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from . import messages as m
from .bundle import GroupInfo
from .feed import Drift, OutputLatency, Tally
from .seats import CONFIRMED, SeatBook

SYNC_BOUNDS_US = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)


@dataclass
class Live:
    """What a connected phone last said about itself."""

    sockets: int = 0
    status: m.Status | None = None
    drift_us: int | None = None


class Telemetry:
    def __init__(self, groups: tuple[GroupInfo, ...]) -> None:
        self.groups = groups
        self.live: dict[str, Live] = {}

    # -- connections and status --------------------------------------------------------

    def connected(self, pid: str) -> None:
        self.live.setdefault(pid, Live()).sockets += 1

    def disconnected(self, pid: str) -> None:
        live = self.live.get(pid)
        if live is None:
            return
        live.sockets -= 1
        if live.sockets <= 0:
            del self.live[pid]

    def report(self, pid: str, status: m.Status, *, expected_position_us: int | None) -> None:
        """Record a status; ``expected_position_us`` is where the show was when it arrived."""
        live = self.live.get(pid)
        if live is None:
            return
        live.status = status
        live.drift_us = (status.position_us - expected_position_us
                         if status.position_us is not None and expected_position_us is not None else None)

    # -- aggregation --------------------------------------------------------------------

    def group_counts(self, seats: SeatBook) -> tuple[m.GroupCount, ...]:
        """Per group: confirmed seats, connected phones, connected phones whose seat is confirmed."""
        held = {g.id: 0 for g in self.groups}
        connected = {g.id: 0 for g in self.groups}
        ready = {g.id: 0 for g in self.groups}
        for seat in seats.confirmed.values():
            held[seat.group] += 1
        for pid in self.live:
            seat = seats.seat(pid)
            if seat is None:
                continue
            connected[seat.group] += 1
            if seat.state == CONFIRMED:
                ready[seat.group] += 1
        return tuple(m.GroupCount(id=g.id, name=g.name, colour=g.colour, share=g.share,
                                  participants=held[g.id], connected=connected[g.id], ready=ready[g.id])
                     for g in self.groups)

    def sync_histogram(self) -> m.Histogram:
        counts = [0] * (len(SYNC_BOUNDS_US) + 1)
        unknown = 0
        for live in self.live.values():
            bound = live.status.sync_error_us if live.status else None
            if bound is None:
                unknown += 1
                continue
            i = next((i for i, b in enumerate(SYNC_BOUNDS_US) if bound <= b), len(SYNC_BOUNDS_US))
            counts[i] += 1
        return m.Histogram(bounds_us=SYNC_BOUNDS_US, counts=tuple(counts), unknown=unknown)

    def engines(self) -> Tally:
        out: dict[str, int] = {}
        for live in self.live.values():
            name = (live.status.engine if live.status else None) or "unknown"
            out[name] = out.get(name, 0) + 1
        return Tally.of(out)

    def trouble(self) -> Tally:
        """Connected phones whose sound is in trouble, per reason (``status.trouble``)."""
        out: dict[str, int] = {}
        for live in self.live.values():
            reason = live.status.trouble if live.status else None
            if reason:
                out[reason] = out.get(reason, 0) + 1
        return Tally.of(out)

    def output_latency(self) -> OutputLatency:
        values = sorted(live.status.output_latency_us for live in self.live.values()
                        if live.status is not None and live.status.output_latency_us is not None)
        if not values:
            return OutputLatency()
        return OutputLatency(reported=len(values), median_us=int(statistics.median(values)), max_us=values[-1],
                             over_150ms=sum(v > 150_000 for v in values))

    def drift(self) -> Drift:
        drifts = [live.drift_us for live in self.live.values() if live.drift_us is not None]
        if not drifts:
            return Drift()
        return Drift(playing=len(drifts), median_us=int(statistics.median(drifts)),
                     max_abs_us=max(abs(d) for d in drifts))
