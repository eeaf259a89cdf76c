"""The ``sync`` -> ``sync_reply`` fast path, derived from the one wire definition.

``sync`` is the most frequent frame and ``sync_reply`` the most frequent reply
(docs/benchmarks.md, issue 14).  Both are built here from the records of
:mod:`conductor.messages` at import, never written by hand:

* :func:`parse_sync` reads the one form the clients send
  (``client_web/js/protocol.js`` ``make.sync``: ``{"type":"sync","id":N,"t0":N}``,
  the fields in :class:`~conductor.messages.Sync`'s order, no spaces) with one
  regular expression and checks each integer against the field's rule (its
  minimum, and the ±2**53 of every wire integer); it returns the same
  :class:`~conductor.messages.Sync` that :func:`conductor.messages.parse` would,
  or None for anything else (another order, spaces, an extra field, a value out
  of bounds) — which then goes the general way and gets its exact error.
* :data:`SYNC_REPLY` is the ``%``-template of :class:`~conductor.messages.SyncReply`'s
  compact JSON (``type`` first, then the fields in order): what
  :func:`conductor.messages.to_wire` writes, formatted without the writer.

``tests/conductor/test_fastwire.py`` checks both against the general parser and
writer on the same values.
"""

from __future__ import annotations

import dataclasses
import json
import re

from flashmob.contract.records import MAX_SAFE_INT, rule_of

from . import messages as m


def _int_fields(cls: type) -> list[dataclasses.Field]:
    fields = dataclasses.fields(cls)
    for f in fields:
        if f.type not in (int, "int"):
            raise TypeError(f"{cls.__name__}.{f.name} is not an int: the fast path covers int fields only")
    return list(fields)


_SYNC_FIELDS = _int_fields(m.Sync)
_INT = r"(-?(?:0|[1-9][0-9]{0,15}))"  # a JSON integer of at most 16 digits (2**53 has 16)
_SYNC_RE = re.compile(re.escape('{"type":' + json.dumps(m.Sync.TYPE))
                      + "".join(re.escape("," + json.dumps(f.name) + ":") + _INT for f in _SYNC_FIELDS)
                      + re.escape("}"))
_SYNC_MIN = [rule_of(f).minimum for f in _SYNC_FIELDS]
_SYNC_MAX = [rule_of(f).maximum for f in _SYNC_FIELDS]
_SYNC_NAMES = [f.name for f in _SYNC_FIELDS]


def parse_sync(text: str) -> m.Sync | None:
    """The :class:`~conductor.messages.Sync` of a frame in the clients' form, else None."""
    match = _SYNC_RE.fullmatch(text)
    if match is None:
        return None
    values = {}
    for name, raw, lo, hi in zip(_SYNC_NAMES, match.groups(), _SYNC_MIN, _SYNC_MAX):
        v = int(raw)
        if not -MAX_SAFE_INT <= v <= MAX_SAFE_INT or (lo is not None and v < lo) or (hi is not None and v > hi):
            return None
        values[name] = v
    return m.Sync(**values)


SYNC_REPLY = ('{"type":' + json.dumps(m.SyncReply.TYPE)
              + "".join("," + json.dumps(f.name) + ":%d" for f in _int_fields(m.SyncReply)) + "}")
"""``SYNC_REPLY % (id, t0, t1, t2)`` (the fields of :class:`~conductor.messages.SyncReply`, in order)."""
SYNC_REPLY_FIELDS = tuple(f.name for f in dataclasses.fields(m.SyncReply))
