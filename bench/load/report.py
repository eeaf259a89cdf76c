"""The load table and the projection, from the load generator's output and
the /proc samples (pure).

Definitions, per run of K phones:

* join rate = phones welcomed / seconds from the first connect to the last
  welcome (``concurrency`` handshakes in flight);
* memory per connection = (conductor RSS with every phone joined - RSS before
  the first connect) / phones;
* sync service p50/p99 = ``t2 - t1`` of every sync reply of the steady phase
  (server receive stamp -> send stamp, from the reply itself); RTT = what the
  phone saw (includes the time the frame waited for the event loop before
  ``t1``, which the service time cannot see);
* cue to last phone = last arrival of the armed ``show`` - the console's
  ``arm`` send time; margin = start time - that arrival;
* CPU = conductor CPU over the steady phase, as a share of one core, and per
  1,000 phones; the load generator's share too (same machine);
* join rate past half = phones welcomed after the first K/2 / seconds between the
  K/2-th and the last welcome (joins while K/2 phones are already connected);
* console p50/p99 = round trip of a console command the conductor refuses at once
  without a write (``cancel`` in the lobby, every ``--console-probe-ms`` of the
  steady phase); arm ack = the console's ``arm`` to its ``ack`` (includes the
  durable write, an fsync);
* errors = error frames + unexpected closes + failed connects + phones never
  welcomed;
* healthy (issue 14) = every phone joined, no error, the armed ``show`` at every
  phone >= 2 s before the start, sync service p99 <= 20 ms and RTT p99 <= 50 ms.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from ..stats import percentile
from ..table import markdown


@dataclass(frozen=True)
class LoadRow:
    phones: int
    joined: int
    join_rate: float | None
    join_p99_ms: float | None
    join_rate_half: float | None
    mem_kib: float | None
    rss_mib: float | None
    service_p50_ms: float | None
    service_p99_ms: float | None
    rtt_p50_ms: float | None
    rtt_p99_ms: float | None
    arm_service_p99_ms: float | None
    syncs_per_s: float | None
    cue_last_ms: float | None
    cue_received: int
    margin_s: float | None
    cpu_core: float | None
    cpu_per_1000: float | None
    loadgen_core: float | None
    errors: int
    error_detail: str
    complete: bool = True
    console_p50_ms: float | None = None
    console_p99_ms: float | None = None
    arm_ack_ms: float | None = None
    status_per_s: float | None = None

    @property
    def healthy(self) -> bool:
        return (self.complete and self.joined == self.phones and self.errors == 0 and self.cue_received == self.phones
                and self.margin_s is not None and self.margin_s >= 2.0
                and self.service_p99_ms is not None and self.service_p99_ms <= 20.0
                and self.rtt_p99_ms is not None and self.rtt_p99_ms <= 50.0)

    def as_dict(self) -> dict:
        return {**asdict(self), "healthy": self.healthy}


def _ms(us):
    return None if us is None else us / 1000


def join_rate_half(join_times_us: list[int] | None) -> float | None:
    """Welcomes per second from the K/2-th to the last (None without the times)."""
    ts = sorted(join_times_us or [])
    if len(ts) < 4:
        return None
    half = len(ts) // 2
    span = (ts[-1] - ts[half]) / 1e6
    return (len(ts) - 1 - half) / span if span > 0 else None


def extras(out: dict) -> dict:
    """The columns computed from the raw output alone (also for a baseline tree's kept output)."""
    probes = out.get("console", {}).get("probeRttUs") or []
    ack, sent = out["arm"].get("ackUs"), out["arm"].get("sentUs")
    return {"join_rate_half": join_rate_half(out.get("joinTimesUs")),
            "console_p50_ms": _ms(percentile(probes, 50)) if probes else None,
            "console_p99_ms": _ms(percentile(probes, 99)) if probes else None,
            "arm_ack_ms": _ms(ack - sent) if ack is not None and sent is not None else None}


def row(out: dict, *, rss_idle: int | None, rss_joined: int | None, cpu_core: float | None,
        loadgen_core: float | None, steady_s: float) -> LoadRow:
    k = out["phones"]
    joined = out["joined"]
    arm = out["arm"]
    arrivals = arm["arrivalsUs"]
    last = max(arrivals) if arrivals else None
    errs = sum(out["errors"].values()) + sum(out["closes"].values()) + out["connectFailures"] + (k - joined)
    detail = ", ".join([f"{c}: {n}" for c, n in sorted(out["errors"].items())]
                       + [f"close {c}: {n}" for c, n in sorted(out["closes"].items())]
                       + ([f"connect failures: {out['connectFailures']}"] if out["connectFailures"] else [])
                       + ([f"not joined: {k - joined}"] if k - joined else []))
    mem = (rss_joined - rss_idle) / joined / 1024 if (rss_idle and rss_joined and joined) else None
    steady = out["service"]["steady"]
    return LoadRow(
        phones=k, joined=joined,
        join_rate=joined / out["joinSeconds"] if out["joinSeconds"] else None,
        join_p99_ms=_ms(percentile(out["joinLatencyUs"], 99)),
        **extras(out),
        mem_kib=mem, rss_mib=rss_joined / 2**20 if rss_joined else None,
        service_p50_ms=_ms(percentile(steady, 50)), service_p99_ms=_ms(percentile(steady, 99)),
        rtt_p50_ms=_ms(percentile(out["rtt"]["steady"], 50)), rtt_p99_ms=_ms(percentile(out["rtt"]["steady"], 99)),
        arm_service_p99_ms=_ms(percentile(out["service"]["arm"], 99)),
        syncs_per_s=out.get("syncsSent", {}).get("steady", len(steady)) / steady_s if steady_s else None,
        status_per_s=out["statusSent"]["steady"] / steady_s if steady_s and "statusSent" in out else None,
        cue_last_ms=_ms(last - arm["sentUs"]) if last is not None else None,
        cue_received=len(arrivals),
        margin_s=(arm["startAtUs"] - last) / 1e6 if (last is not None and arm["startAtUs"]) else None,
        cpu_core=cpu_core, cpu_per_1000=cpu_core / (k / 1000) if cpu_core is not None else None,
        loadgen_core=loadgen_core, errors=errs, error_detail=detail or "none", complete=out.get("complete", True))


HEADERS = ("phones", "joined", "join rate /s", "join rate past half /s", "join p99 ms", "KiB / conn", "RSS MiB",
           "syncs /s", "status /s", "service p50 ms", "service p99 ms", "RTT p50 ms", "RTT p99 ms", "console p99 ms",
           "service p99 at arm ms", "arm ack ms", "cue to last phone ms", "margin s", "conductor CPU (core)",
           "CPU per 1k (core)", "loadgen CPU (core)", "errors")


def from_dict(d: dict) -> LoadRow:
    """A row from :meth:`LoadRow.as_dict` (or an older tree's, missing columns as None)."""
    names = {f for f in LoadRow.__dataclass_fields__}
    return LoadRow(**{**{f: None for f in names}, "errors": 0, "error_detail": "none", "cue_received": 0,
                      "complete": True, **{k: v for k, v in d.items() if k in names}})


def table(rows: list[LoadRow], labels: list[str] | None = None) -> str:
    """The load table; with ``labels``, a first column naming each row's tree."""
    body = [[r.phones, f"{r.joined}/{r.phones}", r.join_rate, r.join_rate_half, r.join_p99_ms, r.mem_kib, r.rss_mib,
             r.syncs_per_s, r.status_per_s, r.service_p50_ms, r.service_p99_ms, r.rtt_p50_ms, r.rtt_p99_ms, r.console_p99_ms,
             r.arm_service_p99_ms, r.arm_ack_ms, r.cue_last_ms, r.margin_s, r.cpu_core, r.cpu_per_1000,
             r.loadgen_core, r.errors] for r in rows]
    if labels is None:
        return markdown(HEADERS, body)
    return markdown(("tree",) + HEADERS, [[label] + b for label, b in zip(labels, body)])


def projection(rows: list[LoadRow], target: int = 20_000, *, headroom: float = 0.7) -> list[str]:
    """Linear projection from the largest healthy run (a saturated process shows
    less CPU than its load needs), else from the largest completed one."""
    done = [r for r in rows if r.cpu_per_1000 is not None and r.joined]
    if not done:
        return ["no completed run to project from"]
    healthy = [r for r in done if r.healthy]
    r = max(healthy or done, key=lambda x: x.phones)
    cpu = r.cpu_per_1000 * target / 1000
    lines = [f"from the {r.phones:,}-phone run ({'healthy' if r.healthy else 'NOT healthy: a lower bound'}): "
             f"CPU {r.cpu_per_1000:.3f} core per 1,000 phones -> "
             f"{cpu:.2f} cores for {target:,} (one process uses at most 1 core: at {headroom:.0%} load "
             f"that is {math.ceil(cpu / headroom)} conductor processes)"]
    if r.mem_kib is not None:
        lines.append(f"memory {r.mem_kib:.0f} KiB per connection -> {r.mem_kib * target / 2**20:.2f} GiB for {target:,}")
    if r.cue_last_ms is not None:
        lines.append(f"cue fan-out {r.cue_last_ms:.0f} ms for {r.phones:,} -> ~{r.cue_last_ms * target / r.phones:.0f} ms "
                     f"for {target:,} on one process if linear (with the CPU it does not have)")
    return lines
