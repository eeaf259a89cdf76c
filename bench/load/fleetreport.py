"""The fleet table, the issue's targets and the projection, from the load generator's output,
the /proc samples and Redis's command counter (pure; ``bench/load/fleet.py`` measures).

Definitions, per run of K phones over N processes (steady phase unless said):

* held = phones still connected when the run ends (1 s past the start);
* sync service p99 = ``t2 - t1`` of the sync replies, RTT p99 = what the phones saw;
* cue to last phone = the last arrival of the armed ``show`` at any phone - the console's
  ``arm`` send time (console on node 0); per node: the same over that node's phones;
  starts = the distinct start times the phones were given (1 = one show);
* conductor CPU = the sum over the N processes, as cores, and per 1,000 phones;
* Redis CPU = redis-server's CPU (``/proc/PID/stat``) as cores, and per 1,000 phones;
  Redis ops/s = ``total_commands_processed`` difference / seconds, steady phase and
  arm phase (arm sent -> 1 s past the start); Redis ops per join = the same difference
  over the join phase / phones joined (heartbeats of that phase included);
* healthy = every phone joined and held, no error, every phone got the cue, one start
  time, the cue >= 2 s before the start, service p99 <= 20 ms, RTT p99 <= 50 ms.

Targets (issue 15), each Redis row against the in-memory row of the same K:
conductor CPU per 1,000 phones <= 1.25 x; Redis CPU <= 0.01 core per 1,000 phones;
cue to the last phone no more than 0.5 s later.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from ..stats import percentile
from ..table import markdown

CPU_RATIO_TARGET = 1.25
REDIS_CORE_PER_1000_TARGET = 0.01
CUE_LATER_TARGET_MS = 500.0


@dataclass(frozen=True)
class FleetRow:
    phones: int
    processes: int
    redis: bool
    nginx: bool
    joined: int
    held: int
    errors: int
    error_detail: str
    service_p99_ms: float | None
    rtt_p99_ms: float | None
    cue_last_ms: float | None
    cue_last_by_node_ms: tuple[float | None, ...]
    cue_received: int
    starts: int
    margin_s: float | None
    conductor_core: float | None
    redis_core: float | None
    loadgen_core: float | None
    nginx_core: float | None
    redis_ops_steady: float | None
    redis_ops_arm: float | None
    redis_ops_per_join: float | None = None

    @property
    def mode(self) -> str:
        base = f"Redis x{self.processes}" if self.redis else f"in-memory x{self.processes}"
        return base + (" via nginx" if self.nginx else "")

    @property
    def conductor_per_1000(self) -> float | None:
        return None if self.conductor_core is None else self.conductor_core / (self.phones / 1000)

    @property
    def redis_per_1000(self) -> float | None:
        return None if self.redis_core is None else self.redis_core / (self.phones / 1000)

    @property
    def healthy(self) -> bool:
        return (self.joined == self.phones and self.held == self.phones and self.errors == 0
                and self.cue_received == self.phones and self.starts == 1
                and self.margin_s is not None and self.margin_s >= 2.0
                and self.service_p99_ms is not None and self.service_p99_ms <= 20.0
                and self.rtt_p99_ms is not None and self.rtt_p99_ms <= 50.0)

    def as_dict(self) -> dict:
        return {**asdict(self), "mode": self.mode, "healthy": self.healthy,
                "conductor_per_1000": self.conductor_per_1000, "redis_per_1000": self.redis_per_1000}


def _ms(us):
    return None if us is None else us / 1000


def _share(sampler, names, t0, t1):
    shares = [sampler.cpu_share(n, t0, t1) for n in names]
    return None if not shares or any(s is None for s in shares) else sum(shares)


def row(out: dict, *, processes: int, redis: bool, nginx: bool, marks: dict, ops: dict, sampler) -> FleetRow:
    k = out["phones"]
    arm = out["arm"]
    arrivals = arm["arrivalsUs"]
    sent = arm["sentUs"]
    last = max(arrivals) if arrivals else None
    by_node = tuple(_ms(max(a) - sent) if a and sent is not None else None for a in arm.get("arrivalsByNode", ()))
    errs = sum(out["errors"].values()) + sum(out["closes"].values()) + out["connectFailures"] + (k - out["joined"])
    detail = ", ".join([f"{c}: {n}" for c, n in sorted(out["errors"].items())]
                       + [f"close {c}: {n}" for c, n in sorted(out["closes"].items())]
                       + ([f"connect failures: {out['connectFailures']}"] if out["connectFailures"] else [])
                       + ([f"not joined: {k - out['joined']}"] if k - out["joined"] else []))
    s0, s1, a0, a1 = (marks.get(x) for x in ("steady_start", "steady_end", "arm_sent", "done"))
    steady = s0 is not None and s1 is not None and s1 > s0
    names = list(sampler.pids)
    conductors = [n for n in names if n.startswith("conductor")]
    nginxes = [n for n in names if n.startswith("nginx")]

    def rate(a, b, ta, tb):
        if a not in ops or b not in ops or ta is None or tb is None or tb <= ta:
            return None
        return (ops[b] - ops[a] - 1) / (tb - ta)  # less the INFO call that read the second value

    return FleetRow(
        phones=k, processes=processes, redis=redis, nginx=nginx, joined=out["joined"], held=arm.get("stillOpen", 0),
        errors=errs, error_detail=detail or "none",
        service_p99_ms=_ms(percentile(out["service"]["steady"], 99)),
        rtt_p99_ms=_ms(percentile(out["rtt"]["steady"], 99)),
        cue_last_ms=_ms(last - sent) if last is not None and sent is not None else None,
        cue_last_by_node_ms=by_node, cue_received=len(arrivals), starts=len(arm.get("startsSeen", [None])),
        margin_s=(arm["startAtUs"] - last) / 1e6 if (last is not None and arm["startAtUs"]) else None,
        conductor_core=_share(sampler, conductors, s0, s1) if steady else None,
        redis_core=_share(sampler, ["redis"], s0, s1) if steady and redis else None,
        loadgen_core=_share(sampler, ["loadgen"], s0, s1) if steady else None,
        nginx_core=_share(sampler, nginxes, s0, s1) if steady and nginxes else None,
        redis_ops_steady=rate("steady_start", "steady_end", s0, s1) if redis else None,
        redis_ops_arm=rate("arm_sent", "done", a0, a1) if redis else None,
        redis_ops_per_join=((ops["joined"] - ops["join_start"] - 1) / out["joined"]
                            if redis and "joined" in ops and "join_start" in ops and out["joined"] else None))


HEADERS = ("phones", "mode", "held", "errors", "sync service p99 ms", "RTT p99 ms", "cue to last phone ms",
           "last phone per node ms", "starts", "margin s", "conductor CPU (cores)", "conductor CPU per 1k",
           "Redis CPU (core)", "Redis CPU per 1k", "Redis ops/s steady", "Redis ops/s arm", "Redis ops per join",
           "nginx CPU",
           "loadgen CPU")


def table(rows: list[FleetRow]) -> str:
    def f(x, nd=3):
        return None if x is None else f"{x:.{nd}f}"  # as text: the table's own rounding is 2 places

    body = [[r.phones, r.mode, f"{r.held}/{r.phones}", r.errors, r.service_p99_ms, r.rtt_p99_ms, r.cue_last_ms,
             " / ".join("-" if x is None else f"{x:.0f}" for x in r.cue_last_by_node_ms), r.starts, r.margin_s,
             f(r.conductor_core), f(r.conductor_per_1000, 4), f(r.redis_core), f(r.redis_per_1000, 4),
             f(r.redis_ops_steady, 0), f(r.redis_ops_arm, 0), f(r.redis_ops_per_join, 1), f(r.nginx_core), f(r.loadgen_core)] for r in rows]
    return markdown(HEADERS, body)


def targets(rows: list[FleetRow]) -> list[str]:
    """Each Redis row against the in-memory row of the same K: met, or missed by how much."""
    lines = []
    for r in rows:
        if not r.redis:
            continue
        mem = next((x for x in rows if not x.redis and x.phones == r.phones and x.nginx == r.nginx), None)
        head = f"{r.phones:,} phones, {r.mode}:"
        parts = []
        if mem and mem.conductor_per_1000 and r.conductor_per_1000 is not None:
            ratio = r.conductor_per_1000 / mem.conductor_per_1000
            parts.append(f"conductor CPU per 1k {ratio:.2f}x in-memory ("
                         + ("met" if ratio <= CPU_RATIO_TARGET else
                            f"MISSED by {ratio - CPU_RATIO_TARGET:.2f}x") + f", target <= {CPU_RATIO_TARGET}x)")
        if r.redis_per_1000 is not None:
            rc = r.redis_per_1000
            parts.append(f"Redis {rc:.4f} core per 1k ("
                         + ("met" if rc <= REDIS_CORE_PER_1000_TARGET else
                            f"MISSED by {rc / REDIS_CORE_PER_1000_TARGET:.1f}x")
                         + f", target <= {REDIS_CORE_PER_1000_TARGET})")
        if mem and mem.cue_last_ms is not None and r.cue_last_ms is not None:
            later = r.cue_last_ms - mem.cue_last_ms
            parts.append(f"cue to the last phone {later:+.0f} ms vs in-memory ("
                         + ("met" if later <= CUE_LATER_TARGET_MS else
                            f"MISSED by {later - CUE_LATER_TARGET_MS:.0f} ms") + f", target <= +{CUE_LATER_TARGET_MS:.0f} ms)")
        if not r.healthy:
            parts.append("run NOT healthy")
        lines.append(head + " " + "; ".join(parts))
    return lines


def _fit(points: list[tuple[float, float, float]]) -> tuple[float, float] | None:
    """Least squares ``y = a * nodes + b * phones`` (no intercept, a, b >= 0) over ``(nodes, phones, y)``:
    the unconstrained fit, or the best one-term fit when a term comes out negative (noise)."""
    if len(points) < 2:
        return None
    sxx = sum(n * n for n, _, _ in points)
    syy = sum(k * k for _, k, _ in points)
    sxy = sum(n * k for n, k, _ in points)
    sx = sum(n * y for n, _, y in points)
    sy = sum(k * y for _, k, y in points)
    det = sxx * syy - sxy * sxy
    if abs(det) > 1e-9:
        a, b = (sx * syy - sy * sxy) / det, (sy * sxx - sx * sxy) / det
        if a >= 0 and b >= 0:
            return a, b
    only_a, only_b = (max(0.0, sx / sxx), 0.0), (0.0, max(0.0, sy / syy))

    def err(ab):
        return sum((y - ab[0] * n - ab[1] * k) ** 2 for n, k, y in points)

    return min(only_a, only_b, key=err)


MAX_PHONES_PER_PROCESS = 5_000
"""The most phones one process held healthily in docs/benchmarks.md, "Crowd scale I" (10,000 was
at the edge: service p99 21 ms): the projection never puts more on one process, whatever its CPU."""


def projection(rows: list[FleetRow], target: int, *, headroom: float = 0.7, cores_per_machine: int = 8,
               max_per_process: int = MAX_PHONES_PER_PROCESS) -> list[str]:
    """Processes, cores, machines and Redis load for ``target`` phones, from the Redis runs: each cost
    fitted as a part per node plus a part per phone (a node has fixed work: its follower, ticker, feed)."""
    reds = [r for r in rows if r.redis and r.conductor_core is not None]
    if not reds:
        return ["no Redis run to project from"]
    cond = _fit([(r.processes, r.phones, r.conductor_core) for r in reds])
    if cond is None:
        r = reds[0]
        cond = (0.0, r.conductor_core / r.phones)
    a, b = cond
    nodes = max(1, math.ceil(target / max_per_process))
    while (a * nodes + b * target) / nodes > headroom:
        nodes += 1
    cores = a * nodes + b * target
    per_machine = cores_per_machine - 1  # one core of each machine for nginx and the system
    machines = math.ceil(nodes / per_machine)
    lines = [f"{target:,} phones: conductor CPU fitted as {a * 1000:.1f} millicore per node + {b * 1e6:.1f} "
             f"millicore per 1,000 phones -> {nodes} conductor processes ({target / nodes:,.0f} phones each, at most "
             f"{max_per_process:,}; {cores / nodes:.0%} of a core each, at most {headroom:.0%}) = {cores:.1f} cores, on "
             f"{machines} machine(s) of {cores_per_machine} cores (one core each left to nginx and the system)"]
    mems = [r for r in rows if not r.redis and r.conductor_per_1000 is not None]
    if mems:
        mem = max(mems, key=lambda r: r.phones)
        ratio = (cores / (target / 1000)) / mem.conductor_per_1000
        lines.append(f"conductor CPU per 1,000 phones then {cores / (target / 1000):.4f} core, {ratio:.2f}x the "
                     f"in-memory process's {mem.conductor_per_1000:.4f} ({mem.phones:,} phones) "
                     f"(target <= {CPU_RATIO_TARGET}x)")
    cpu_fit = _fit([(r.processes, r.phones, r.redis_core) for r in reds if r.redis_core is not None])
    ops_fit = _fit([(r.processes, r.phones, r.redis_ops_steady) for r in reds if r.redis_ops_steady is not None])
    if cpu_fit:
        ra, rb = cpu_fit
        redis_core = ra * nodes + rb * target
        lines.append(f"Redis: CPU fitted as {ra * 1000:.2f} millicore per node + {rb * 1e6:.3f} millicore per 1,000 "
                     f"phones -> {redis_core:.3f} core with {nodes} nodes ({redis_core / (target / 1000):.4f} per "
                     f"1,000 phones, target <= {REDIS_CORE_PER_1000_TARGET}; one Redis thread saturates at 1 core)")
        per_phone_total = ra / max_per_process + rb  # with nodes added as the phones need them
        if per_phone_total > 0:
            lines.append(f"where Redis stops scaling: its one core at {headroom:.0%} at about "
                         f"{headroom / per_phone_total:,.0f} phones by this linear fit (every node also reads "
                         "every heartbeat each second: that part grows as nodes squared)")
    if ops_fit:
        oa, ob = ops_fit
        lines.append(f"Redis operations (steady): {oa:.1f}/s per node + {ob * 1000:.2f}/s per 1,000 phones -> "
                     f"{oa * nodes + ob * target:,.0f}/s")
    fan = [r for r in reds if r.healthy and r.cue_last_ms is not None]
    if fan:
        r = max(fan, key=lambda x: x.phones / x.processes)
        per_node = r.phones / r.processes
        lines.append(f"cue fan-out: {r.cue_last_ms:.0f} ms to the last of {per_node:,.0f} phones per node "
                     f"({r.phones:,} {r.mode}); with {target / nodes:,.0f} phones per node about "
                     f"{r.cue_last_ms * (target / nodes) / per_node:.0f} ms if linear")
    return lines
