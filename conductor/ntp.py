"""NTP discipline of the server clock: queries in a worker thread, answers judged.

Contract
--------
* ``NtpWorker(hosts, clock)`` queries every host (``host``, ``host:port`` or
  ``[v6]:port``) at start and then every ``interval_s`` (default 180 s) in a
  daemon thread; :meth:`wait_first` lets the caller wait briefly for the first
  round before serving.
* Every answer is judged (:mod:`conductor.ntp_packet`): a wrong originate
  timestamp, stratum 0/16, leap alarm, or root delay / root dispersion / round
  trip beyond :class:`~conductor.ntp_packet.Limits` discards it (the host's
  status says why).  Answers that do not match our request are skipped while
  waiting, so a forged packet sent first cannot hide the real one.
* Each host gets a burst of up to ``BURST`` (4) exchanges per round and the
  least delayed answer counts.
* Of the usable answers, the one with the smallest root distance wins (an
  answer beyond the clock's maximum offset only when no other is within it); its
  offset (NTP time minus the clock's *monotonic* source, measured on that
  source: system clock steps cannot disturb it) is the target handed to
  :meth:`~conductor.clock.ServerClock.discipline`, which slews, steps (lobby,
  never backwards once a client synced) or **refuses** an error beyond the
  clock's ``max_offset_us``.  A refusal raises the console alarm
  ``ntp.offset``; a round with no usable answer raises ``ntp.unusable``; both
  clear on the next good round.
* :meth:`status` (for the console feed) gives per-host last offset (vs the
  system clock), delay, stratum and error, the chosen host and the last action.
* The exchange is injected (``query``); the default :func:`udp_query` uses a
  connected UDP socket.  Tests run NTP responders on loopback UDP ports and a
  real ``chronyd``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from . import ntp_packet
from .alarms import Alarms
from .clock import ServerClock, wall_us
from .ntp_packet import Answer, BadAnswer, Limits

log = logging.getLogger("flashmob.conductor.ntp")

BURST = 4
"""Exchanges per host per round; the least delayed one counts.  Measured
against a local chronyd on the shared 2-core machine at load 11-12
(``python bench/ntp_burst.py``, docs/benchmarks.md "NTP exchange"): one
exchange p99 0.08-1.9 ms off, the least delayed of 4 p99 4-103 µs."""


@dataclass(frozen=True)
class NtpSample:
    host: str
    ok: bool
    offset_us: int | None = None  # NTP time minus this machine's system clock
    delay_us: int | None = None
    stratum: int | None = None
    error: str | None = None
    at_unix: float = 0.0


Query = Callable[[str, int, float, Callable[[], int], Limits], Answer]
"""(host, port, timeout_s, local clock µs, limits) -> judged Answer; raises on failure."""


def udp_query(host: str, port: int, timeout_s: float, local_us: Callable[[], int],
              limits: Limits = Limits()) -> Answer:
    """One exchange on a connected UDP socket (the kernel drops datagrams from
    other addresses/ports); answers that fail the originate check are skipped
    until ``timeout_s``; any other bad answer is final."""
    family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    sent = ntp_packet.request(os.urandom(8))
    deadline = time.monotonic() + timeout_s
    mismatched = 0
    with socket.socket(family, kind, proto) as s:
        s.connect(addr)
        t1 = local_us()
        s.send(sent)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if mismatched:
                    raise BadAnswer("originate", f"{mismatched} answer(s) whose originate timestamp does not "
                                                 "match the request (stale, replayed or forged), no valid one")
                raise TimeoutError(f"no answer within {timeout_s:g} s")
            s.settimeout(left)
            try:
                data = s.recv(512)
            except TimeoutError:
                continue
            t4 = local_us()
            try:
                return ntp_packet.judge(sent, data, t1, t4, limits)
            except BadAnswer as exc:
                if exc.code != "originate":
                    raise
                mismatched += 1


def split_host(spec: str, default_port: int = 123) -> tuple[str, int]:
    """``"pool.ntp.org"``, ``"127.0.0.1:1234"``, ``"[::1]:1234"`` -> (host, port)."""
    spec = spec.strip()
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default_port
    if spec.count(":") == 1:
        host, port = spec.split(":")
        return host, int(port)
    return spec, default_port


class NtpWorker:
    def __init__(self, hosts: list[str], clock: ServerClock, *, interval_s: float = 180.0, timeout_s: float = 2.0,
                 query: Query = udp_query, wall: Callable[[], int] = wall_us,
                 mono: Callable[[], int] | None = None, limits: Limits = Limits(),
                 alarms: Alarms | None = None, burst: int = BURST) -> None:
        if not hosts:
            raise ValueError("at least one NTP host")
        self.hosts = [split_host(h) for h in hosts]
        self.clock = clock
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._query = query
        self._wall = wall
        self._mono = mono or clock.mono  # the clock's own monotonic source
        self.limits = limits
        self.alarms = alarms
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.burst = burst
        self._lock = threading.Lock()
        self._samples: dict[str, NtpSample] = {}
        self._chosen: str | None = None
        self._last_action: str | None = None
        self._rounds = 0
        self._stop = threading.Event()
        self._first = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one round --------------------------------------------------------------------

    def poll_once(self) -> NtpSample | None:
        """Query every host, steer the clock with the best usable answer, return it."""
        samples: list[tuple[NtpSample, Answer | None]] = []
        for host, port in self.hosts:
            name = f"{host}:{port}"
            try:
                ans = self._best_of_burst(host, port)
                wall_minus_mono = self._wall() - self._mono()
                sample = NtpSample(name, True, ans.offset_us - wall_minus_mono, ans.delay_us, ans.stratum,
                                   at_unix=time.time())
            except Exception as exc:  # network errors, timeouts, bad answers
                sample, ans = NtpSample(name, False, error=str(exc)[:200] or type(exc).__name__,
                                        at_unix=time.time()), None
            samples.append((sample, ans))
        good = sorted(((s, a) for s, a in samples if a is not None), key=lambda sa: sa[1].distance_us)
        # hosts whose answer is beyond the maximum: never chosen while another one is within it
        far = [(s, self.clock.error_us(a.offset_us)) for s, a in good
               if abs(self.clock.error_us(a.offset_us)) > self.clock.max_offset_us]
        far_hosts = {s.host for s, _ in far}
        best = next(((s, a) for s, a in good if s.host not in far_hosts), good[0] if good else None)
        action = None
        if best:
            action = self.clock.discipline(best[1].offset_us)
        with self._lock:
            for s, _ in samples:
                self._samples[s.host] = s
            self._rounds += 1
            if best:
                self._chosen, self._last_action = best[0].host, action
        self._report(samples, best, action, far)
        return best[0] if best else None

    def _best_of_burst(self, host: str, port: int) -> Answer:
        """Up to ``burst`` exchanges; the one with the smallest round trip (the
        least delayed by a busy machine or network).  A failure ends the burst;
        it is raised only if no exchange succeeded."""
        answers: list[Answer] = []
        for _ in range(self.burst):
            try:
                answers.append(self._query(host, port, self.timeout_s, self._mono, self.limits))
            except Exception:
                if not answers:
                    raise
                break
        return min(answers, key=lambda a: a.delay_us)

    def _report(self, samples, best, action, far) -> None:
        if best is None:
            reasons = "; ".join(f"{s.host}: {s.error}" for s, _ in samples)
            # with alarms, the alarm logs once per episode; this line is the per-round detail
            log.log(logging.INFO if self.alarms else logging.WARNING, "ntp: no usable answer (%s)", reasons)
            if self.alarms:
                self.alarms.raise_("ntp.unusable", "warning", "No usable NTP answer: server time runs on this "
                                   f"machine's clock. {reasons}"[:1000])
            return
        s = best[0]
        log.info("ntp: %s offset %+.3f ms delay %.3f ms stratum %d -> %s", s.host, s.offset_us / 1000,
                 s.delay_us / 1000, s.stratum, action)
        if self.alarms:
            self.alarms.clear("ntp.unusable")
        if not far:
            if self.alarms:
                self.alarms.clear("ntp.offset")
            return
        host, error = far[0]
        applied = action != "refuse"
        log.log(logging.INFO if self.alarms else logging.WARNING,
                "ntp: %s says server time is off by %+.3f s, beyond the %g s maximum: not applied%s", host.host,
                    error / 1e6, self.clock.max_offset_us / 1e6, f" (using {s.host})" if applied else "")
        if self.alarms:
            self.alarms.raise_(
                "ntp.offset", "warning" if applied else "critical",
                f"NTP server {host.host} says server time is off by {error / 1e6:+.3f} s, beyond the "
                f"{self.clock.max_offset_us / 1e6:g} s maximum (--ntp-max-offset): not applied"
                + (f"; the clock follows {s.host} (within the maximum). Check {host.host}." if applied else
                   ", the conductor keeps its clock. Check this machine's clock and the NTP server."),
                detail={"host": host.host, "error_us": error, "max_offset_us": self.clock.max_offset_us,
                        "followed": s.host if applied else None})

    # -- thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # pragma: no cover - poll_once catches query errors already
                log.exception("ntp round failed")
            self._first.set()
            self._stop.wait(self.interval_s)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="flashmob-ntp", daemon=True)
            self._thread.start()

    def wait_first(self, timeout_s: float) -> bool:
        return self._first.wait(timeout_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s * len(self.hosts) * self.burst + 1)

    def status(self) -> dict:
        clock = self.clock.status()
        with self._lock:
            return {
                "hosts": [asdict(s) for s in self._samples.values()],
                "chosen": self._chosen,
                "last_action": self._last_action,
                "rounds": self._rounds,
                "interval_s": self.interval_s,
                "server_minus_wall_us": self.clock.now_us() - self._wall(),
                "clock_offset_us": clock.offset_us,
                "clock_target_offset_us": clock.target_offset_us,
                "slewing": clock.slewing,
                "backward_steps_allowed": clock.backward_steps_allowed,
                "max_offset_us": clock.max_offset_us,
            }
