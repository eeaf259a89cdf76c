"""Which backplane a conductor process runs on: in-process (the default) or Redis.

* **In-process** (no ``--redis``): one conductor, its state in SQLite
  (:class:`~conductor.store.SqliteStore`, locked for the life of the process),
  fan-out in memory (:class:`~conductor.hub.LocalHub`).  ``make demo`` and a
  single machine need nothing else.
* **Redis** (``flashmob serve --redis URL --node-id NAME``): several conductor
  processes, on one machine or several, serve one show.  Its state is in Redis
  (:class:`~conductor.redisstore.RedisStore`: one record written by
  compare-and-set, seats, counters, announcements); each process fans out to
  its own sockets with its :class:`~conductor.hub.LocalHub` and follows the
  shared show (:class:`~conductor.redisfollow.Follower`).  Every node must run
  the same bundle with the same group secret (the bundle's secret file copied
  along, or ``FLASHMOB_GROUP_SECRET``) and the same console token.

:func:`open_redis` checks that Redis answers before anything starts: a node
never starts on a show it cannot read.  The Python packages ``redis`` and
``hiredis`` are the ``redis`` extra of flashmob (``pip install flashmob[redis]``;
``dev`` includes it).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

NODE_ID_CHARS = 64


class BackplaneConfigError(ValueError):
    """A ``--redis`` / ``--node-id`` that cannot be used (the message says why)."""


def default_node_id() -> str:
    """``host-pid``: unique per process on one machine and across machines."""
    return f"{socket.gethostname()}-{os.getpid()}"[:NODE_ID_CHARS]


def check_node_id(node_id: str) -> str:
    if not node_id or len(node_id) > NODE_ID_CHARS or not all(c.isalnum() or c in "-_." for c in node_id):
        raise BackplaneConfigError(f"--node-id must be 1 to {NODE_ID_CHARS} letters, digits, '-', '_' or '.' "
                                   f"(got {node_id[:80]!r})")
    return node_id


@dataclass(frozen=True)
class RedisBackplane:
    url: str
    node_id: str


def check_url(url: str) -> str:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise BackplaneConfigError("--redis wants a URL such as redis://127.0.0.1:6379/0 (a password goes in it: "
                                   "redis://:PASSWORD@HOST:6379/0, never printed)")
    return url


def open_redis(url: str, show_id: str, *, capacity: int | None):
    """The shared store of ``show_id`` at ``url``, once Redis answered (else BackplaneConfigError)."""
    try:
        import hiredis  # noqa: F401  - the fast parser: redis-py picks it up when installed
        import redis  # noqa: F401
    except ImportError as exc:
        raise BackplaneConfigError(f"--redis needs the Python packages redis and hiredis (pip install "
                                   f"'flashmob[redis]'): {exc}") from None
    from .redisstore import BackplaneError, RedisStore

    store = RedisStore(check_url(url), show_id, capacity=capacity)
    try:
        store.ping()
    except BackplaneError as exc:
        raise BackplaneConfigError(f"{exc}; start Redis first (or fix --redis)") from None
    return store
