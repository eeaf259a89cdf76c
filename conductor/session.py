"""Per-connection protocol logic, sans-I/O (as python-websockets ``protocol.py``).

A session is fed text frames with their receive stamp (``t1``, server µs taken
before parsing) and returns effects (:mod:`conductor.effects`) for the shell:
text frames and sync replies (stamped at send time) for this connection,
:class:`~conductor.effects.Subscribe`, at most one
:class:`~conductor.effects.Close`, and whatever the core
(:mod:`conductor.service`) returned (broadcasts, writes, frames for the
console or phone that is waiting on a write).  It never raises: every
malformed, unknown, oversized, ill-typed or untimely frame becomes an
``error`` reply (and, for abuse, a close with a code), and a refused frame
never changes any state.

* :class:`ParticipantSession` (``/ws``): ``hello`` first (sync is allowed
  before it), then ``status`` / ``sync`` / ``answer``; ``hello`` within the
  hello deadline.  It can never act on the show: console types are refused
  with ``not_allowed`` by the parser.
* :class:`ConsoleSession` (``/ws/console``): ``console_hello`` with the secret
  token first, within ``CONSOLE_AUTH_TIMEOUT_S`` of the accept (an absolute
  deadline, whatever is sent meanwhile); a wrong token closes with 4401.
  Then commands and ``sync``.

The first-frame deadline is the session's rule: :attr:`Session.deadline_us`
(None once it is met) and :meth:`Session.expired`; the shell only waits.
Both rate-limit all frames (a flood gets errors, then a 1008 close) and sync
requests separately (:class:`~conductor.sync.SyncResponder`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from . import messages as m
from .connlimits import DEFAULT_HELLO_TIMEOUT_S
from .effects import Close, Subscribe  # noqa: F401  (re-exported: the shell's vocabulary)
from .loginthrottle import LoginThrottle
from .ratelimit import TokenBucket
from .registry import JoinRefused
from .seats import Answered
from .service import CONSOLES, PARTICIPANTS, Conductor, group_topic
from .fastwire import parse_sync
from .sync import SyncResponder

log = logging.getLogger("flashmob.conductor.session")

Out = Any  # an effect (conductor/effects.py)

FRAME_BURST, FRAME_RATE_PER_S, FRAME_MAX_STRIKES = 60, 20, 100
"""All frames of one connection: a burst of 60, then 20/s; 100 unforgiven refusals (they leak at 5/s) close it."""

CONSOLE_AUTH_TIMEOUT_S = 10.0
"""A console socket not authenticated this long after it opened is closed (4401), whatever it sent."""


def _frame_limiter() -> TokenBucket:
    return TokenBucket(capacity=FRAME_BURST, rate_per_s=FRAME_RATE_PER_S, max_strikes=FRAME_MAX_STRIKES)


class Session:
    """What both sessions share: limits, the error reply, the first-frame deadline."""

    direction = ""
    first = ""
    sync_allowed = False  # would _dispatch answer a Sync now? (the fast path skips it then)

    def __init__(self, conductor: Conductor, cid: int | None = None, *, opened_us: int = 0,
                 first_timeout_s: float | None = None) -> None:
        self.conductor = conductor
        self.cid = cid
        self.sync = SyncResponder()
        self.frames = _frame_limiter()
        self.closed = False
        self.errors = 0
        self.first_timeout_s = first_timeout_s
        self.deadline_us: int | None = (None if not first_timeout_s
                                        else opened_us + round(first_timeout_s * 1_000_000))

    def _error(self, code: str, message: str, *, ref: str | None = None, fatal: bool = False,
               detail: dict | None = None, close_code: int = m.CLOSE_POLICY, reason: str | None = None) -> list[Out]:
        self.errors += 1
        out: list[Out] = [m.to_wire(m.error(code, message, ref=ref, fatal=fatal, detail=detail))]
        if fatal:
            self.closed = True
            out.append(Close(close_code, reason or code))
        return out

    def expired(self, now: int) -> list[Out]:
        """The first-frame deadline passed: the error and the close."""
        self.deadline_us = None
        return self._deadline_error()

    def _deadline_error(self) -> list[Out]:  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, frame: str | bytes | None, t1: int) -> list[Out]:
        """One inbound frame -> effects (never raises)."""
        if self.closed:
            return []
        try:
            if not self.frames.allow(t1):
                return self._error(m.RATE_LIMITED, "too many messages: slow down", fatal=self.frames.flooding)
            if frame is None:
                return self._error(m.BAD_MESSAGE, "empty frame")
            if self.sync_allowed and type(frame) is str:  # the fast path (conductor/fastwire.py)
                msg = parse_sync(frame)
                if msg is not None:
                    return self._sync(msg, t1)
            try:
                msg = m.parse(frame, self.direction)
            except m.ProtocolError as exc:
                return self._error(exc.code, exc.message)
            return self._dispatch(msg, t1)
        except Exception:  # a bug must not kill the connection handler or corrupt state
            log.exception("internal error handling a %s frame", self.direction)
            return self._error(m.INTERNAL, "internal error; the frame was ignored")

    def _sync(self, msg: m.Sync, t1: int) -> list[Out]:
        reply = self.sync.handle(msg, t1)
        if isinstance(reply, m.Error):
            return self._error(reply.code, reply.message, fatal=reply.fatal)
        if not self.conductor.served:
            return [*self.conductor.time_served(), reply]
        return [reply]

    def _dispatch(self, msg: object, t1: int) -> list[Out]:  # pragma: no cover - abstract
        raise NotImplementedError

    def disconnected(self, now: int | None = None) -> list[Out]:
        """The socket is gone (``now``: when, if the shell knows)."""
        return []


class ParticipantSession(Session):
    direction = "participant"
    first = "hello"
    sync_allowed = True  # before hello too

    def __init__(self, conductor: Conductor, cid: int | None = None, *, opened_us: int = 0,
                 hello_timeout_s: float | None = DEFAULT_HELLO_TIMEOUT_S) -> None:
        super().__init__(conductor, cid, opened_us=opened_us, first_timeout_s=hello_timeout_s)
        self.participant_id: str | None = None
        self.group: str | None = None

    def _deadline_error(self) -> list[Out]:
        return self._error(m.HELLO_REQUIRED, f"send hello within {self.first_timeout_s:g} s", fatal=True,
                           close_code=m.CLOSE_POLICY, reason="no hello in time")

    def _dispatch(self, msg: object, t1: int) -> list[Out]:
        if isinstance(msg, m.Sync):
            return self._sync(msg, t1)
        if isinstance(msg, m.Hello):
            if self.participant_id is not None:
                return self._error(m.ALREADY_JOINED, "hello was already answered on this connection")
            try:
                adm, welcome, out = self.conductor.admit(msg, t1)
            except JoinRefused as exc:
                return self._error(exc.code, exc.message, detail=exc.detail, fatal=exc.fatal,
                                   close_code=m.CLOSE_TRY_AGAIN if exc.code == m.UNAVAILABLE else m.CLOSE_FULL)
            self.participant_id, self.group = adm.participant_id, adm.group
            self.deadline_us = None
            self.conductor.connected(adm.participant_id)
            out += [Subscribe(frozenset({PARTICIPANTS, group_topic(adm.group)})), m.to_wire(welcome)]
            if adm.challenge is not None:
                out.append(self.conductor.challenge_frame(adm.group, adm.challenge))
            out += self.conductor.welcome_extras(adm.group, t1)
            return out
        if isinstance(msg, m.Answer):
            if self.participant_id is None or self.group is None:
                return self._error(m.HELLO_REQUIRED, "send hello before answer")
            result, out = self.conductor.answer(self.cid, self.participant_id, self.group, msg, t1)
            return out + self._answered(result)
        if isinstance(msg, m.Status):
            if self.participant_id is None:
                return self._error(m.HELLO_REQUIRED, "send hello before status")
            self.conductor.report(self.participant_id, msg, t1)
            return []
        return self._error(m.NOT_ALLOWED, f"{type(msg).__name__} is not accepted here")  # pragma: no cover

    def _answered(self, result: Answered) -> list[Out]:
        if result.outcome == "confirmed":
            return []  # the seat frame follows once the seat is written (Conductor.persisted)
        if result.outcome == "full":
            return self._error(m.CAPACITY_REACHED, "This flashmob is full: every seat is held by a confirmed "
                               "participant.", fatal=True, close_code=m.CLOSE_FULL)
        if result.outcome == "stale":
            out = self._error(m.CHALLENGE_STALE, "that challenge is no longer open: answer the new one")
        elif result.challenge is None:
            log.info("participant %s: too many wrong answers; closing", self.participant_id)
            return self._error(m.CHALLENGE_FAILED, "wrong answer to the challenge, too many times",
                               fatal=True, close_code=m.CLOSE_POLICY)
        else:
            out = self._error(m.CHALLENGE_FAILED, "wrong answer to the challenge: answer the new one")
        out.append(self.conductor.challenge_frame(self.group or "", result.challenge))
        return out

    def disconnected(self, now: int | None = None) -> list[Out]:
        if self.participant_id is not None:
            self.conductor.disconnected(self.participant_id, now)
            self.participant_id = None
        return []


class ConsoleSession(Session):
    direction = "console"
    first = "console_hello"

    def __init__(self, conductor: Conductor, cid: int | None = None, *, peer: str = "?",
                 throttle: LoginThrottle | None = None, opened_us: int = 0,
                 auth_timeout_s: float | None = None) -> None:
        timeout = CONSOLE_AUTH_TIMEOUT_S if auth_timeout_s is None else auth_timeout_s  # read now: patchable
        super().__init__(conductor, cid, opened_us=opened_us, first_timeout_s=timeout)
        self.authenticated = False
        self.peer = peer
        self.throttle = throttle

    def _deadline_error(self) -> list[Out]:
        return self._error(m.UNAUTHORIZED, f"send console_hello within {self.first_timeout_s:g} s", fatal=True,
                           close_code=m.CLOSE_UNAUTHORIZED, reason="authentication timeout")

    def _dispatch(self, msg: object, t1: int) -> list[Out]:
        if not self.authenticated:
            if not isinstance(msg, m.ConsoleHello):
                return self._error(m.UNAUTHORIZED, "send console_hello with the console token first",
                                   fatal=True, close_code=m.CLOSE_UNAUTHORIZED)
            throttle = self.throttle
            if throttle is not None and not throttle.allowed(self.peer, t1):
                log.debug("console login from %s refused unchecked: throttled", self.peer)
                return self._error(m.UNAUTHORIZED, "too many failed console logins from this address: retry in "
                                   f"{throttle.retry_after_s(self.peer, t1)} s", fatal=True,
                                   close_code=m.CLOSE_UNAUTHORIZED)
            if not self.conductor.check_console_token(msg.token):
                if throttle is not None and throttle.failed(self.peer, t1):
                    log.warning("console login refused from %s: wrong token; %d failures within %d s, further "
                                "logins from this address are refused for %d s", self.peer, throttle.MAX_FAILURES,
                                throttle.WINDOW_US // 1_000_000, throttle.LOCKOUT_US // 1_000_000)
                else:
                    log.warning("console login refused from %s: wrong token", self.peer)
                return self._error(m.UNAUTHORIZED, "wrong console token", fatal=True,
                                   close_code=m.CLOSE_UNAUTHORIZED)
            log.info("console logged in from %s", self.peer)
            self.authenticated = True
            self.sync_allowed = True
            self.deadline_us = None
            out: list[Out] = self.conductor.catch_up(t1)
            return out + [Subscribe(frozenset({CONSOLES})), m.to_wire(self.conductor.console_welcome(t1)),
                          self.conductor.feed(t1).to_wire()]
        if isinstance(msg, m.Sync):
            return self._sync(msg, t1)
        if isinstance(msg, m.ConsoleHello):
            return self._error(m.ALREADY_JOINED, "already authenticated")
        return self.conductor.command(self.cid, msg, t1)


SessionFactory = Callable[[Conductor], Session]
