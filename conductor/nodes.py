"""The conductor processes of one show, as their heartbeats say (sans-I/O).

When several conductors share a show through Redis (docs/architecture.md,
"Backplane"), each publishes a :class:`Heartbeat` about once a second
(:mod:`conductor.redisfollow` writes and reads them); this module holds the
rules about them:

* :func:`heartbeat` is what a node says about itself: its phones, the revision
  it holds, its clock against Redis's (``skew_us``, the best of the last
  samples: the one with the shortest round trip) and the NTP offset it applied.
* A heartbeat is stamped with the Redis host's clock (``at_us``: its ``TIME``
  read for the heartbeat), so its age does not depend on the clocks being
  compared: one older than ``STALE_US`` is of a node that is gone, left out of
  every total and every comparison.  A reader turns its server time into
  Redis's with its own ``skew_us`` (:attr:`Cluster.skew_us`).
* :class:`Cluster` is the whole show as one node sees it: the other fresh
  nodes' heartbeats and the confirmed seats per group kept in Redis.  The
  console feed's totals are whole-show totals (:func:`whole_groups`; the sync
  errors, engines and trouble too, :func:`whole_tallies`) and its
  ``nodes`` list has every fresh node, this one first (:func:`node_infos`).
* :func:`duplicate_check`: the heartbeat this node replaces is another
  process's (another ``instance``) and fresh: two processes run with one
  ``--node-id`` and their counts overwrite each other — the alarm
  ``nodes.duplicate`` says so.
* :func:`clock_check` compares the fresh nodes' ``skew_us``: when two differ by
  more than ``MAX_DISAGREEMENT_US`` (2 ms) it raises the alarm ``nodes.clock``
  (naming them), else clears it.  Phones of different nodes would otherwise
  start that far apart.

Time is passed in (server µs); nothing here reads a clock or does I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from . import effects as fx
from . import messages as m

STALE_US = 5_000_000
"""A heartbeat older than this is of a node that is gone."""
MAX_DISAGREEMENT_US = 2_000
"""Two nodes' clocks further apart than this raise ``nodes.clock``."""
CLOCK_ALARM = "nodes.clock"
DUPLICATE_ALARM = "nodes.duplicate"


@dataclass(frozen=True)
class Heartbeat:
    """What one node publishes about itself (JSON in the Redis hash ``nodes``)."""

    node: str
    at_us: int  # the Redis host's clock when it was taken
    revision: int
    connected: int
    ready: int
    playing: int
    pending: int
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)  # group -> (connected, ready)
    skew_us: int | None = None
    rtt_us: int | None = None
    ntp_offset_us: int | None = None
    instance: str = ""  # random per process: two processes given one --node-id are told apart
    sync_counts: tuple[int, ...] = ()  # the feed's sync_error histogram of its phones (same bounds)
    sync_unknown: int = 0
    engines: dict[str, int] = field(default_factory=dict)
    trouble: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> "Heartbeat | None":
        """A heartbeat, or None for anything that is not one (never raises)."""
        try:
            d = json.loads(text)
            groups = {str(g): (int(c), int(r)) for g, (c, r) in dict(d.get("groups") or {}).items()}
            opt = {k: (None if d.get(k) is None else int(d[k])) for k in ("skew_us", "rtt_us", "ntp_offset_us")}
            tallies = {k: {str(n)[:64]: int(v) for n, v in dict(d.get(k) or {}).items()} for k in ("engines", "trouble")}
            return cls(node=str(d["node"])[:64], at_us=int(d["at_us"]), revision=int(d["revision"]),
                       connected=int(d["connected"]), ready=int(d["ready"]), playing=int(d["playing"]),
                       pending=int(d["pending"]), groups=groups, instance=str(d.get("instance", ""))[:64],
                       sync_counts=tuple(int(n) for n in d.get("sync_counts") or ()),
                       sync_unknown=int(d.get("sync_unknown") or 0), **tallies, **opt)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


