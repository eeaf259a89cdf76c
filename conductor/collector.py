"""When the conductor lets Python's cyclic garbage collector walk the whole heap.

A conductor holding 10,000 phones has millions of long-lived objects (each
connection's protocol, parser, session, tasks); a full (generation 2)
collection walks all of them and stopped the event loop for 0.5-1.3 s at
10,000 phones, every 1-2 s while a crowd was joining and again later
(docs/benchmarks.md, issue 14): every sync reply and the armed ``show`` waited
behind it.  Young collections (generations 0 and 1) stay automatic: they only
walk recent objects (at most every ``YOUNG_THRESHOLD`` allocations).

:class:`CollectorPolicy` (pure, injected time) decides when a full collection
runs instead: from the ticker, never while a show is armed or running (the
moments that must not stall), at most every ``every_us`` (default 10 min), and
only if collections were held back since the last one.  Until then the
cyclic garbage of phones that left waits in memory (a few KiB each).
:class:`Collector` is the shell: it turns automatic full collections off
(``gc.set_threshold``'s third value), freezes what start-up allocated
(``gc.freeze``: the bundle, the app, imported modules, never garbage), runs
the full collections the policy asks for, and puts the thresholds back on
:meth:`~Collector.close` (tests run many conductors in one process).
"""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass

from .show import State

log = logging.getLogger("flashmob.conductor.collector")

FULL_EVERY_US = 600_000_000
"""At most one full collection per 10 minutes (outside an armed or running show)."""
NO_AUTOMATIC_FULL = 1_000_000_000
"""The third threshold: generation-1 collections before an automatic full one (never, in practice)."""
YOUNG_THRESHOLD = 20_000
"""Allocations between two generation-0 collections (Python's default: 700).  A broadcast to
10,000 phones keeps 10,000 writer tasks' futures alive at once; with 700, a young collection
ran every 700 allocations of the fan-out and walked all of them each time (100-220 ms
pauses at 10,000 phones; none above 50 ms with 20,000 outside the join, docs/benchmarks.md)."""
QUIET_STATES = frozenset({State.LOBBY, State.ENDED, State.ABORTED})


@dataclass
class CollectorPolicy:
    """``due(now_us, state)``: should a full collection run now?"""

    every_us: int = FULL_EVERY_US
    last_us: int | None = None

    def due(self, now_us: int, state: State, *, young_collections: int) -> bool:
        """``young_collections``: generation-1 collections since the last full one."""
        if self.last_us is None:
            self.last_us = now_us  # the clock starts at the first tick
            return False
        if state not in QUIET_STATES or young_collections == 0 or now_us - self.last_us < self.every_us:
            return False
        self.last_us = now_us
        return True


_installed = 0
_saved: tuple[int, int, int] | None = None


class Collector:
    """The process's collector set up for a crowd (see the module docstring).  Several
    conductors in one process (tests) share the set-up: the first :meth:`install`
    makes it, the last :meth:`close` undoes it."""

    def __init__(self, policy: CollectorPolicy | None = None) -> None:
        self.policy = policy or CollectorPolicy()
        self.installed = False
        self.full_runs = 0
        self.last_pause_s: float | None = None

    def install(self) -> None:
        global _installed, _saved
        if self.installed:
            return
        self.installed = True
        _installed += 1
        if _installed == 1:
            _saved = gc.get_threshold()
            gc.freeze()  # what start-up allocated lives as long as the process
            gc.set_threshold(YOUNG_THRESHOLD, _saved[1], NO_AUTOMATIC_FULL)

    def tick(self, now_us: int, state: State) -> None:
        if not self.installed:
            return
        held_back = gc.get_count()[2]  # generation-1 collections since the last full one
        if not self.policy.due(now_us, state, young_collections=held_back):
            return
        t = time.perf_counter()
        found = gc.collect(2)
        self.last_pause_s = time.perf_counter() - t
        self.full_runs += 1
        log.info("full garbage collection: %d unreachable objects, %.0f ms", found, self.last_pause_s * 1000)

    def close(self) -> None:
        global _installed, _saved
        if not self.installed:
            return
        self.installed = False
        _installed -= 1
        if _installed == 0 and _saved is not None:
            gc.set_threshold(*_saved)
            gc.unfreeze()
            _saved = None
