"""CPU time and resident memory of processes, sampled from /proc (Linux)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (its threads included)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class Sampler:
    """Samples (monotonic s, cpu s, rss bytes) of each pid every ``every_s``."""

    pids: dict[str, int]
    every_s: float = 0.25
    samples: dict[str, list[tuple[float, float, int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.samples = {k: [] for k in self.pids}

    def _run(self) -> None:
        while not self._stop.is_set():
            t = time.monotonic()
            for name, pid in self.pids.items():
                try:
                    self.samples[name].append((t, cpu_seconds(pid), rss_bytes(pid)))
                except (OSError, IndexError, ValueError):
                    pass
            self._stop.wait(self.every_s)

    def start(self) -> "Sampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def at(self, name: str, t: float) -> tuple[float, float, int] | None:
        """The sample of ``name`` nearest to monotonic time ``t``."""
        xs = self.samples.get(name) or []
        return min(xs, key=lambda s: abs(s[0] - t), default=None)

    def cpu_share(self, name: str, t_from: float, t_to: float) -> float | None:
        """CPU used between two instants as a fraction of one core."""
        a, b = self.at(name, t_from), self.at(name, t_to)
        if a is None or b is None or b[0] <= a[0]:
            return None
        return (b[1] - a[1]) / (b[0] - a[0])

    def peak_rss(self, name: str, t_from: float, t_to: float) -> int | None:
        xs = [s[2] for s in self.samples.get(name, []) if t_from <= s[0] <= t_to]
        return max(xs) if xs else None
