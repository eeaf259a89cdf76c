"""Per-connection protocol logic, sans-I/O (as python-websockets ``protocol.py``).

A session is fed text frames with their receive stamp (``t1``, server µs taken
before parsing) and returns what to queue on that connection: text frames,
sync replies to be stamped at send time, and at most one :class:`Close`.  It
never raises: every malformed, unknown, oversized, ill-typed or untimely frame
becomes an ``error`` reply (and, for abuse, a close with a code), and a refused
frame never changes any state.

* :class:`ParticipantSession` (``/ws``): ``hello`` first (sync is allowed
  before it), then ``status`` / ``sync``.  It can never act on the show:
  console types are refused with ``not_allowed`` by the parser.
* :class:`ConsoleSession` (``/ws/console``): ``console_hello`` with the secret
  token first; a wrong token closes with 4401.  Then commands and ``sync``.

Both rate-limit all frames (a flood gets errors, then a 1008 close) and sync
requests separately (:class:`~conductor.sync.SyncResponder`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from . import messages as m
from .hub import Close, Item
from .loginthrottle import LoginThrottle
from .registry import JoinRefused
from .seats import Answered
from .service import CONSOLES, PARTICIPANTS, CommandError, Conductor, challenge_message, group_topic
from .show import IllegalTransition
from .ratelimit import TokenBucket
from .sync import SyncResponder

log = logging.getLogger("flashmob.conductor.session")

Out = Item | Close


@dataclass(frozen=True)
class Subscribe:
    """Instruction to the shell: attach this connection to these hub topics."""

    topics: frozenset[str]


FRAME_BURST, FRAME_RATE_PER_S, FRAME_MAX_STRIKES = 60, 20, 100
"""All frames of one connection: a burst of 60, then 20/s; 100 unforgiven refusals (they leak at 5/s) close it."""


def _frame_limiter() -> TokenBucket:
    return TokenBucket(capacity=FRAME_BURST, rate_per_s=FRAME_RATE_PER_S, max_strikes=FRAME_MAX_STRIKES)


class _Session:
    direction = ""

    def __init__(self, conductor: Conductor) -> None:
        self.conductor = conductor
        self.sync = SyncResponder()
        self.frames = _frame_limiter()
        self.closed = False
        self.errors = 0

    def _error(self, code: str, message: str, *, ref: str | None = None, fatal: bool = False,
               detail: dict | None = None, close_code: int = m.CLOSE_POLICY) -> list[Out]:
        self.errors += 1
        out: list[Out] = [m.to_wire(m.error(code, message, ref=ref, fatal=fatal, detail=detail))]
        if fatal:
            self.closed = True
            out.append(Close(close_code, code))
        return out

    def handle(self, frame: str | bytes | None, t1: int) -> list[Out | Subscribe]:
        """One inbound frame -> what to send back (never raises)."""
        if self.closed:
            return []
        try:
            if not self.frames.allow(t1):
                return self._error(m.RATE_LIMITED, "too many messages: slow down", fatal=self.frames.flooding)
            if frame is None:
                return self._error(m.BAD_MESSAGE, "empty frame")
            try:
                msg = m.parse(frame, self.direction)
            except m.ProtocolError as exc:
                return self._error(exc.code, exc.message)
            return self._dispatch(msg, t1)
        except Exception:  # a bug must not kill the connection handler or corrupt state
            log.exception("internal error handling a %s frame", self.direction)
            return self._error(m.INTERNAL, "internal error; the frame was ignored")

    def _sync(self, msg: m.Sync, t1: int) -> list[Out | Subscribe]:
        reply = self.sync.handle(msg, t1)
        if isinstance(reply, m.Error):
            return self._error(reply.code, reply.message, fatal=reply.fatal)
        self.conductor.time_served()
        return [reply]

    def _dispatch(self, msg: object, t1: int) -> list[Out | Subscribe]:  # pragma: no cover - abstract
        raise NotImplementedError


class ParticipantSession(_Session):
    direction = "participant"

    def __init__(self, conductor: Conductor) -> None:
        super().__init__(conductor)
        self.participant_id: str | None = None
        self.group: str | None = None

    def _dispatch(self, msg: object, t1: int) -> list[Out | Subscribe]:
        if isinstance(msg, m.Sync):
            return self._sync(msg, t1)
        if isinstance(msg, m.Hello):
            if self.participant_id is not None:
                return self._error(m.ALREADY_JOINED, "hello was already answered on this connection")
            try:
                adm, welcome = self.conductor.admit(msg)
            except JoinRefused as exc:
                return self._error(exc.code, exc.message, detail=exc.detail, fatal=exc.fatal,
                                   close_code=m.CLOSE_TRY_AGAIN if exc.code == m.UNAVAILABLE else m.CLOSE_FULL)
            self.participant_id, self.group = adm.participant_id, adm.group
            self.conductor.connected(adm.participant_id)
            out: list[Out | Subscribe] = [Subscribe(frozenset({PARTICIPANTS, group_topic(adm.group)})),
                                          m.to_wire(welcome)]
            if adm.challenge is not None:
                out.append(m.to_wire(challenge_message(adm.challenge)))
            return out
        if isinstance(msg, m.Answer):
            if self.participant_id is None or self.group is None:
                return self._error(m.HELLO_REQUIRED, "send hello before answer")
            return self._answered(self.conductor.answer(self.participant_id, self.group, msg))
        if isinstance(msg, m.Status):
            if self.participant_id is None:
                return self._error(m.HELLO_REQUIRED, "send hello before status")
            self.conductor.report(self.participant_id, msg)
            return []
        return self._error(m.NOT_ALLOWED, f"{type(msg).__name__} is not accepted here")  # pragma: no cover

    def _answered(self, result: Answered) -> list[Out | Subscribe]:
        if result.outcome == "confirmed":
            return [m.to_wire(m.SeatMsg(state="confirmed", participant_id=self.participant_id or ""))]
        if result.outcome == "full":
            return self._error(m.CAPACITY_REACHED, "This flashmob is full: every seat is held by a confirmed "
                               "participant.", fatal=True, close_code=m.CLOSE_FULL)
        if result.outcome == "unavailable":  # the seat could not be written: reconnect, answer again
            return self._error(m.UNAVAILABLE, "The conductor cannot confirm seats right now; your phone retries "
                               "by itself in a few seconds.", fatal=True, close_code=m.CLOSE_TRY_AGAIN)
        if result.outcome == "stale":
            out = self._error(m.CHALLENGE_STALE, "that challenge is no longer open: answer the new one")
        elif result.challenge is None:
            log.info("participant %s: too many wrong answers; closing", self.participant_id)
            return self._error(m.CHALLENGE_FAILED, "wrong answer to the challenge, too many times",
                               fatal=True, close_code=m.CLOSE_POLICY)
        else:
            out = self._error(m.CHALLENGE_FAILED, "wrong answer to the challenge: answer the new one")
        out.append(m.to_wire(challenge_message(result.challenge)))
        return out

    def disconnected(self) -> None:
        if self.participant_id is not None:
            self.conductor.disconnected(self.participant_id)
            self.participant_id = None


class ConsoleSession(_Session):
    direction = "console"

    def __init__(self, conductor: Conductor, *, peer: str = "?", throttle: LoginThrottle | None = None) -> None:
        super().__init__(conductor)
        self.authenticated = False
        self.peer = peer
        self.throttle = throttle

    def _dispatch(self, msg: object, t1: int) -> list[Out | Subscribe]:
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
            return [Subscribe(frozenset({CONSOLES})), m.to_wire(self.conductor.console_welcome()),
                    m.to_wire(self.conductor.feed())]
        if isinstance(msg, m.Sync):
            return self._sync(msg, t1)
        if isinstance(msg, m.ConsoleHello):
            return self._error(m.ALREADY_JOINED, "already authenticated")
        ref = getattr(msg, "ref", None)
        try:
            ack = self.conductor.command(msg)  # type: ignore[arg-type]
        except IllegalTransition as exc:
            return self._error(m.ILLEGAL_TRANSITION, str(exc), ref=ref)
        except CommandError as exc:
            return self._error(exc.code, exc.message, ref=ref)
        self.conductor.publish_feed(force=True)
        return [m.to_wire(ack)]


SessionFactory = Callable[[Conductor], _Session]
