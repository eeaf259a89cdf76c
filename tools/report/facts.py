"""What happened at a show, from its merged logs (:mod:`.logs`): the run, each participant, attendance.

Pure (numpy arrays in, records out).  Definitions (docs/report.md):

* **the run**: the last show that started (armed, then running) and is not a
  rehearsal (SHOW records flagged :data:`~flashmob.contract.showlog.F_REHEARSAL`
  are left out); it ends when it ended or was aborted (or at the log's last
  record, still running).  Times in the report are seconds from its start.
* **a participant** of the run: a participant key with a socket open at some
  moment between the arm and the end, numbered 1..N in the order they first
  joined.  Connected = at least one socket open on some node (a node's
  sockets all close when its conductor restarts: its BOOT record).
* conductor-seen facts: joins, confirmed seats (files proved), sockets,
  dropouts (connected -> not, between the arm and the end) and rejoins.
* self-reported facts (``status`` frames): files verified, sound on (an
  engine), playing (a position), sync error bound, drift (the position
  against the conductor's show time at the frame's arrival), output latency.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from flashmob.contract import showlog as fmt

START_WINDOW_US = 10_000_000
"""A phone that reports a position within this long after the start was playing at the start."""
BEFORE_ARM_US = 60_000_000
"""The attendance picture starts this long before the arm (or at the log's first record)."""
AFTER_END_US = 30_000_000


class NoShow(ValueError):
    """The logs hold no show that started (message says what they hold)."""


@dataclass(frozen=True)
class Run:
    armed_at_us: int
    start_at_us: int
    end_at_us: int
    outcome: str  # ended, aborted, running (the log stops before the end)
    duration_us: int
    rehearsals_left_out: int = 0

    def rel_s(self, t_us: int | float) -> float:
        return (t_us - self.start_at_us) / 1e6


@dataclass
class Phone:
    number: int
    key: int
    group: int
    first_join_us: int
    seat_us: int | None = None
    connected_at_arm: bool = False
    confirmed_at_arm: bool = False
    connected_at_start: bool = False
    verified_at_arm: bool | None = None  # self-reported (None: said nothing before)
    sound_at_arm: bool = False  # self-reported: an engine
    playing_at_start: bool = False  # self-reported: a position within START_WINDOW_US
    first_position_us: int | None = None
    dropouts: int = 0
    rejoins: int = 0
    statuses: int = 0
    sync_median_us: int | None = None
    sync_max_us: int | None = None
    drift_median_us: int | None = None
    drift_max_abs_us: int | None = None
    drift_samples: int = 0
    engine: str | None = None
    latency_median_us: int | None = None
    trouble: str | None = None
    nodes: int = 1


@dataclass(frozen=True)
class Dropout:
    number: int
    group: int
    left_us: int
    back_us: int | None


@dataclass
class Facts:
    run: Run
    phones: list[Phone]
    attendance_t_us: np.ndarray  # change times
    attendance: np.ndarray  # (len(t), groups) connected participants of each group from that time on
    dropouts: list[Dropout]
    drift_us: np.ndarray  # every drift sample of the run (self-reported)
    groups: int
    dropped_records: int = 0
    nodes: int = 1
    notes: list[str] = field(default_factory=list)


def find_run(recs: np.ndarray) -> Run:
    shows = recs[recs["kind"] == fmt.SHOW]
    seen: set[tuple[int, int, int]] = set()
    runs: list[dict] = []
    rehearsals = 0
    current: dict | None = None
    for r in shows:  # the same transition logged by several nodes (and at each boot) counts once
        ident = (int(r["group"]), int(r["a"]), int(r["who"]), int(r["flags"] & fmt.F_REHEARSAL))
        if ident in seen:
            continue
        seen.add(ident)
        state = fmt.STATES[r["group"]] if r["group"] < len(fmt.STATES) else "?"
        rehearsal = bool(r["flags"] & fmt.F_REHEARSAL)
        if state == "armed":
            current = {"armed": int(r["t_us"]), "start": int(r["who"]), "duration": int(r["b"]) * 1000,
                       "rehearsal": rehearsal, "running": False, "end": None, "outcome": "running"}
            runs.append(current)
        elif current is not None and state == "running":
            current["running"] = True
        elif current is not None and state in ("ended", "aborted"):
            current["end"], current["outcome"] = int(r["t_us"]), state
            current = None
        elif current is not None and state == "lobby":  # cancelled before it started
            current = None
    started = [x for x in runs if x["running"] or (x["end"] is not None and x["end"] >= x["start"])]
    real = [x for x in started if not x["rehearsal"]]
    rehearsals = len(started) - len(real)
    if not real:
        what = f"{len(runs)} arm(s), {len(started)} start(s), {rehearsals} of them rehearsal(s)"
        raise NoShow(f"the show log holds no show that started and was not a rehearsal ({what})")
    x = real[-1]
    end = x["end"] if x["end"] is not None else int(recs["t_us"][-1])
    return Run(armed_at_us=x["armed"], start_at_us=x["start"], end_at_us=end, outcome=x["outcome"],
               duration_us=x["duration"], rehearsals_left_out=rehearsals)


def _connections(recs: np.ndarray, run: Run, groups: int):
    """Replay joins, leaves and boots: (transitions [(t, key, group, +1/-1)], first join, group, seats, nodes)."""
    conn = recs[np.isin(recs["kind"], (fmt.JOIN, fmt.LEAVE, fmt.BOOT, fmt.SEAT))]
    sockets: dict[tuple[int, int], int] = {}
    per_key: dict[int, int] = {}  # open sockets, all nodes
    first: dict[int, int] = {}
    group: dict[int, int] = {}
    seat: dict[int, int] = {}
    nodes: dict[int, set[int]] = {}
    moves: list[tuple[int, int, int, int]] = []
    for r in conn:
        t, kind, node, key = int(r["t_us"]), int(r["kind"]), int(r["node"]), int(r["who"])
        if kind == fmt.BOOT:
            for (k, n), count in list(sockets.items()):
                if n == node and count:
                    sockets[(k, n)] = 0
                    per_key[k] -= count
                    if per_key[k] <= 0:
                        moves.append((t, k, group.get(k, fmt.NO_GROUP), -1))
            continue
        if kind == fmt.SEAT:
            seat.setdefault(key, t)
            if r["group"] != fmt.NO_GROUP:
                group[key] = int(r["group"])
            continue
        if r["group"] != fmt.NO_GROUP:
            group[key] = int(r["group"])
        before = per_key.get(key, 0)
        old = sockets.get((key, node), 0)
        new = max(0, int(r["a"])) if r["a"] != fmt.NONE else (old + 1 if kind == fmt.JOIN else old - 1)
        sockets[(key, node)] = new
        per_key[key] = before - old + new
        if kind == fmt.JOIN:
            first.setdefault(key, t)
            nodes.setdefault(key, set()).add(node)
            if r["flags"] & fmt.F_CONFIRMED:
                seat.setdefault(key, t)
        if before <= 0 < per_key[key]:
            moves.append((t, key, group.get(key, fmt.NO_GROUP), +1))
        elif before > 0 >= per_key[key]:
            moves.append((t, key, group.get(key, fmt.NO_GROUP), -1))
    return moves, first, group, seat, nodes


def _connected_at(moves, t_us: int) -> set[int]:
    on: set[int] = set()
    for t, key, _, d in moves:
        if t > t_us:
            break
        (on.add if d > 0 else on.discard)(key)
    return on


def collect(recs: np.ndarray, groups: int) -> Facts:
    """The facts of the last real show in ``recs`` (merged logs, time order); NoShow if there is none."""
    if len(recs) == 0:
        raise NoShow("the show log is empty")
    run = find_run(recs)
    moves, first, group, seat, nodes = _connections(recs, run, groups)
    at_arm = _connected_at(moves, run.armed_at_us)
    at_start = _connected_at(moves, run.start_at_us)
    present = set(at_arm)
    for t, key, _, d in moves:
        if run.armed_at_us <= t <= run.end_at_us and d > 0:
            present.add(key)
    order = sorted(present, key=lambda k: (first.get(k, 0), k))
    phones = {k: Phone(number=i + 1, key=k, group=group.get(k, fmt.NO_GROUP), first_join_us=first.get(k, 0),
                       seat_us=seat.get(k), connected_at_arm=k in at_arm, connected_at_start=k in at_start,
                       nodes=len(nodes.get(k, ())) or 1)
              for i, k in enumerate(order)}
    for p in phones.values():
        p.confirmed_at_arm = p.connected_at_arm and p.seat_us is not None and p.seat_us <= run.armed_at_us
    # dropouts and rejoins between the arm and the end
    dropouts: list[Dropout] = []
    open_drop: dict[int, int] = {}
    for t, key, g, d in moves:
        if key not in phones or not run.armed_at_us <= t <= run.end_at_us:
            continue
        p = phones[key]
        if d < 0 and t < run.end_at_us:
            p.dropouts += 1
            open_drop[key] = len(dropouts)
            dropouts.append(Dropout(p.number, p.group, t, None))
        elif d > 0 and key in open_drop:
            p.rejoins += 1
            i = open_drop.pop(key)
            dropouts[i] = Dropout(p.number, p.group, dropouts[i].left_us, t)
    drift = _statuses(recs, run, phones)
    # attendance per group over time, from the window's start
    lo = max(int(recs["t_us"][0]), run.armed_at_us - BEFORE_ARM_US)
    hi = run.end_at_us + AFTER_END_US
    on: dict[int, set[int]] = {g: set() for g in range(groups)}
    where: dict[int, int] = {}
    times, rows = [lo], []
    for t, key, g, d in moves:
        if t > hi:
            break
        if t > lo and times[-1] != t:
            rows.append([len(on[i]) for i in range(groups)])
            times.append(t)
        if d > 0 and g in on:
            on[g].add(key)
            where[key] = g
        elif d < 0 and key in where:
            on[where.pop(key)].discard(key)
    rows.append([len(on[i]) for i in range(groups)])
    att = np.array(rows, dtype=np.int64).reshape(len(rows), groups)
    notes = recs[recs["kind"] == fmt.DROPPED]
    dropped = int(notes["a"][notes["b"] == fmt.DROP_PHONE_FULL].clip(0).sum())
    full = notes[notes["b"] == fmt.DROP_LOG_FULL]
    facts = Facts(run=run, phones=sorted(phones.values(), key=lambda p: p.number),
                  attendance_t_us=np.array(times, dtype=np.int64), attendance=att, dropouts=dropouts,
                  drift_us=drift, groups=groups, dropped_records=dropped, nodes=int(recs["node"].max()) + 1)
    if dropped:
        facts.notes.append(f"{dropped} record(s) of phones over their record cap were not kept by the conductor: "
                           "their status counts may be low")
    for r in full:
        facts.notes.append(f"the show log reached its size cap at {run.rel_s(int(r['t_us'])):.1f} s: nothing "
                           "after that was recorded (by that node)")
    return facts


def _statuses(recs: np.ndarray, run: Run, phones: dict[int, Phone]) -> np.ndarray:
    """Fill each phone's self-reported facts; returns every drift sample of the run."""
    st = recs[(recs["kind"] == fmt.STATUS) & (recs["t_us"] <= run.end_at_us)]
    st = st[np.isin(st["who"], np.fromiter(phones, dtype=np.uint64, count=len(phones)))]
    order = np.lexsort((st["t_us"], st["who"]))
    st = st[order]
    keys, starts = np.unique(st["who"], return_index=True)
    bounds = list(starts[1:]) + [len(st)]
    drifts = []
    for key, s, e in zip(keys, starts, bounds):
        p = phones[int(key)]
        mine = st[s:e]
        t = mine["t_us"]
        before = mine[t <= run.armed_at_us]
        if len(before):
            last = before[-1]
            p.verified_at_arm = bool(last["flags"] & fmt.F_VERIFIED)
            p.sound_at_arm = last["engine"] != 0
        during = mine[t >= run.armed_at_us]
        p.statuses = len(during)
        playing = mine[(t >= run.start_at_us) & ((mine["flags"] & fmt.F_POSITION) != 0)]
        if len(playing):
            p.first_position_us = int(playing["t_us"][0])
            p.playing_at_start = p.first_position_us <= run.start_at_us + START_WINDOW_US
        if len(during):
            bound = during["a"][during["a"] != fmt.NONE]
            if len(bound):
                p.sync_median_us, p.sync_max_us = int(np.median(bound)), int(bound.max())
            lat = during["b"][during["b"] != fmt.NONE]
            if len(lat):
                p.latency_median_us = int(np.median(lat))
        named = mine[mine["engine"] != 0]
        if len(named):
            p.engine = fmt.engine_name(int(named["engine"][-1]))
        p.trouble = fmt.trouble_name(int(mine["flags"][-1])) if len(mine) else None
        d = mine["c"][((mine["flags"] & fmt.F_DRIFT) != 0) & (t >= run.start_at_us)]
        if len(d):
            p.drift_samples = len(d)
            p.drift_median_us = int(np.median(d))
            p.drift_max_abs_us = int(np.abs(d.astype(np.int64)).max())
            drifts.append(d.astype(np.int64))
    return np.concatenate(drifts) if drifts else np.zeros(0, dtype=np.int64)