class SkewFilter:
    """The node's clock minus Redis's: of the last ``window`` samples, the one with the
    shortest round trip (its error is at most half that round trip)."""

    def __init__(self, window: int = 8) -> None:
        self.window = window
        self._samples: list[tuple[int, int]] = []  # (rtt_us, skew_us)

    def add(self, before_us: int, redis_us: int, after_us: int) -> None:
        rtt = max(0, after_us - before_us)
        self._samples.append((rtt, (before_us + after_us) // 2 - redis_us))
        del self._samples[:-self.window]

    def best(self) -> tuple[int, int] | None:
        """(skew_us, rtt_us) of the best sample, None before the first."""
        if not self._samples:
            return None
        rtt, skew = min(self._samples)
        return skew, rtt


MAX_ENGINES = 16
"""Engine names a heartbeat carries (phones name their own: a hostile crowd could name thousands)."""


def capped(tally: Mapping[str, int], limit: int = MAX_ENGINES) -> dict[str, int]:
    """The ``limit`` - 1 largest counts, the rest summed as ``other``."""
    if len(tally) <= limit:
        return dict(tally)
    ranked = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
    out = dict(ranked[:limit - 1])
    out["other"] = out.get("other", 0) + sum(v for _, v in ranked[limit - 1:])
    return out


def heartbeat(node: str, redis_now: int, core, *, skew: tuple[int, int] | None,
              ntp_offset_us: int | None, instance: str = "") -> Heartbeat:
    """This node's heartbeat, from the core (:class:`conductor.service.Conductor`), at
    ``redis_now`` (the Redis host's time)."""
    groups = core.telemetry.group_counts(core.registry.seats)
    agg = core.telemetry.aggregate()
    return Heartbeat(node=node, at_us=redis_now, revision=core.record.revision,
                     connected=sum(g.connected for g in groups), ready=sum(g.ready for g in groups),
                     playing=agg.drift.playing, sync_counts=agg.sync_error.counts, sync_unknown=agg.sync_error.unknown,
                     engines=capped(agg.engines.to_json()), trouble=agg.trouble.to_json(),
                     pending=len(core.registry.seats.pending),
                     groups={g.id: (g.connected, g.ready) for g in groups},
                     skew_us=None if skew is None else skew[0], rtt_us=None if skew is None else skew[1],
                     ntp_offset_us=ntp_offset_us, instance=instance)


@dataclass(frozen=True)
class Cluster:
    """The whole show as this node last read it from Redis."""

    node: str
    read_at_us: int
    peers: tuple[Heartbeat, ...]  # every heartbeat read (this node's own included)
    confirmed: Mapping[str, int]  # group -> confirmed seats of the whole show
    here: Heartbeat | None = None  # this node's latest (fresher than the one read back)
    skew_us: int = 0  # this node's server time minus Redis's

    def fresh(self, now: int) -> list[Heartbeat]:
        """Fresh heartbeats at this node's server time ``now``, its own (latest) first, then by name."""
        ref = now - self.skew_us
        others = sorted((h for h in self.peers if h.node != self.node and ref - h.at_us <= STALE_US),
                        key=lambda h: h.node)
        return ([self.here] if self.here is not None else []) + others

    @property
    def confirmed_total(self) -> int:
        return sum(max(0, n) for n in self.confirmed.values())


def whole_groups(cluster: Cluster, local: Iterable[m.GroupCount], now: int) -> tuple[m.GroupCount, ...]:
    """Per group: confirmed seats of the whole show, connected and ready phones of every fresh node
    (this node's from ``local``, counted now)."""
    others = [h for h in cluster.fresh(now) if h.node != cluster.node]
    out = []
    for g in local:
        connected = g.connected + sum(h.groups.get(g.id, (0, 0))[0] for h in others)
        ready = g.ready + sum(h.groups.get(g.id, (0, 0))[1] for h in others)
        out.append(m.GroupCount(id=g.id, name=g.name, colour=g.colour, share=g.share,
                                participants=max(0, cluster.confirmed.get(g.id, 0)), connected=connected,
                                ready=ready))
    return tuple(out)


def whole_tallies(cluster: Cluster, sync_error: m.Histogram, engines: Mapping[str, int],
                  trouble: Mapping[str, int], now: int) -> tuple[m.Histogram, dict[str, int], dict[str, int]]:
    """The sync-error histogram, engines and trouble of every fresh node's phones (this node's
    given, counted now; a node whose histogram has other bounds is left out of it)."""
    counts = list(sync_error.counts)
    unknown = sync_error.unknown
    eng, tro = dict(engines), dict(trouble)
    for h in cluster.fresh(now):
        if h.node == cluster.node:
            continue
        if len(h.sync_counts) == len(counts):
            counts = [a + b for a, b in zip(counts, h.sync_counts)]
            unknown += h.sync_unknown
        for mine, theirs in ((eng, h.engines), (tro, h.trouble)):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v
    return (m.Histogram(bounds_us=sync_error.bounds_us, counts=tuple(counts), unknown=unknown), eng, tro)


def node_infos(cluster: Cluster, now: int) -> tuple[m.NodeInfo, ...]:
    return tuple(m.NodeInfo(node=h.node, connected=h.connected, ready=h.ready, playing=h.playing, pending=h.pending,
                            revision=h.revision, skew_us=h.skew_us, rtt_us=h.rtt_us, ntp_offset_us=h.ntp_offset_us,
                            age_ms=max(0, now - cluster.skew_us - h.at_us) // 1000, here=h.node == cluster.node)
                 for h in cluster.fresh(now))


def clock_check(beats: Iterable[Heartbeat], now: int) -> fx.RaiseAlarm | fx.ClearAlarm:
    """``nodes.clock`` raised when two fresh nodes' clocks differ by more than 2 ms *for sure*:
    their ``skew_us`` apart by more than 2 ms plus the two measurements' error bounds (half of
    each ``rtt_us``; a busy loop's slow sample cannot raise it), else cleared (``now``: the Redis
    host's time)."""
    timed = sorted((h for h in beats if h.skew_us is not None and now - h.at_us <= STALE_US),
                   key=lambda h: h.skew_us)
    worst = None
    for i, lo in enumerate(timed):
        for hi in timed[i + 1:]:
            apart = hi.skew_us - lo.skew_us
            surely = apart - ((lo.rtt_us or 0) + (hi.rtt_us or 0)) // 2
            if surely > MAX_DISAGREEMENT_US and (worst is None or surely > worst[0]):
                worst = (surely, apart, lo, hi)
    if worst is None:
        return fx.ClearAlarm(CLOCK_ALARM)
    surely, apart, lo, hi = worst
    return fx.RaiseAlarm(CLOCK_ALARM, "critical",
                         f"the clocks of conductors {hi.node} and {lo.node} differ by {apart / 1000:.1f} ms (at least "
                         f"{surely / 1000:.1f} ms given the measurements, more than {MAX_DISAGREEMENT_US / 1000:g} ms): "
                         "their phones would start that far apart. Discipline every node with the same NTP servers "
                         "(--ntp).",
                         detail={"nodes": {h.node: h.skew_us for h in timed}, "apart_us": apart, "at_least_us": surely})


def duplicate_check(previous: Heartbeat | None, mine: Heartbeat,
                    now: int) -> fx.RaiseAlarm | fx.ClearAlarm | None:
    """``nodes.duplicate`` raised when the heartbeat ``mine`` replaces is a fresh one of another
    process, cleared when it is this process's own, else nothing (none, or stale; ``now``: the
    Redis host's time)."""
    if previous is None or now - previous.at_us > STALE_US:
        return None
    if previous.instance == mine.instance:
        return fx.ClearAlarm(DUPLICATE_ALARM)
    return fx.RaiseAlarm(DUPLICATE_ALARM, "critical",
                         f"two conductor processes use the node id {mine.node}: their heartbeats overwrite each "
                         "other and the console's totals are wrong; give each process its own --node-id",
                         detail={"node": mine.node})
