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
  engine), playing (a position; over time: from the status that gave one to
  the one that did not, or the last socket closing), sync error bound, drift
  (the position against the conductor's show time at the frame's arrival),
  output latency.
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
    playing: np.ndarray  # (len(t), groups) of them, those whose last status gave a position (self-reported)
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
        elif state == "running":
            if current is None or current["start"] != int(r["who"]):  # the log began during the show
                current = {"armed": min(int(r["t_us"]), int(r["who"])), "start": int(r["who"]),
                           "duration": int(r["b"]) * 1000, "rehearsal": rehearsal, "end": None, "outcome": "running"}
                runs.append(current)
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
    drift, plays = _statuses(recs, run, phones, [(t, key) for t, key, _, d in moves if d > 0])
    lo = max(int(recs["t_us"][0]), run.armed_at_us - BEFORE_ARM_US)
    times, att, playing = _over_time(moves, plays, groups, lo, run.end_at_us + AFTER_END_US)
    notes = recs[recs["kind"] == fmt.DROPPED]
    dropped = int(notes["a"][notes["b"] == fmt.DROP_PHONE_FULL].clip(0).sum())
    full = notes[notes["b"] == fmt.DROP_LOG_FULL]
    facts = Facts(run=run, phones=sorted(phones.values(), key=lambda p: p.number),
                  attendance_t_us=times, attendance=att, playing=playing, dropouts=dropouts,
                  drift_us=drift, groups=groups, dropped_records=dropped, nodes=int(recs["node"].max()) + 1)
    if dropped:
        facts.notes.append(f"{dropped} record(s) of phones over their record cap were not kept by the conductor: "
                           "their status counts may be low")
    for r in full:
        facts.notes.append(f"the show log reached its size cap at {run.rel_s(int(r['t_us'])):.1f} s: nothing "
                           "after that was recorded (by that node)")
    return facts


def _over_time(moves, plays, groups: int, lo: int, hi: int):
    """Connected and playing participants per group from each change on (times from ``lo`` to ``hi``).

    ``moves``: (t, key, group, +1/-1) connections; ``plays``: (t, key, group, playing) where a
    phone's status started or stopped giving a position.  A phone not connected is not playing."""
    events = sorted([(t, 0, key, g, d > 0) for t, key, g, d in moves]
                    + [(t, 1, key, g, on) for t, key, g, on in plays], key=lambda e: e[0])
    conn: dict[int, set[int]] = {g: set() for g in range(groups)}
    play: dict[int, set[int]] = {g: set() for g in range(groups)}
    where: dict[int, int] = {}
    times, rows = [lo], []

    def row() -> list[int]:
        return [len(conn[i]) for i in range(groups)] + [len(play[i]) for i in range(groups)]

    for t, kind, key, g, on in events:
        if t > hi:
            break
        if t > lo and times[-1] != t:
            rows.append(row())
            times.append(t)
        if kind == 0:
            if on and g in conn:
                conn[g].add(key)
                where[key] = g
            elif not on and key in where:
                gone = where.pop(key)
                conn[gone].discard(key)
                play[gone].discard(key)
        elif key in where:
            (play[where[key]].add if on else play[where[key]].discard)(key)
    rows.append(row())
    both = np.array(rows, dtype=np.int64).reshape(len(rows), 2 * groups)
    return np.array(times, dtype=np.int64), both[:, :groups], both[:, groups:]


