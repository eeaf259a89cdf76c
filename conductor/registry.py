"""Participants: admission, group assignment, connection and status aggregation.

Sans-I/O: the registry holds the admitted participants (id -> group, loaded
from the state store at start) and the live status of connected phones; it
decides, the service persists and sends.

Assignment modes (per show, chosen by the organizer with ``--assign``):

* ``balanced`` - the group whose count is lowest relative to its share
  (minimises ``(count + 1) / share``; ties go to the first group).  Counts
  are of admitted participants, so they survive restarts and reconnections.
* ``random`` - drawn with probability proportional to the shares.
* ``fixed`` - the join URL carries ``group`` and a signed ``group_token``
  (one QR per group); a missing or forged token is refused.
* ``choice`` - the participant picks (``hello.group``); without one the reply
  lists the groups to choose from.

Groups with share 0 are never drawn (``balanced``/``random``) but can be
joined through ``fixed`` or ``choice``.  A known participant id keeps its group
whatever the hello says.  ``capacity`` bounds the number of admitted
participants (the crowd size declared to the authorities); known participants
always get back in.
"""

from __future__ import annotations

import random
import secrets
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from . import messages as m
from .bundle import GroupInfo
from .tokens import GroupSigner

MODES = ("balanced", "random", "fixed", "choice")
SYNC_BOUNDS_US = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)


class JoinRefused(Exception):
    def __init__(self, code: str, message: str, *, detail: dict | None = None, fatal: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail
        self.fatal = fatal


@dataclass(frozen=True)
class Admission:
    participant_id: str
    group: str
    new: bool


@dataclass
class Live:
    """What a connected phone last said about itself."""

    sockets: int = 0
    status: m.Status | None = None
    drift_us: int | None = None


def new_participant_id() -> str:
    return secrets.token_urlsafe(12)


class Registry:
    def __init__(self, groups: tuple[GroupInfo, ...], mode: str = "balanced", *, capacity: int | None = None,
                 signer: GroupSigner | None = None, rng: random.Random | None = None,
                 new_id: Callable[[], str] = new_participant_id, known: dict[str, str] | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"assignment mode must be one of {', '.join(MODES)}, not {mode!r}")
        if mode == "fixed" and signer is None:
            raise ValueError("fixed assignment needs a group signer")
        if capacity is not None and capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.groups = groups
        self.mode = mode
        self.capacity = capacity
        self._signer = signer
        self._rng = rng or random.Random()
        self._new_id = new_id
        self._ids = {g.id for g in groups}
        self.known: dict[str, str] = {}
        self.counts: dict[str, int] = {g.id: 0 for g in groups}
        self.live: dict[str, Live] = {}
        for pid, gid in (known or {}).items():
            if gid in self._ids:
                self._remember(pid, gid)

    def _remember(self, pid: str, gid: str) -> None:
        self.known[pid] = gid
        self.counts[gid] += 1

    def forget(self, pid: str) -> None:
        """Undo the admission of ``pid`` (its write to the state store failed)."""
        gid = self.known.pop(pid, None)
        if gid is not None:
            self.counts[gid] -= 1

    # -- admission --------------------------------------------------------------------

    def admit(self, hello: m.Hello) -> Admission:
        """Admit a hello: the same group for a known id, a new id and group otherwise."""
        pid = hello.participant_id
        if pid is not None and pid in self.known:
            return Admission(pid, self.known[pid], new=False)
        if self.capacity is not None and len(self.known) >= self.capacity:
            raise JoinRefused(m.CAPACITY_REACHED,
                              f"This flashmob is full: the organizer declared at most {self.capacity} participants.",
                              fatal=True)
        gid = self._assign(hello)
        new_pid = self._new_id()
        while new_pid in self.known:  # pragma: no cover - 96-bit ids
            new_pid = self._new_id()
        self._remember(new_pid, gid)
        return Admission(new_pid, gid, new=True)

    def _assign(self, hello: m.Hello) -> str:
        if self.mode == "balanced":
            drawable = [g for g in self.groups if g.share > 0]
            return min(drawable, key=lambda g: Fraction(self.counts[g.id] + 1, g.share)).id
        if self.mode == "random":
            drawable = [g for g in self.groups if g.share > 0]
            return self._rng.choices(drawable, weights=[g.share for g in drawable])[0].id
        choices = {"groups": list(self._ids_in_order())}
        if hello.group is None:
            text = ("Scan the QR code of your group to join." if self.mode == "fixed"
                    else "Choose your group.")
            raise JoinRefused(m.GROUP_REQUIRED, text, detail=choices if self.mode == "choice" else None)
        if hello.group not in self._ids:
            raise JoinRefused(m.GROUP_INVALID, f"There is no group {hello.group[:64]!r} in this show.",
                              detail=choices if self.mode == "choice" else None)
        if self.mode == "fixed":
            assert self._signer is not None
            if not self._signer.verify(hello.group, hello.group_token):
                raise JoinRefused(m.GROUP_TOKEN_INVALID,
                                  "This join link is not valid for that group: scan the QR code again.")
        return hello.group

    def _ids_in_order(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)

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

    def group_counts(self) -> tuple[m.GroupCount, ...]:
        connected = {g.id: 0 for g in self.groups}
        ready = {g.id: 0 for g in self.groups}
        for pid, live in self.live.items():
            gid = self.known.get(pid)
            if gid is None:
                continue
            connected[gid] += 1
            if live.status is not None and live.status.verified:
                ready[gid] += 1
        return tuple(m.GroupCount(id=g.id, name=g.name, colour=g.colour, share=g.share,
                                  participants=self.counts[g.id], connected=connected[g.id], ready=ready[g.id])
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

    def engines(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for live in self.live.values():
            name = (live.status.engine if live.status else None) or "unknown"
            out[name] = out.get(name, 0) + 1
        return dict(sorted(out.items()))

    def trouble(self) -> dict[str, int]:
        """Connected phones whose sound is in trouble, per reason (``status.trouble``)."""
        out: dict[str, int] = {}
        for live in self.live.values():
            reason = live.status.trouble if live.status else None
            if reason:
                out[reason] = out.get(reason, 0) + 1
        return dict(sorted(out.items()))

    def output_latency(self) -> dict[str, int]:
        """Output latency reported by connected phones (Bluetooth shows up here)."""
        values = sorted(live.status.output_latency_us for live in self.live.values()
                        if live.status is not None and live.status.output_latency_us is not None)
        if not values:
            return {"reported": 0}
        return {"reported": len(values), "median_us": int(statistics.median(values)), "max_us": values[-1],
                "over_150ms": sum(v > 150_000 for v in values)}

    def drift(self) -> dict[str, int]:
        """Playback position error of playing phones (reported minus expected)."""
        drifts = [live.drift_us for live in self.live.values() if live.drift_us is not None]
        if not drifts:
            return {"playing": 0}
        return {"playing": len(drifts), "median_us": int(statistics.median(drifts)),
                "max_abs_us": max(abs(d) for d in drifts)}
