"""The follower: keeps one conductor process in step with the shared show in Redis.

One asyncio task per process (``flashmob serve --redis``; docs/architecture.md,
"Backplane"), beside the ticker.  It uses redis-py's asyncio client (hiredis)
and only *reads* the show: every write goes through the store writer
(:class:`~conductor.redisstore.RedisStore`, compare-and-set).  Contract:

* It subscribes to the show's nudge channel.  A nudge (``show <rev>``,
  ``announcement <id>``) carries nothing it relies on: it reads the record
  (and the new announcements) and hands them to the core
  (:meth:`~conductor.service.Conductor.converge`,
  :meth:`~conductor.service.Conductor.announced`), which adopts what is newer
  and tells its own phones and consoles.
* Every ``interval_s`` (1 s) and on every (re)connection it also reads the
  record, so a node that missed a nudge (Redis restarted, a network blip)
  converges within a second; and it publishes this node's heartbeat
  (:mod:`conductor.nodes`: its phones, its revision, its clock against Redis's
  ``TIME``), reads everyone's and the whole show's confirmed seats: the
  console feed's totals, the capacity check of hellos, the ``nodes.clock``
  alarm.
* On shutdown (the task cancelled) it deletes its heartbeat: the other
  consoles' totals drop this node at once.
* Redis unreachable: the alarm ``backplane.redis`` (critical: show commands are
  refused meanwhile, an armed show still starts — every phone holds its start
  time and every node's ticker starts it), reconnection with a backoff from
  0.1 s doubling to 2 s, then resubscribe, read, converge, and the alarm clears.

Nothing here decides anything about the show; the rules are the core's and
:mod:`conductor.nodes`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Callable

from . import messages as m
from . import nodes
from .redisstore import Keys, parse_record, shown

log = logging.getLogger("flashmob.conductor.redisfollow")

ALARM = "backplane.redis"
BACKOFF_FIRST_S = 0.1
BACKOFF_MAX_S = 2.0
HEARTBEAT_S = 1.0
PRUNE_US = 60_000_000
"""Heartbeats older than this are deleted from the hash (a node long gone)."""


class Follower:
    """Follow the show ``runtime`` serves (a :class:`conductor.runtime.Runtime`) in Redis at ``url``."""

    def __init__(self, runtime, url: str, node_id: str, *, interval_s: float = HEARTBEAT_S,
                 ntp_offset_us: Callable[[], int | None] = lambda: None) -> None:
        self.runtime = runtime
        self.url = url
        self.shown_url = shown(url)  # never the password
        self.node = node_id
        self.interval_s = interval_s
        self.keys = Keys(runtime.bundle.show_id)
        self.ntp_offset_us = ntp_offset_us
        self.skew = nodes.SkewFilter()
        self.cluster: nodes.Cluster | None = None
        self.connected = False
        self.reconnects = 0
        self._announcements_seen = runtime.core.last_announcement_id
        self.instance = secrets.token_hex(8)
        self._polls = 0
        self._seen: tuple = ()

    @property
    def core(self):
        return self.runtime.core

    def now(self) -> int:
        return self.runtime.now()

    # -- the task ---------------------------------------------------------------------

    async def run(self) -> None:
        """Forever: connect, follow, and on any Redis failure reconnect with a backoff."""
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError

        backoff = BACKOFF_FIRST_S
        while True:
            client = aioredis.Redis.from_url(self.url, socket_timeout=2.0, socket_connect_timeout=1.0)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.keys.nudge)
                await self.poll(client)  # read and converge before anything else
                if not self.connected:
                    self.connected = True
                    self._store_reachable(True)
                    if self.reconnects:
                        log.warning("Redis at %s is back: following the shared show again", self.shown_url)
                    self.runtime.execute([self._clear()])
                backoff = BACKOFF_FIRST_S
                await self._follow(client, pubsub)
            except asyncio.CancelledError:  # shutting down: leave the totals at once, not 5 s later
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.hdel(self.keys.nodes, self.node), 0.5)
                raise
            except (RedisError, OSError) as exc:
                self._lost(exc)
            except Exception:  # noqa: BLE001 - a bug must not stop following: log, reconnect
                log.exception("following the shared show")
                self._lost(RuntimeError("internal error"))
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX_S)

    async def _follow(self, client, pubsub) -> None:
        loop = asyncio.get_running_loop()
        next_beat = loop.time() + self.interval_s
        while True:
            wait = max(0.0, next_beat - loop.time())
            msg = await pubsub.get_message(timeout=wait)
            if msg is not None and msg.get("type") == "message":
                data = msg.get("data") or b""
                if data.startswith(b"announcement"):
                    await self.read_announcements(client)
                else:
                    await self.read_record(client)
            if loop.time() >= next_beat:
                await self.poll(client)
                next_beat = loop.time() + self.interval_s

    def _lost(self, exc: BaseException) -> None:
        self.reconnects += 1
        if self.connected:
            log.error("lost Redis at %s (%s): reconnecting", self.shown_url, exc)
        self.connected = False
        self._store_reachable(False)
        self.runtime.execute([self._alarm(exc)])

    def _store_reachable(self, yes: bool) -> None:
        if hasattr(self.runtime.store, "reachable"):
            self.runtime.store.reachable = yes

    def _alarm(self, exc: BaseException):
        from . import effects as fx

        return fx.RaiseAlarm(ALARM, "critical",
                             f"Redis at {self.shown_url} is unreachable ({exc or type(exc).__name__}): show commands are "
                             "refused until it is back (an armed show still starts on every phone); reconnecting",
                             detail={"url": self.shown_url, "node": self.node})

    def _clear(self):
        from . import effects as fx

        return fx.ClearAlarm(ALARM)

    # -- reads ------------------------------------------------------------------------

    async def read_record(self, client) -> None:
        record = parse_record(await client.hget(self.keys.show, "json"))
        self.runtime.execute(self.core.converge(record, self.now()))

    async def read_announcements(self, client) -> None:
        rows = await client.lrange(self.keys.announcements, -20, -1)
        out = []
        for row in rows:
            try:
                d = json.loads(row.decode("utf-8", "surrogatepass"))
                info = m.AnnouncementInfo(id=int(d["id"]), level=d["level"], text=d["text"], group=d["group"],
                                          sent_at_us=int(d["sent_at_us"]))
            except (ValueError, KeyError, TypeError):
                continue
            if info.id > self._announcements_seen:
                out += self.core.announced(info)
                self._announcements_seen = info.id
        self.runtime.execute(out)

    async def poll(self, client) -> None:
        """The record, a clock sample, this node's heartbeat, everyone's, the whole show's seats."""
        before = self.now()
        sec, usec = await client.time()
        after = self.now()
        redis_now = int(sec) * 1_000_000 + int(usec)
        self.skew.add(before, redis_now, after)
        skew = self.skew.best()
        beat = nodes.heartbeat(self.node, redis_now, self.core, skew=skew, ntp_offset_us=self.ntp_offset_us(),
                               instance=self.instance)
        pipe = client.pipeline(transaction=False)
        pipe.hget(self.keys.nodes, self.node)
        pipe.hset(self.keys.nodes, self.node, beat.to_json())
        pipe.hgetall(self.keys.nodes)
        pipe.hgetall(self.keys.confirmed)
        pipe.hget(self.keys.show, "json")
        pipe.get(self.keys.announcement_ids)
        previous, _, beats, confirmed, record_json, last_announcement = await pipe.execute()
        peers = tuple(b for b in (nodes.Heartbeat.from_json(v) for v in beats.values()) if b is not None)
        gone = [h.node for h in peers if redis_now - h.at_us > PRUNE_US]
        if gone:
            await client.hdel(self.keys.nodes, *gone)
        counts = {g.decode(): int(n) for g, n in confirmed.items()}
        now = self.now()
        self.cluster = nodes.Cluster(node=self.node, read_at_us=now, peers=peers, confirmed=counts, here=beat,
                                     skew_us=skew[0] if skew else 0)
        self.core.registry.seats.shared_confirmed = sum(max(0, n) for n in counts.values())
        out = self.core.converge(parse_record(record_json), now)
        out.append(nodes.clock_check([beat] + [h for h in peers if h.node != self.node], redis_now))
        self._polls += 1
        if self._polls > 1:  # the first replaces what a process of this name left (a restart)
            duplicate = nodes.duplicate_check(nodes.Heartbeat.from_json(previous) if previous else None, beat,
                                              redis_now)
            if duplicate is not None:
                out.append(duplicate)
        seen = (tuple((h.node, h.connected, h.ready, h.playing, h.pending, h.revision)
                      for h in self.cluster.fresh(now) if h.node != self.node), tuple(sorted(counts.items())))
        if seen != self._seen:  # another node's phones or the seats changed: the console feed is resent
            self._seen = seen
            self.core.cluster_changed()
        self.runtime.execute(out)
        if int(last_announcement or 0) > self._announcements_seen:
            await self.read_announcements(client)
