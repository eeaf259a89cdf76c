"""NTP discipline of the server clock: ntplib queries in a worker thread.

Contract
--------
* ``NtpWorker(hosts, clock)`` queries every host (``host``, ``host:port`` or
  ``[v6]:port``) at start and then every ``interval_s`` (default 180 s) in a
  daemon thread; :meth:`wait_first` lets the caller wait briefly for the first
  round before serving.
* Of the answers with a valid stratum (1-15), the one with the smallest
  delay wins (its error bound is the tightest); the clock is steered to
  ``wall + ntp_offset`` expressed against its monotonic source
  (:meth:`~conductor.clock.ServerClock.discipline`), which slews and never
  steps backwards during a show.  Several conductors pointed at the same
  servers agree on server time to within a few NTP error bounds.
* :meth:`status` (for the console feed) gives per-host last offset, delay,
  stratum and error, the chosen host and whether the clock stepped or slews.
* The query function is injected; the default uses ntplib.  Tests run an NTP
  responder on a loopback UDP port.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from .clock import ServerClock, wall_us

log = logging.getLogger("flashmob.conductor.ntp")


@dataclass(frozen=True)
class NtpSample:
    host: str
    ok: bool
    offset_us: int | None = None
    delay_us: int | None = None
    stratum: int | None = None
    error: str | None = None
    at_unix: float = 0.0


Query = Callable[[str, int, float], tuple[float, float, int]]
"""(host, port, timeout_s) -> (offset_s, delay_s, stratum); raises on failure."""


def ntplib_query(host: str, port: int, timeout_s: float) -> tuple[float, float, int]:
    import ntplib

    stats = ntplib.NTPClient().request(host, version=3, port=port, timeout=timeout_s)
    return stats.offset, stats.delay, stats.stratum


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
                 query: Query = ntplib_query, wall: Callable[[], int] = wall_us,
                 mono: Callable[[], int] | None = None) -> None:
        if not hosts:
            raise ValueError("at least one NTP host")
        self.hosts = [split_host(h) for h in hosts]
        self.clock = clock
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._query = query
        self._wall = wall
        self._mono = mono or clock.mono  # the clock's own monotonic source
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
        """Query every host, steer the clock with the best answer, return it."""
        samples = []
        for host, port in self.hosts:
            name = f"{host}:{port}"
            try:
                offset_s, delay_s, stratum = self._query(host, port, self.timeout_s)
                if not 1 <= stratum <= 15:
                    raise ValueError(f"unusable stratum {stratum}")
                sample = NtpSample(name, True, round(offset_s * 1e6), round(delay_s * 1e6), stratum,
                                   at_unix=time.time())
                # the offset relates the wall clock to NTP time *now*: pin it to the monotonic clock
                target = self._wall() + sample.offset_us - self._mono()  # type: ignore[operator]
            except Exception as exc:  # network errors, timeouts, garbage answers
                sample, target = NtpSample(name, False, error=str(exc)[:200], at_unix=time.time()), None
            samples.append((sample, target))
        good = [(s, t) for s, t in samples if s.ok]
        best = min(good, key=lambda st: st[0].delay_us) if good else None
        action = self.clock.discipline(best[1]) if best else None
        with self._lock:
            for s, _ in samples:
                self._samples[s.host] = s
            self._rounds += 1
            if best:
                self._chosen, self._last_action = best[0].host, action
        if best:
            log.info("ntp: %s offset %+.3f ms delay %.3f ms stratum %d -> %s", best[0].host,
                     best[0].offset_us / 1000, best[0].delay_us / 1000, best[0].stratum, action)
        else:
            log.warning("ntp: no usable answer from %s", ", ".join(s.host for s, _ in samples))
        return best[0] if best else None

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
            self._thread.join(timeout=self.timeout_s * len(self.hosts) + 1)

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
            }
