"""Console commands as show events (pure): what a well-formed command means, or why it cannot apply.

:func:`show_event` turns ``arm`` / ``cancel`` / ``abort`` / ``reset`` into the
:mod:`conductor.show` event to apply at ``now`` (server µs, the frame's
receive time), and :func:`check_group` checks an announcement's group.  A
command that is well-formed but cannot be applied raises :class:`CommandError`
(its ``code`` is the wire error code, docs/protocol.md "Errors"); whether the
show's state allows it is :func:`conductor.show.apply`'s to say.
"""

from __future__ import annotations

from typing import Any

from . import messages as m
from . import show as showmod
from .bundle import Bundle

MAX_LEAD_US = 366 * 24 * 3600 * 1_000_000
"""Arming further ahead than this is refused (keeps times far below 2**53)."""


class CommandError(Exception):
    """A console command that is well-formed but cannot be applied."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def show_event(msg: Any, now: int) -> showmod.Event:
    """The show event of ``arm`` (its absolute start), ``cancel``, ``abort`` or ``reset``."""
    if isinstance(msg, m.Arm):
        if (msg.start_at_us is None) == (msg.in_ms is None):
            raise CommandError(m.INVALID_COMMAND, "arm needs exactly one of start_at_us or in_ms")
        start = msg.start_at_us if msg.start_at_us is not None else now + msg.in_ms * 1000
        if start > now + MAX_LEAD_US:
            raise CommandError(m.INVALID_COMMAND, "the start time is more than a year away")
        return showmod.Arm(start_at_us=start)
    if isinstance(msg, m.Cancel):
        return showmod.Cancel()
    if isinstance(msg, m.Abort):
        return showmod.Abort(reason=msg.reason)
    if isinstance(msg, m.Reset):
        return showmod.Reset()
    raise CommandError(m.INVALID_COMMAND, f"unknown command {type(msg).__name__}")  # the parser lets none through


def check_group(bundle: Bundle, group: str | None) -> None:
    """An announcement's group: None (everyone) or one of the show's."""
    if group is not None and bundle.group(group) is None:
        raise CommandError(m.INVALID_COMMAND, f"there is no group {group!r} "
                                              f"(groups: {', '.join(bundle.group_ids)})")
