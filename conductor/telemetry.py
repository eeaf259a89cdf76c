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
from bisect import bisect_left
from dataclasses import dataclass

from . import messages as m
from .bundle import GroupInfo
from .feed import OFFSET_BOUNDS_MS, Drift, Offsets, OutputLatency, Tally
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

    def aggregate(self) -> "Aggregate":
        """Every per-phone aggregate of the feed, in one pass over the connected phones
        (the feed is built every second: at 10,000 phones one pass instead of five)."""
        bounds = SYNC_BOUNDS_US
        counts = [0] * (len(bounds) + 1)
        unknown = 0
        engines: dict[str, int] = {}
        trouble: dict[str, int] = {}
        latencies: list[int] = []
        drifts: list[int] = []
        offsets: list[int] = []  # non-zero offsets applied
        offset_counts = [0] * (len(OFFSET_BOUNDS_MS) + 1)
        offset_reported = 0
        hows: dict[str, int] = {}
        outputs: dict[str, int] = {}
        for live in self.live.values():
            st = live.status
            if st is None:
                unknown += 1
                engines["unknown"] = engines.get("unknown", 0) + 1
                continue
            bound = st.sync_error_us
            if bound is None:
                unknown += 1
            else:
                counts[bisect_left(bounds, bound)] += 1  # the first bound >= it; past the last: "above"
            name = st.engine or "unknown"
            engines[name] = engines.get(name, 0) + 1
            if st.trouble:
                trouble[st.trouble] = trouble.get(st.trouble, 0) + 1
            if st.output_latency_us is not None:
                latencies.append(st.output_latency_us)
            if live.drift_us is not None:
                drifts.append(live.drift_us)
            if st.output is not None:
                outputs[st.output] = outputs.get(st.output, 0) + 1
            if st.offset_ms is not None:
                offset_reported += 1
                if st.offset_ms:
                    offsets.append(st.offset_ms)
                    offset_counts[bisect_left(OFFSET_BOUNDS_MS, abs(st.offset_ms))] += 1
                    how = st.offset_how or "manual"
                    hows[how] = hows.get(how, 0) + 1
        latency = OutputLatency()
        if latencies:
            latencies.sort()
            latency = OutputLatency(reported=len(latencies), median_us=int(statistics.median(latencies)),
                                    max_us=latencies[-1], over_150ms=sum(v > 150_000 for v in latencies))
        drift = Drift()
        if drifts:
            drift = Drift(playing=len(drifts), median_us=int(statistics.median(drifts)),
                          max_abs_us=max(abs(d) for d in drifts))
        offset = Offsets()
        if offset_reported:
            offset = Offsets(reported=offset_reported, applied=len(offsets),
                             median_ms=int(statistics.median(offsets)) if offsets else None,
                             max_abs_ms=max((abs(v) for v in offsets), default=None), counts=tuple(offset_counts),
                             how=Tally.of(hows), outputs=Tally.of(outputs))
        return Aggregate(sync_error=m.Histogram(bounds_us=bounds, counts=tuple(counts), unknown=unknown),
                         engines=Tally.of(engines), trouble=Tally.of(trouble), output_latency=latency, drift=drift,
                         offsets=offset)

    def sync_histogram(self) -> m.Histogram:
        return self.aggregate().sync_error

    def engines(self) -> Tally:
        return self.aggregate().engines

    def trouble(self) -> Tally:
        """Connected phones whose sound is in trouble, per reason (``status.trouble``)."""
        return self.aggregate().trouble

    def output_latency(self) -> OutputLatency:
        return self.aggregate().output_latency

    def drift(self) -> Drift:
        return self.aggregate().drift


@dataclass(frozen=True)
class Aggregate:
    """What :meth:`Telemetry.aggregate` counts (the feed's fields of the same names)."""

    sync_error: m.Histogram
    engines: Tally
    trouble: Tally
    output_latency: OutputLatency
    drift: Drift
    offsets: Offsets = Offsets()
