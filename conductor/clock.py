"""Server time: a monotonic clock plus a disciplined offset, in integer microseconds.

Contract
--------
* ``ServerClock.now_us()`` = ``mono_us() + offset``.  The monotonic source is
  injected (tests pass a fake); the real one is ``time.monotonic_ns() // 1000``.
* The initial offset makes server time equal to Unix-epoch UTC microseconds
  (``time.time_ns() // 1000``) at start, so a start time survives a restart and
  is shared with other conductors on NTP-disciplined machines.
* :meth:`ServerClock.discipline` receives a new *target* offset (from NTP).
  The offset then **slews** toward it at ``slew_ppm`` (default 500 ppm, ntpd's
  limit): server time never jumps and never runs backwards, because the offset
  changes more slowly than the monotonic clock advances.  A **step** (jump) is
  taken instead only when steps are allowed (no show armed or running — the
  service decides through :meth:`allow_steps`) and the error exceeds
  ``step_threshold_us`` (default 128 ms, as ntpd).
* An error beyond ``max_offset_us`` (default 10 s) is **refused**: the clock
  keeps its offset (:meth:`discipline` returns ``"refuse"``; the NTP worker
  raises a console alarm).  A random or hostile answer can never move server
  time by years, hours or even a minute.
* Once :meth:`forbid_backward_steps` was called (the first sync reply handed
  out: some client holds a model of server time), a backward correction is
  always **slewed**, never stepped, for the life of the process — also in the
  lobby after a show ended or was aborted.
* All arithmetic is integer; every method is thread-safe (the NTP worker is a
  thread, the event loop reads the time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MonoUs = Callable[[], int]

SLEW_PPM = 500
"""How fast the offset slews (ntpd's limit): server time never runs backwards."""
STEP_THRESHOLD_US = 128_000
"""Errors above this are stepped (lobby only; forwards only once anyone synced)."""
MAX_OFFSET_US = 10_000_000
"""Default of ``--ntp-max-offset``: larger NTP corrections are refused (console alarm)."""


def monotonic_us() -> int:
    """The process-independent monotonic clock (CLOCK_MONOTONIC) in µs."""
    return time.monotonic_ns() // 1000


def wall_us() -> int:
    """The system's UTC wall clock in µs since the Unix epoch."""
    return time.time_ns() // 1000


@dataclass(frozen=True)
class ClockStatus:
    offset_us: int
    target_offset_us: int
    slewing: bool
    steps_allowed: bool
    steps: int
    backward_steps_allowed: bool = True
    max_offset_us: int = 0


class ServerClock:
    """Monotonic + offset, with slewing toward a target offset."""

    def __init__(self, mono_us: MonoUs = monotonic_us, *, initial_offset_us: int | None = None,
                 wall: MonoUs = wall_us, slew_ppm: int = SLEW_PPM, step_threshold_us: int = STEP_THRESHOLD_US,
                 max_offset_us: int = MAX_OFFSET_US) -> None:
        if not 0 < slew_ppm < 1_000_000:
            raise ValueError("slew_ppm must be in (0, 1e6): a slower offset change keeps time monotonic")
        if max_offset_us <= 0:
            raise ValueError("max_offset_us must be positive")
        self.max_offset_us = max_offset_us
        self._backward_steps_allowed = True
        self._mono = mono_us
        self._lock = threading.Lock()
        self._slew_ppm = slew_ppm
        self._step_threshold_us = step_threshold_us
        m = mono_us()
        offset = wall() - m if initial_offset_us is None else initial_offset_us
        self._anchor_mono = m
        self._anchor_offset = offset
        self._target = offset
        self._steps_allowed = True
        self._steps = 0
        self._last_now = None  # type: int | None

    # -- reading ----------------------------------------------------------------------

    @property
    def mono(self) -> MonoUs:
        """The injected monotonic source (µs)."""
        return self._mono

    def _offset_at(self, m: int) -> int:
        delta = self._target - self._anchor_offset
        if delta == 0:
            return self._target
        elapsed = max(0, m - self._anchor_mono)
        budget = elapsed * self._slew_ppm // 1_000_000
        if abs(delta) <= budget:
            return self._target
        return self._anchor_offset + (budget if delta > 0 else -budget)

    def now_us(self) -> int:
        """Current server time (µs).  Never decreases."""
        with self._lock:
            m = self._mono()
            now = m + self._offset_at(m)
            if self._last_now is not None and now < self._last_now:  # defensive: monotonic guarantee
                now = self._last_now
            self._last_now = now
            return now

    __call__ = now_us

    def offset_us(self) -> int:
        with self._lock:
            return self._offset_at(self._mono())

    def status(self) -> ClockStatus:
        with self._lock:
            current = self._offset_at(self._mono())
            return ClockStatus(offset_us=current, target_offset_us=self._target,
                               slewing=current != self._target, steps_allowed=self._steps_allowed,
                               steps=self._steps, backward_steps_allowed=self._backward_steps_allowed,
                               max_offset_us=self.max_offset_us)

    # -- disciplining -----------------------------------------------------------------

    def allow_steps(self, allowed: bool) -> None:
        """Allow (lobby) or forbid (armed/running show) jumps of the offset."""
        with self._lock:
            self._steps_allowed = allowed

    def forbid_backward_steps(self) -> None:
        """Server time has been handed out: never step it backwards again (slew instead)."""
        with self._lock:
            self._backward_steps_allowed = False

    def error_us(self, target_offset_us: int) -> int:
        """How far ``target_offset_us`` is from the current offset (target - current)."""
        with self._lock:
            return target_offset_us - self._offset_at(self._mono())

    def discipline(self, target_offset_us: int) -> str:
        """Steer toward ``target_offset_us``; returns ``"step"``, ``"slew"`` or
        ``"refuse"`` (error beyond ``max_offset_us``: nothing changes)."""
        with self._lock:
            m = self._mono()
            current = self._offset_at(m)
            error = target_offset_us - current
            if abs(error) > self.max_offset_us:
                return "refuse"
            backward_ok = error >= 0 or self._backward_steps_allowed
            if self._steps_allowed and backward_ok and abs(error) > self._step_threshold_us:
                # Steps happen only in the lobby (no start time handed out yet);
                # a backward one resets the monotonic guard of now_us().
                self._anchor_mono = m
                self._anchor_offset = target_offset_us
                self._target = target_offset_us
                self._steps += 1
                if error < 0:
                    self._last_now = None
                return "step"
            self._anchor_mono = m
            self._anchor_offset = current
            self._target = target_offset_us
            return "slew"


class FakeMonotonic:
    """A settable monotonic source for tests and simulations (µs)."""

    def __init__(self, start_us: int = 1_000_000) -> None:
        self.t = start_us

    def __call__(self) -> int:
        return self.t

    def advance(self, us: int) -> None:
        if us < 0:
            raise ValueError("a monotonic clock does not go back")
        self.t += us
