"""Connection limits, sans-I/O: who may hold a socket, and for how long.

The rules a public-facing conductor applies *before* HTTP or websocket code
sees a byte (the shell is ``conductor/gate.py``; it feeds events with the time
``now`` in seconds and carries out the verdicts).  Nothing here reads a clock
or touches a socket.

Rules (defaults in :class:`Limits`, documented in docs/protocol.md, "Connection
limits"):

* **Global cap** ``max_connections``: sockets open at once, all kinds.
* **Per-address caps**: ``max_per_address`` sockets of one address, and
  ``max_pending_per_address`` *stalled* sockets of one address: sockets that
  have not sent a complete first request head ``stale_after_s`` after they
  opened (idle or half-sent: what a hostile client gets for free).  When an
  address is at its pending cap, a new socket of that address **evicts** its
  oldest stalled ones, down to the cap (so an honest phone behind the same NAT
  as an attacker still gets in, and the attacker never holds more stalled
  sockets than the cap once it opens another); if none has
  stalled yet (a reconnect storm: thousands of phones at once), it is admitted
  up to half the global cap of pending sockets per address.  Phones on mobile
  data sit behind carrier-grade NAT, so thousands of honest phones can share
  one public address: the established-socket cap defaults to the global one.  IPv6
  addresses are counted per /64 (one subscriber's prefix); ``exempt``
  addresses (trusted reverse proxies; ``"*"``: all) are not counted per
  address.
* **Header deadline** ``header_timeout_s``: every request head (and the body
  it announces) must arrive within this time of its first byte; the very first
  one within this time of the connection.  A slowloris client is closed at the
  deadline.  The ``hello`` deadline of ``/ws`` is the app's (``app.py``).
* **Write stall** ``write_stall_s``: a client that stops reading (its socket's
  send buffer stays full this long: a download or a websocket it no longer
  reads) is reset, so it cannot hold a descriptor and a task forever.
* **Refusals are cheap**: a socket over a cap gets ``refusal_grace_s`` to send
  its head, then a canned ``503`` (HTTP) or an accepted-and-closed ``1013``
  (websocket) and is closed; at most ``max_refusing`` wait at once, the rest
  are reset at once.  Refusals are counted and reported as one summary line
  per ``log_interval_s`` (:meth:`ConnectionLimiter.summary`), never one line
  per socket.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
from collections import Counter
from dataclasses import dataclass, field

DEFAULT_MAX_CONNECTIONS = 20_000
DEFAULT_MAX_PENDING_PER_ADDRESS = 1000
DEFAULT_HEADER_TIMEOUT_S = 10.0
DEFAULT_HELLO_TIMEOUT_S = 15.0
FD_RESERVE_MIN = 128
"""File descriptors kept for everything that is not a client socket (files
being served, the state file, NTP, logs): at least this many, or 10 %."""


@dataclass(frozen=True)
class Limits:
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_per_address: int | None = None  # None: the global cap (carrier-grade NAT)
    max_pending_per_address: int = DEFAULT_MAX_PENDING_PER_ADDRESS
    header_timeout_s: float = DEFAULT_HEADER_TIMEOUT_S
    hello_timeout_s: float = DEFAULT_HELLO_TIMEOUT_S
    stale_after_s: float = 2.0
    write_stall_s: float = 60.0
    refusal_grace_s: float = 1.0
    max_refusing: int = 256
    log_interval_s: float = 10.0
    retry_after_s: int = 5
    exempt: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in ("max_connections", "max_pending_per_address", "max_refusing"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.max_per_address is not None and self.max_per_address < 1:
            raise ValueError("max_per_address must be at least 1")
        for name in ("header_timeout_s", "hello_timeout_s", "stale_after_s", "write_stall_s", "refusal_grace_s",
                     "log_interval_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")

    @property
    def per_address(self) -> int:
        return self.max_connections if self.max_per_address is None else self.max_per_address

    @property
    def pending_per_address(self) -> int:
        """Stalled sockets of one address (never more than the ceiling)."""
        return min(self.max_pending_per_address, self.pending_ceiling)

    @property
    def pending_ceiling(self) -> int:
        """Pending sockets of one address, stalled or not: half the global cap,
        so one address can never fill the server with sockets that cost it nothing."""
        return max(1, self.max_connections // 2)


def capacity_for_fds(nofile: int, *, refusing: int = 256, accept_batch: int = 64) -> int:
    """Client sockets a process with ``nofile`` descriptors can hold without
    ever failing ``accept()``: the limit minus a reserve, the refusal budget
    and four accept batches (sockets accepted before the gate has seen them,
    or reset but not yet closed)."""
    reserve = max(FD_RESERVE_MIN, nofile // 10)
    return max(1, nofile - reserve - refusing - 4 * accept_batch)


@functools.lru_cache(maxsize=65536)
def address_key(host: str | None) -> str:
    """The unit per-address caps count: the IPv4 address, or the IPv6 /64."""
    if not host:
        return "?"
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class Verdict(enum.Enum):
    ADMIT = "admit"
    REFUSE = "refuse"  # answer 503 / 1013 once the head is in (or at the grace deadline)
    RESET = "reset"  # close at once, no answer


class Phase(enum.Enum):
    PENDING = "pending"  # no complete request head yet
    HTTP = "http"
    WEBSOCKET = "websocket"
    REFUSING = "refusing"
    EVICTED = "evicted"  # stalled and pushed out by a newer socket of its address; to be closed now


REASONS = ("global cap", "address cap", "pending cap")


@dataclass(frozen=True)
class Admission:
    """What :meth:`ConnectionLimiter.opened` decided: the verdict for the new
    socket, and stalled sockets of the same address to close now."""

    verdict: Verdict
    evict: tuple[int, ...] = ()


@dataclass
class _Conn:
    key: str
    phase: Phase
    deadline: float | None
    reason: str = ""
    opened_at: float = 0.0


class ConnectionLimiter:
    """Counts sockets per address and decides admissions and deadlines.

    Events, each with ``now`` (seconds, any monotonic origin):
    :meth:`opened` -> :class:`Admission`; :meth:`request_started`,
    :meth:`request_complete`, :meth:`upgraded`; :meth:`closed`.
    :meth:`deadline` is when the shell must call :meth:`expired`.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.conns: dict[int, _Conn] = {}
        self.by_address: Counter[str] = Counter()
        self.pending: dict[str, dict[int, float]] = {}  # address -> {cid: opened at}, oldest first
        self.refusing = 0
        self.refused: Counter[str] = Counter()  # since the last summary
        self.reset: Counter[str] = Counter()
        self.timed_out: Counter[str] = Counter()
        self.evicted = 0
        self.total_refused = 0
        self._last_summary: float | None = None

    # -- counts -------------------------------------------------------------------------

    @property
    def admitted(self) -> int:
        return len(self.conns) - self.refusing

    def _counted(self, key: str) -> bool:
        exempt = self.limits.exempt
        return not exempt or ("*" not in exempt and key not in exempt)

    # -- events -------------------------------------------------------------------------

    def opened(self, cid: int, host: str | None, now: float) -> Admission:
        key = address_key(host)
        lim = self.limits
        counted = self._counted(key)
        reason = ""
        evict: list[int] = []
        pending = self.pending.get(key, {}) if counted else {}
        if self.admitted >= lim.max_connections:
            reason = "global cap"
        elif counted and self.by_address[key] >= lim.per_address:
            reason = "address cap"
        elif len(pending) >= lim.pending_per_address:
            # evict stalled sockets, oldest first, until the newcomer fits under the cap
            excess = len(pending) - lim.pending_per_address + 1
            for old, at in pending.items():
                if len(evict) >= excess or now - at < lim.stale_after_s:
                    break
                evict.append(old)
            if not evict and len(pending) >= lim.pending_ceiling:
                reason = "pending cap"
        if reason:
            self.total_refused += 1
            if self.refusing >= lim.max_refusing:
                self.reset[reason] += 1
                return Admission(Verdict.RESET)
            self.refused[reason] += 1
            self.refusing += 1
            self.conns[cid] = _Conn(key, Phase.REFUSING, now + lim.refusal_grace_s, reason, now)
            return Admission(Verdict.REFUSE)
        for old in evict:
            c = self.conns[old]
            self._leave_pending(c, old)
            c.phase = Phase.EVICTED
            c.deadline = now
            self.evicted += 1
        self.conns[cid] = _Conn(key, Phase.PENDING, now + lim.header_timeout_s, opened_at=now)
        if counted:
            self.by_address[key] += 1
            self.pending.setdefault(key, {})[cid] = now
        return Admission(Verdict.ADMIT, tuple(evict))

    def _leave_pending(self, c: _Conn, cid: int) -> None:
        if c.phase is Phase.PENDING:
            d = self.pending.get(c.key)
            if d is not None and d.pop(cid, None) is not None and not d:
                del self.pending[c.key]

    def request_started(self, cid: int, now: float) -> None:
        """The first byte of a request after the previous one completed."""
        c = self.conns.get(cid)
        if c is not None and c.phase is Phase.HTTP:
            c.deadline = now + self.limits.header_timeout_s

    def request_complete(self, cid: int, now: float) -> None:
        """A request head and the body it announced are in."""
        c = self.conns.get(cid)
        if c is None or c.phase in (Phase.REFUSING, Phase.EVICTED):
            return
        self._leave_pending(c, cid)
        c.phase = Phase.HTTP
        c.deadline = None

    def upgraded(self, cid: int, now: float) -> None:
        """A websocket upgrade head is in: from here on the app's deadlines apply."""
        c = self.conns.get(cid)
        if c is None or c.phase in (Phase.REFUSING, Phase.EVICTED):
            return
        self._leave_pending(c, cid)
        c.phase = Phase.WEBSOCKET
        c.deadline = None

    def closed(self, cid: int, now: float) -> None:
        c = self.conns.pop(cid, None)
        if c is None:
            return
        if c.phase is Phase.REFUSING:
            self.refusing -= 1
            return
        self._leave_pending(c, cid)
        if self._counted(c.key):
            self.by_address[c.key] -= 1
            if self.by_address[c.key] <= 0:
                del self.by_address[c.key]

    def answered(self, cid: int, now: float) -> None:
        """A refused socket got its answer: it may linger ``refusal_grace_s``
        for the client to read it and close first (no reset eats the answer)."""
        c = self.conns.get(cid)
        if c is not None and c.phase is Phase.REFUSING:
            c.deadline = now + self.limits.refusal_grace_s

    def write_stalled(self, cid: int, now: float) -> None:
        """The client did not read for ``write_stall_s``: the shell resets it."""
        if cid in self.conns:
            self.timed_out["write stall"] += 1

    # -- deadlines ----------------------------------------------------------------------

    def deadline(self, cid: int) -> float | None:
        c = self.conns.get(cid)
        return None if c is None else c.deadline

    def phase(self, cid: int) -> Phase | None:
        c = self.conns.get(cid)
        return None if c is None else c.phase

    def expired(self, cid: int, now: float) -> bool:
        """True if the connection is past its deadline and must be closed
        (a refused one: answered, then closed)."""
        c = self.conns.get(cid)
        if c is None or c.deadline is None or now < c.deadline:
            return False
        if c.phase not in (Phase.REFUSING, Phase.EVICTED):
            self.timed_out[c.phase.value] += 1
        return True

    # -- log ----------------------------------------------------------------------------

    def summary(self, now: float) -> str | None:
        """One line about refusals and timeouts since the last line, at most
        once per ``log_interval_s`` (None when nothing happened or too soon)."""
        if self._last_summary is None:
            self._last_summary = now
        if now - self._last_summary < self.limits.log_interval_s:
            return None
        if not (self.refused or self.reset or self.timed_out or self.evicted):
            self._last_summary = now
            return None
        parts = []
        for label, counter in (("refused", self.refused), ("reset", self.reset), ("timed out", self.timed_out)):
            if counter:
                parts.append(f"{label} {sum(counter.values())} ("
                             + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) + ")")
        if self.evicted:
            parts.append(f"evicted {self.evicted} stalled (pending cap)")
        busiest = sorted(self.pending.items(), key=lambda kv: -len(kv[1]))[:3]
        top = ", ".join(f"{k} {len(v)}" for k, v in busiest)
        line = (f"connection limits, last {now - self._last_summary:.0f} s: " + "; ".join(parts)
                + f"; open {self.admitted}/{self.limits.max_connections}"
                + (f"; most pending: {top}" if top else ""))
        self.refused.clear()
        self.reset.clear()
        self.timed_out.clear()
        self.evicted = 0
        self._last_summary = now
        return line
