"""The show's state in Redis: one authoritative record shared by every conductor process.

:class:`RedisStore` implements :class:`~conductor.store.StateStore` for several
conductor processes (``flashmob serve --redis URL``; docs/architecture.md,
"Backplane").  Like :class:`~conductor.store.SqliteStore` it is synchronous and
runs on the store writer thread (:mod:`conductor.persist`), off the event loop;
it uses redis-py's blocking client (hiredis parser) with short timeouts, so a
Redis that went away fails a write in about a second instead of hanging it.

Contract:

* The show record is one hash ``flashmob:<show>:show`` (``rev``, ``json``).
  :meth:`save_transitions` applies a batch with one Lua script, a
  compare-and-set on the revision: the batch is written only if the stored
  revision is the one the batch starts from — or one of the batch's own
  records with the very same content (clock-driven transitions that another
  node wrote first: ``started``/``finished`` are stamped with the scheduled
  instant, so every node derives the same record), or when there is no record at
  all (a Redis restarted without its data: the node's own record restores it).  Otherwise nothing is
  written and :class:`RevisionConflict` carries the stored record: two nodes
  can never both apply revision N+1.  A written batch is appended to the
  transition log and a nudge (``show <rev>``) is published on
  ``flashmob:<show>:nudge``; the nudge carries nothing a node needs, it only
  says "read the record" (:mod:`conductor.redisfollow`).
* Confirmed seats are the hash ``participants`` (id -> group), per-group
  confirmed counts ``confirmed``; :meth:`add_participant` refuses beyond
  ``capacity`` confirmed seats of the whole show (:class:`SharedSeatsFull`);
  a seat already stored is not counted twice.
* ``balanced`` assignment (:meth:`assign_balanced`) is one Lua script over the
  per-group assignment counters ``assigned``: the group minimising
  ``(count + 1) / share`` (ties: the first) is chosen and counted atomically,
  whichever node asks.
* Announcements are a list; their ids come from ``INCR`` (unique across nodes).
* Every Redis failure is raised as :class:`BackplaneError` (an ``OSError``: the
  store writer reports it as a failed write with its sentence, and the core
  refuses the durable command that needed it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from .show import ShowRecord, Transition

CONFLICT = "RevisionConflict"
SEATS_FULL = "SharedSeatsFull"
UNREACHABLE = "BackplaneError"
"""The ``WriteFailure.code`` of each failure (the exception's class name)."""

TIMEOUT_S = 1.0
"""Socket timeouts of the store writer's client: a gone Redis fails a write this fast."""
LOOP_TIMEOUT_S = 0.25
"""Socket timeouts of the calls made on the event loop (a newcomer's group, a returning seat)."""

_SAVE = """
-- KEYS: show hash, log list. ARGV: before_rev, channel, n, then n times (rev, json, logentry).
local cur = tonumber(redis.call('HGET', KEYS[1], 'rev') or '-1')
local curjson = redis.call('HGET', KEYS[1], 'json') or ''
local n = tonumber(ARGV[3])
local first = nil
if cur == tonumber(ARGV[1]) or cur == -1 then first = 1 end  -- absent: Redis lost it, this node restores it
if first == nil then
  for i = 1, n do
    local base = 3 + (i - 1) * 3
    if tonumber(ARGV[base + 1]) == cur and ARGV[base + 2] == curjson then first = i + 1 end
  end
end
if first == nil then return {-1, curjson} end
if first > n then return {0, curjson} end
for i = first, n do
  local base = 3 + (i - 1) * 3
  redis.call('RPUSH', KEYS[2], ARGV[base + 3])
end
local last = 3 + (n - 1) * 3
redis.call('HSET', KEYS[1], 'rev', ARGV[last + 1], 'json', ARGV[last + 2])
redis.call('PUBLISH', ARGV[2], 'show ' .. ARGV[last + 1])
return {1, ARGV[last + 2]}
"""

_SAVE_RECORD = """
-- KEYS: show hash. ARGV: rev, json, state. Never replaces a newer record; an equal one only in the lobby.
local cur = redis.call('HGET', KEYS[1], 'rev')
if cur then
  cur = tonumber(cur)
  local rev = tonumber(ARGV[1])
  if cur > rev then return 0 end
  if cur == rev then
    local old = cjson.decode(redis.call('HGET', KEYS[1], 'json'))
    if old['state'] ~= 'lobby' or ARGV[3] ~= 'lobby' then return 0 end
  end
end
redis.call('HSET', KEYS[1], 'rev', ARGV[1], 'json', ARGV[2])
return 1
"""

_ADD_PARTICIPANT = """
-- KEYS: participants, confirmed counts. ARGV: pid, group, capacity (0: none).
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
local cap = tonumber(ARGV[3])
if cap > 0 and redis.call('HLEN', KEYS[1]) >= cap then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
return 2
"""

_REMOVE_PARTICIPANTS = """
-- KEYS: participants, confirmed counts, assigned counts. ARGV: pids.
local n = 0
for i = 1, #ARGV do
  local g = redis.call('HGET', KEYS[1], ARGV[i])
  if g then
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('HINCRBY', KEYS[2], g, -1)
    redis.call('HINCRBY', KEYS[3], g, -1)
    n = n + 1
  end
end
return n
"""

_ASSIGN = """
-- KEYS: assigned counts. ARGV: group, share, group, share, ... (shares > 0). Minimise (count+1)/share.
local best, num, den = nil, 0, 1
for i = 1, #ARGV, 2 do
  local c = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  local s = tonumber(ARGV[i + 1])
  if best == nil or (c + 1) * den < num * s then best, num, den = ARGV[i], c + 1, s end
end
redis.call('HINCRBY', KEYS[1], best, 1)
return best
"""

_SEED = """
-- KEYS: assigned, confirmed, participants. Counters from the stored seats, once (a fresh counter set).
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
local all = redis.call('HGETALL', KEYS[3])
for i = 1, #all, 2 do
  redis.call('HINCRBY', KEYS[1], all[i + 1], 1)
  redis.call('HINCRBY', KEYS[2], all[i + 1], 1)
end
redis.call('HSET', KEYS[1], '', 0)
return 1
"""


class BackplaneError(OSError):
    """Redis could not be reached or refused the operation (``str()`` says which and why)."""


class RevisionConflict(BackplaneError):
    """Another conductor wrote the show record first; ``record`` is the stored one."""

    failure_kind = "conflict"

    def __init__(self, message: str, record: ShowRecord | None) -> None:
        super().__init__(message)
        self.record = record


class SharedSeatsFull(BackplaneError):
    """Every seat of the whole show is confirmed (``--capacity``, counted in Redis)."""

    failure_kind = "full"


def record_json(record: ShowRecord) -> str:
    """The one serialization of a record in Redis (equal records give equal strings)."""
    return json.dumps({"state": record.state.value, "duration_us": record.duration_us,
                       "start_at_us": record.start_at_us, "revision": record.revision, "reason": record.reason,
                       "changed_at_us": record.changed_at_us}, sort_keys=True, separators=(",", ":"))


def parse_record(text: str | bytes | None) -> ShowRecord | None:
    if not text:
        return None
    d = json.loads(text)
    return ShowRecord(state=d["state"], duration_us=d["duration_us"], start_at_us=d["start_at_us"],
                      revision=d["revision"], reason=d["reason"], changed_at_us=d["changed_at_us"])


class Keys:
    """The Redis keys of one show (everything under ``flashmob:<show_id>:``)."""

    def __init__(self, show_id: str) -> None:
        p = f"flashmob:{show_id}:"
        self.prefix = p
        self.show, self.log, self.nudge = p + "show", p + "log", p + "nudge"
        self.participants, self.confirmed, self.assigned = p + "participants", p + "confirmed", p + "assigned"
        self.announcements, self.announcement_ids = p + "announcements", p + "announcement-ids"
        self.nodes = p + "nodes"

    def secret(self, name: str) -> str:
        return self.prefix + "secret:" + name


def shown(url: str) -> str:
    """``url`` without its password (``redis://:secret@host`` -> ``redis://:***@host``): what
    messages, logs, alarms and the banner print."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "the --redis URL"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def connect(url: str, timeout_s: float = TIMEOUT_S):
    """A blocking client for ``url`` (redis:// or unix://), failing fast."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                                health_check_interval=0, retry_on_timeout=False, decode_responses=False)


class RedisStore:
    """The shared state store (see the module docstring).  Thread-safe (redis-py's pool)."""

    def __init__(self, url: str, show_id: str, *, capacity: int | None = None, client=None) -> None:
        self.url = url
        self.shown_url = shown(url)
        self.show_id = show_id
        self.capacity = capacity
        self.keys = Keys(show_id)
        self.r = client if client is not None else connect(url)
        self.r_loop = client if client is not None else connect(url, LOOP_TIMEOUT_S)
        self.reachable = True
        """Set by the follower (conductor/redisfollow.py): while False, the event loop's calls
        fail at once instead of waiting for a timeout on every newcomer."""
        self._scripts = {name: self.r.register_script(src) for name, src in (
            ("save", _SAVE), ("save_record", _SAVE_RECORD), ("add", _ADD_PARTICIPANT),
            ("remove", _REMOVE_PARTICIPANTS), ("assign", _ASSIGN), ("seed", _SEED))}

    def _call(self, what: str, fn, *args, **kwargs):
        import redis

        try:
            return fn(*args, **kwargs)
        except redis.RedisError as exc:
            raise BackplaneError(f"Redis at {self.shown_url} cannot {what}: {exc or type(exc).__name__}") from None

    def _key_check(self, show_id: str) -> Keys:
        return self.keys if show_id == self.show_id else Keys(show_id)

    def close(self) -> None:
        self._call("close", self.r.close)
        self._call("close", self.r_loop.close)

    def ping(self) -> None:
        """Raise BackplaneError unless Redis answers (start-up)."""
        self._call("be reached", self.r.ping)

    # -- show -------------------------------------------------------------------------

    def load_show(self, show_id: str) -> ShowRecord | None:
        return parse_record(self._call("read the show record", self.r.hget, self._key_check(show_id).show, "json"))

    def save_transitions(self, show_id: str, transitions: list[Transition]) -> None:
        if not transitions:
            return
        k = self._key_check(show_id)
        args: list = [transitions[0].before.revision, k.nudge, len(transitions)]
        for t in transitions:
            a = t.after
            entry = json.dumps({"revision": a.revision, "event": t.name, "state": a.state.value,
                                "start_at_us": a.start_at_us, "reason": a.reason, "at_us": a.changed_at_us},
                               separators=(",", ":"))
            args += [a.revision, record_json(a), entry]
        code, stored = self._call("write the show record", self._scripts["save"], keys=[k.show, k.log], args=args)
        if int(code) < 0:
            record = parse_record(stored)
            said = f"revision {record.revision} ({record.state.value})" if record else "another record"
            raise RevisionConflict(f"another conductor changed the show first: the shared record is {said}, "
                                   f"this one started from revision {transitions[0].before.revision}", record)

    def save_record(self, show_id: str, record: ShowRecord) -> None:
        k = self._key_check(show_id)
        self._call("write the show record", self._scripts["save_record"], keys=[k.show],
                   args=[record.revision, record_json(record), record.state.value])

    def transition_log(self, show_id: str) -> list[tuple[int, str, str]]:
        rows = self._call("read the transition log", self.r.lrange, self._key_check(show_id).log, 0, -1)
        out = []
        for row in rows:
            d = json.loads(row)
            out.append((d["revision"], d["event"], d["state"]))
        return out

    # -- participants -----------------------------------------------------------------

    def participants(self, show_id: str) -> dict[str, str]:
        k = self._key_check(show_id)
        self._call("count the seats", self._scripts["seed"], keys=[k.assigned, k.confirmed, k.participants])
        rows = self._call("read the seats", self.r.hgetall, k.participants)
        return {p.decode(): g.decode() for p, g in rows.items()}

    def add_participant(self, show_id: str, participant_id: str, group_id: str, at_us: int) -> None:
        k = self._key_check(show_id)
        code = self._call("store a seat", self._scripts["add"], keys=[k.participants, k.confirmed],
                          args=[participant_id, group_id, self.capacity or 0])
        if int(code) < 0:
            raise SharedSeatsFull(f"every seat of the show is confirmed (capacity {self.capacity}, all nodes)")

    def remove_participants(self, show_id: str, participant_ids: tuple[str, ...]) -> None:
        if not participant_ids:
            return
        k = self._key_check(show_id)
        self._call("release seats", self._scripts["remove"], keys=[k.participants, k.confirmed, k.assigned],
                   args=list(participant_ids))

    def _loop_check(self) -> None:
        if not self.reachable:
            raise BackplaneError(f"Redis at {self.shown_url} is unreachable (reconnecting)")

    def seat_group(self, participant_id: str) -> str | None:
        """The group of a seat confirmed on any node, None if none (on the event loop)."""
        self._loop_check()
        g = self._call("read a seat", self.r_loop.hget, self.keys.participants, participant_id)
        return None if g is None else g.decode()

    def assign_balanced(self, groups: Sequence[tuple[str, int]]) -> str:
        """Pick and count the group for a newcomer (``(id, share)`` with share > 0), atomically
        (on the event loop)."""
        self._loop_check()
        args: list = []
        for gid, share in groups:
            args += [gid, share]
        return self._call("assign a group", self._scripts["assign"], keys=[self.keys.assigned], args=args,
                          client=self.r_loop).decode()

    def confirmed_counts(self) -> dict[str, int]:
        rows = self._call("count the seats", self.r.hgetall, self.keys.confirmed)
        return {g.decode(): int(n) for g, n in rows.items()}

    # -- announcements ----------------------------------------------------------------

    def add_announcement(self, show_id: str, level: str, text: str, group_id: str | None, at_us: int, *,
                         announcement_id: int | None = None) -> int:
        k = self._key_check(show_id)
        aid = announcement_id if announcement_id is not None else self.next_announcement_id()
        entry = json.dumps({"id": aid, "level": level, "text": text, "group": group_id, "sent_at_us": at_us},
                           ensure_ascii=False, separators=(",", ":"))
        pipe = self.r.pipeline(transaction=True)
        pipe.rpush(k.announcements, entry.encode("utf-8", "surrogatepass"))
        pipe.ltrim(k.announcements, -200, -1)
        pipe.publish(k.nudge, f"announcement {aid}")
        self._call("store an announcement", pipe.execute)
        return aid

    def next_announcement_id(self) -> int:
        """A new announcement id, unique across the nodes (INCR)."""
        self._loop_check()
        return int(self._call("number an announcement", self.r_loop.incr, self.keys.announcement_ids))

    def last_announcement_id(self) -> int:
        v = self._call("read the announcements", self.r.get, self.keys.announcement_ids)
        return int(v or 0)

    def announcements(self, show_id: str, limit: int) -> list[tuple[int, str, str, str | None, int]]:
        rows = self._call("read the announcements", self.r.lrange, self._key_check(show_id).announcements,
                          -limit, -1)
        out = []
        for row in rows:
            d = json.loads(row.decode("utf-8", "surrogatepass"))
            out.append((d["id"], d["level"], d["text"], d["group"], d["sent_at_us"]))
        return out

    # -- secrets ----------------------------------------------------------------------

    def stored_secret(self, name: str) -> bytes | None:
        return self._call("read a secret", self.r.get, self.keys.secret(name))

    def secret(self, name: str) -> bytes:
        from flashmob.contract.secret import new_key

        self._call("store a secret", self.r.set, self.keys.secret(name), new_key(), nx=True)
        return self._call("read a secret", self.r.get, self.keys.secret(name))