def _per(gi: np.ndarray, n: int, values: np.ndarray):
    """Per group of ``gi`` (indexes 0..n-1): count, median (as int(np.median)), max of ``values``."""
    counts = np.bincount(gi, minlength=n)
    order = np.lexsort((values, gi))
    v = values[order].astype(np.float64)
    ends = np.cumsum(counts)
    starts = ends - counts
    has = counts > 0
    lo = np.where(has, starts + (counts - 1) // 2, 0)
    hi = np.where(has, starts + counts // 2, 0)
    med = ((v[lo] + v[hi]) / 2) if len(v) else np.zeros(n)
    top = np.where(has, v[np.maximum(ends - 1, 0)], 0) if len(v) else np.zeros(n)
    return counts, med, top


def _last(gi: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per group: the row index of its last row where ``mask`` (rows sorted by group, then time); -1: none."""
    out = np.full(n, -1, dtype=np.int64)
    rows = np.nonzero(mask)[0]
    out[gi[rows]] = rows  # later rows overwrite earlier ones
    return out


def _first(gi: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -1, dtype=np.int64)
    rows = np.nonzero(mask)[0][::-1]
    out[gi[rows]] = rows
    return out


def _first_after(gi: np.ndarray, t: np.ndarray, uniq: np.ndarray, joins: list[tuple[int, int]]) -> np.ndarray:
    """Status rows (sorted by phone, then time) that are a phone's first after one of its ``joins`` (t, key)."""
    out = np.zeros(len(gi), dtype=bool)
    if not joins or not len(uniq):
        return out
    jt = np.array([j[0] for j in joins], dtype=np.int64)
    jk = np.searchsorted(uniq, np.array([j[1] for j in joins], dtype=np.uint64))
    known = (jk < len(uniq)) & (uniq[np.minimum(jk, len(uniq) - 1)] == np.array([j[1] for j in joins],
                                                                                 dtype=np.uint64))
    jt, jk = jt[known], jk[known]
    keys = np.concatenate([gi, jk])
    times = np.concatenate([t, jt])
    kind = np.concatenate([np.ones(len(gi), dtype=np.int8), np.zeros(len(jk), dtype=np.int8)])  # joins first
    rowid = np.concatenate([np.arange(len(gi)), np.full(len(jk), -1)])
    order = np.lexsort((kind, times, keys))
    k, kd, rid = keys[order], kind[order], rowid[order]
    hit = np.zeros(len(order), dtype=bool)
    hit[1:] = (kd[1:] == 1) & (kd[:-1] == 0) & (k[1:] == k[:-1])
    out[rid[hit]] = True
    return out


def _statuses(recs: np.ndarray, run: Run, phones: dict[int, Phone], joins: list[tuple[int, int]]):
    """Fill each phone's self-reported facts (vectorized: 20,000 phones in one pass); returns every
    drift sample, and when each phone's statuses started or stopped giving a position."""
    keys = np.fromiter(phones, dtype=np.uint64, count=len(phones))
    st = recs[(recs["kind"] == fmt.STATUS) & (recs["t_us"] <= run.end_at_us)]
    st = st[np.isin(st["who"], keys)]
    st = st[np.lexsort((st["t_us"], st["who"]))]
    uniq, gi = np.unique(st["who"], return_inverse=True)
    n = len(uniq)
    t, flags, engine = st["t_us"], st["flags"].astype(np.int64), st["engine"]
    a, b, c = st["a"].astype(np.int64), st["b"].astype(np.int64), st["c"].astype(np.int64)
    last_before = _last(gi, t <= run.armed_at_us, n)
    during = t >= run.armed_at_us
    n_during = np.bincount(gi[during], minlength=n)
    first_play = _first(gi, (t >= run.start_at_us) & ((flags & fmt.F_POSITION) != 0), n)
    mb = during & (a != fmt.NONE)
    _, sync_med, sync_max = _per(gi[mb], n, a[mb])
    n_sync = np.bincount(gi[mb], minlength=n)
    ml = during & (b != fmt.NONE)
    n_lat, lat_med, _ = _per(gi[ml], n, b[ml])
    last_engine = _last(gi, engine != 0, n)
    last_any = _last(gi, np.ones(len(st), dtype=bool), n)
    md = ((flags & fmt.F_DRIFT) != 0) & (t >= run.start_at_us)
    n_drift, drift_med, _ = _per(gi[md], n, c[md])
    _, _, drift_abs = _per(gi[md], n, np.abs(c[md]))
    for j, key in enumerate(uniq.tolist()):
        p = phones[key]
        if last_before[j] >= 0:
            p.verified_at_arm = bool(flags[last_before[j]] & fmt.F_VERIFIED)
            p.sound_at_arm = bool(engine[last_before[j]] != 0)
        p.statuses = int(n_during[j])
        if first_play[j] >= 0:
            p.first_position_us = int(t[first_play[j]])
            p.playing_at_start = p.first_position_us <= run.start_at_us + START_WINDOW_US
        if n_sync[j]:
            p.sync_median_us, p.sync_max_us = int(sync_med[j]), int(sync_max[j])
        if n_lat[j]:
            p.latency_median_us = int(lat_med[j])
        if last_engine[j] >= 0:
            p.engine = fmt.engine_name(int(engine[last_engine[j]]))
        p.trouble = fmt.trouble_name(int(flags[last_any[j]]))
        if n_drift[j]:
            p.drift_samples = int(n_drift[j])
            p.drift_median_us = int(drift_med[j])
            p.drift_max_abs_us = int(drift_abs[j])
    pos = (flags & fmt.F_POSITION) != 0
    change = np.ones(len(st), dtype=bool)
    change[1:] = (gi[1:] != gi[:-1]) | (pos[1:] != pos[:-1])
    change |= _first_after(gi, t, uniq, joins)  # a phone back from a dropout plays once it says so again
    rows = np.nonzero(change)[0]
    plays = [(int(t[i]), int(st["who"][i]), int(st["group"][i]), bool(pos[i])) for i in rows]
    return c[md], plays
