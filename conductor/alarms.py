"""Alarms: conditions the organizer must see on the console, defined once.

An alarm is something wrong *now* with the conductor itself (not with one
phone): the NTP servers answer an offset too large to apply, the state file
cannot be written, ...  Any part of the conductor raises one under a stable
``key`` (``"ntp.offset"``, ``"store.write"``; other modules add theirs) and
clears it when the condition is over.  The console feed carries
:meth:`Alarms.snapshot` (``feed.alarms``, docs/protocol.md "Alarms").

Contract
--------
* :meth:`Alarms.raise_` is idempotent per key: the first raise logs one line
  (``ERROR`` for ``critical``, ``WARNING`` for ``warning``) and bumps
  :attr:`version`; repeats only count (``count``) and update the message and
  detail silently — the log gets one line per episode, not one per retry.
* :meth:`Alarms.clear` ends the episode: the alarm stays in the snapshot,
  ``resolved_at_us`` set, for ``RESOLVED_KEPT_US`` (so a fault that fixed itself
  is still seen), and logs one ``resolved`` line.  A new raise of the same key
  starts a new episode.
* Time is injected (``now() -> µs``).  Thread-safe: the NTP worker is a thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from . import messages as m

log = logging.getLogger("flashmob.conductor.alarms")

RESOLVED_KEPT_US = 15 * 60 * 1_000_000
"""A resolved alarm stays visible this long."""

MAX_ALARMS = 32
"""At most this many alarms are kept (oldest resolved ones go first)."""


class Alarms:
    def __init__(self, now: Callable[[], int]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._alarms: dict[str, m.AlarmInfo] = {}
        self.version = 0
        """Bumped on every visible change (raise, clear): the feed is resent."""

    def raise_(self, key: str, level: str, message: str, *, detail: dict | None = None) -> bool:
        """Raise (or repeat) alarm ``key``; returns True when a new episode starts."""
        if level not in m.ALARM_LEVELS:
            raise ValueError(f"alarm level must be one of {m.ALARM_LEVELS}")
        now = self._now()
        with self._lock:
            old = self._alarms.get(key)
            if old is not None and old.resolved_at_us is None:
                self._alarms[key] = m.AlarmInfo(key=key, level=level, message=message, since_us=old.since_us,
                                                last_us=now, count=old.count + 1, resolved_at_us=None,
                                                detail=detail)
                if old.message != message or old.level != level:
                    self.version += 1
                return False
            self._alarms.pop(key, None)
            self._alarms[key] = m.AlarmInfo(key=key, level=level, message=message, since_us=now, last_us=now,
                                            count=1, resolved_at_us=None, detail=detail)
            self._prune(now)
            self.version += 1
        log.log(logging.ERROR if level == "critical" else logging.WARNING, "ALARM %s: %s", key, message)
        return True

    def clear(self, key: str) -> bool:
        """End alarm ``key``'s episode; returns True if it was active."""
        now = self._now()
        with self._lock:
            old = self._alarms.get(key)
            if old is None or old.resolved_at_us is not None:
                return False
            self._alarms[key] = m.AlarmInfo(**{**m.to_dict(old), "resolved_at_us": now})
            self.version += 1
        log.warning("alarm %s resolved (%d occurrence%s)", key, old.count, "" if old.count == 1 else "s")
        return True

    def active(self, key: str) -> m.AlarmInfo | None:
        with self._lock:
            a = self._alarms.get(key)
            return a if a is not None and a.resolved_at_us is None else None

    def snapshot(self) -> tuple[m.AlarmInfo, ...]:
        """Active alarms (critical first, then oldest first), then recently resolved ones."""
        now = self._now()
        with self._lock:
            self._prune(now)
            alarms = list(self._alarms.values())
        active = sorted((a for a in alarms if a.resolved_at_us is None),
                        key=lambda a: (a.level != "critical", a.since_us))
        resolved = sorted((a for a in alarms if a.resolved_at_us is not None),
                          key=lambda a: -(a.resolved_at_us or 0))
        return tuple(active + resolved)

    def _prune(self, now: int) -> None:
        for key, a in list(self._alarms.items()):
            if a.resolved_at_us is not None and now - a.resolved_at_us > RESOLVED_KEPT_US:
                del self._alarms[key]
        while len(self._alarms) > MAX_ALARMS:
            victims = [k for k, a in self._alarms.items() if a.resolved_at_us is not None] or list(self._alarms)
            del self._alarms[victims[0]]
