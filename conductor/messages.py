"""Wire messages of the conductor: the one definition of the protocol, Python side.

Every frame on ``/ws`` (participants) and ``/ws/console`` (organizer console) is
one JSON object with a ``"type"`` string.  Each type is a frozen dataclass
below; :func:`parse` turns a text frame into one of them or raises
:class:`ProtocolError` with a stable ``code`` and a sentence saying what was
expected; :func:`to_wire` serializes.  ``docs/protocol.md`` shows an example of
every message and ``tests/conductor/test_protocol_doc.py`` parses them all; the
browser mirrors this module in ``client_web/js/protocol.js``.

Conventions (docs/protocol.md says the same):

* times are integer **microseconds** of *server time* (``*_us``); server time is
  Unix-epoch UTC microseconds as disciplined by the conductor's clock;
* durations on the wire are integer microseconds too (``in_ms`` is the one
  exception, for humans arming "in N milliseconds");
* unknown fields are ignored (forward compatibility); unknown types, missing
  fields and wrong JSON types are refused;
* integers must be JSON integers (not floats, not booleans) within ±2**53 so
  that JavaScript reads them exactly.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

MAX_FRAME_CHARS = 16 * 1024
"""Largest inbound text frame that is parsed; larger ones get ``too_large``."""

MAX_SAFE_INT = 2**53 - 1

# Error codes (the ``code`` of an ``error`` message).
BAD_JSON = "bad_json"
BAD_MESSAGE = "bad_message"
UNKNOWN_TYPE = "unknown_type"
TOO_LARGE = "too_large"
NOT_ALLOWED = "not_allowed"
RATE_LIMITED = "rate_limited"
HELLO_REQUIRED = "hello_required"
ALREADY_JOINED = "already_joined"
CAPACITY_REACHED = "capacity_reached"
GROUP_REQUIRED = "group_required"
GROUP_INVALID = "group_invalid"
GROUP_TOKEN_INVALID = "group_token_invalid"
UNAUTHORIZED = "unauthorized"
ILLEGAL_TRANSITION = "illegal_transition"
INVALID_COMMAND = "invalid_command"
INTERNAL = "internal"
CHALLENGE_FAILED = "challenge_failed"
CHALLENGE_STALE = "challenge_stale"
UNAVAILABLE = "unavailable"
ERROR_CODES = (BAD_JSON, BAD_MESSAGE, UNKNOWN_TYPE, TOO_LARGE, NOT_ALLOWED, RATE_LIMITED, HELLO_REQUIRED,
               ALREADY_JOINED, CAPACITY_REACHED, GROUP_REQUIRED, GROUP_INVALID, GROUP_TOKEN_INVALID, UNAUTHORIZED,
               ILLEGAL_TRANSITION, INVALID_COMMAND, INTERNAL)
ERROR_CODES += (UNAVAILABLE,)  # the state could not be written: nothing changed, try again (close 1013)
ERROR_CODES += (CHALLENGE_FAILED, CHALLENGE_STALE)  # seat challenges (docs/protocol.md, "Seats")

# Websocket close codes used by the conductor (4000-4999 are application codes).
CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008  # flooding, repeated abuse
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011  # the server could not write to this socket (a bug): reconnect
CLOSE_TRY_AGAIN = 1013  # send queue overflowed: reconnect
CLOSE_UNAUTHORIZED = 4401
CLOSE_FULL = 4429  # capacity reached

SHOW_STATES = ("lobby", "armed", "running", "ended", "aborted")
LEVELS = ("info", "urgent")
SEAT_STATES = ("pending", "confirmed")
RELEASE_SCOPES = ("pending", "offline")
ALARM_LEVELS = ("warning", "critical")
# Why a phone's sound is in trouble (status.trouble), most serious first; client_web/js/trouble.js.
TROUBLES = ("media", "decode", "start", "timing")


class ProtocolError(Exception):
    """A frame that is not a valid message for this endpoint."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


wire = dataclass(frozen=True, kw_only=True)
"""Decorator of every wire type: immutable, keyword-only construction."""


def _meta(*, max_len: int | None = None, min_len: int | None = None,
          choices: tuple[str, ...] | None = None, min: int | None = None,
          max_items: int | None = None) -> dict[str, Any]:
    return {"max_len": max_len, "min_len": min_len, "choices": choices,
            "min": min, "max_items": max_items}


def _f(default: Any = dataclasses.MISSING, **meta: Any) -> Any:
    if default is dataclasses.MISSING:
        return field(metadata=_meta(**meta))
    return field(default=default, metadata=_meta(**meta))


def _lf(**meta: Any) -> Any:
    """A list field defaulting to an empty tuple (frozen-friendly)."""
    return field(default=(), metadata=_meta(**meta))


# --------------------------------------------------------------------------- payloads


@wire
class ShowInfo:
    """The show's state record as phones and consoles see it."""

    state: str = _f(choices=SHOW_STATES)
    start_at_us: int | None = None
    duration_us: int = _f(min=0)
    revision: int = _f(min=0)
    reason: str | None = _f(None, max_len=500)
    changed_at_us: int = 0


@wire
class AnnouncementInfo:
    id: int = _f(min=0)
    level: str = _f(choices=LEVELS)
    text: str = _f(max_len=500)
    group: str | None = None
    sent_at_us: int = 0


@wire
class AlarmInfo:
    """A condition of the conductor the organizer must see (``conductor/alarms.py``).
    ``key`` is stable per condition; ``count`` counts repeats of one episode;
    ``resolved_at_us`` is set once the condition is over."""

    key: str = _f(max_len=64)
    level: str = _f(choices=ALARM_LEVELS)
    message: str = _f(max_len=1000)
    since_us: int = 0
    last_us: int = 0
    count: int = _f(1, min=1)
    resolved_at_us: int | None = None
    detail: dict | None = None


@wire
class GroupCount:
    id: str
    name: str
    colour: str
    share: int
    participants: int
    connected: int
    ready: int


@wire
class Histogram:
    """Counts of phones per sync-error bound: ``counts[i]`` counts bounds
    ``<= bounds_us[i]``; the last count is "above the last bound"."""

    bounds_us: tuple[int, ...] = _lf()
    counts: tuple[int, ...] = _lf()
    unknown: int = 0


@wire
class SeatCounts:
    """Seats (docs/protocol.md, "Seats"): ``confirmed`` hold capacity, ``pending``
    do not; ``released``, ``expired``, ``failed`` (wrong answers) and
    ``refused`` (capacity reached) count since the conductor started."""

    capacity: int | None
    confirmed: int
    pending: int
    max_pending: int
    released: int
    expired: int
    failed: int
    refused: int


# --------------------------------------------------------------------------- messages


@wire
class Hello:
    """Phone -> server, first message: join (or rejoin with a stored id)."""

    TYPE: ClassVar[str] = "hello"
    participant_id: str | None = _f(None, max_len=64)
    group: str | None = _f(None, max_len=64)
    group_token: str | None = _f(None, max_len=128)
    client: str | None = _f(None, max_len=200)


@wire
class Sync:
    """Client -> server: NTP-style request; ``t0`` is the client's send time."""

    TYPE: ClassVar[str] = "sync"
    id: int = _f(min=0)
    t0: int = 0


@wire
class Status:
    """Phone -> server: readiness and playback report (any time after hello)."""

    TYPE: ClassVar[str] = "status"
    verified: bool = False
    sync_error_us: int | None = _f(None, min=0)
    engine: str | None = _f(None, max_len=32)
    output_latency_us: int | None = _f(None, min=0)
    position_us: int | None = None
    trouble: str | None = _f(None, choices=TROUBLES)


@wire
class Answer:
    """Phone -> server: the answer to a ``challenge`` (sha256 hex of the range)."""

    TYPE: ClassVar[str] = "answer"
    id: str = _f(max_len=64)
    sha256: str = _f(min_len=64, max_len=64)


@wire
class ConsoleHello:
    """Console -> server, first message: authenticate with the secret token."""

    TYPE: ClassVar[str] = "console_hello"
    token: str = _f(max_len=256)


@wire
class Arm:
    """Console -> server: arm at an absolute server time or in N milliseconds
    (exactly one of the two)."""

    TYPE: ClassVar[str] = "arm"
    ref: str | None = _f(None, max_len=64)
    start_at_us: int | None = _f(None, min=0)
    in_ms: int | None = _f(None, min=0)


@wire
class Cancel:
    """Console -> server: disarm (armed -> lobby) before the start time."""

    TYPE: ClassVar[str] = "cancel"
    ref: str | None = _f(None, max_len=64)


@wire
class Abort:
    """Console -> server: stop an armed or running show for everybody."""

    TYPE: ClassVar[str] = "abort"
    ref: str | None = _f(None, max_len=64)
    reason: str | None = _f(None, max_len=500)


@wire
class Reset:
    """Console -> server: back to the lobby after ended/aborted (rehearsals)."""

    TYPE: ClassVar[str] = "reset"
    ref: str | None = _f(None, max_len=64)


@wire
class Announce:
    """Console -> server: text to everybody or to one group."""

    TYPE: ClassVar[str] = "announce"
    text: str = _f(min_len=1, max_len=500)
    level: str = _f("info", choices=LEVELS)
    group: str | None = _f(None, max_len=64)
    ref: str | None = _f(None, max_len=64)


@wire
class Release:
    """Console -> server: release seats: every ``pending`` one, or the confirmed
    seats of phones that are ``offline`` (no open socket)."""

    TYPE: ClassVar[str] = "release"
    scope: str = _f(choices=RELEASE_SCOPES)
    ref: str | None = _f(None, max_len=64)


@wire
class Welcome:
    """Server -> phone: answer to hello."""

    TYPE: ClassVar[str] = "welcome"
    participant_id: str
    group: str
    manifest_url: str
    show: ShowInfo
    server_time_us: int
    announcements: tuple[AnnouncementInfo, ...] = _lf()
    seat: str = _f("pending", choices=SEAT_STATES)


@wire
class ChallengeMsg:
    """Server -> phone with a pending seat: send the sha256 (hex) of ``length``
    bytes at ``offset`` of the bundle file ``path`` (one of its group's)."""

    TYPE: ClassVar[str] = "challenge"
    id: str
    path: str
    offset: int = _f(min=0)
    length: int = _f(min=1)


@wire
class SeatMsg:
    """Server -> phone: its seat changed (``confirmed`` after a right answer)."""

    TYPE: ClassVar[str] = "seat"
    state: str = _f(choices=SEAT_STATES)
    participant_id: str = ""


@wire
class SyncReply:
    """Server -> client: ``t1`` receive and ``t2`` send stamps in server time."""

    TYPE: ClassVar[str] = "sync_reply"
    id: int
    t0: int
    t1: int
    t2: int


@wire
class ShowMsg(ShowInfo):
    """Server -> everybody: the show's state changed (or a reminder of it)."""

    TYPE: ClassVar[str] = "show"


@wire
class Announcement(AnnouncementInfo):
    """Server -> phones (of the group, or all): an announcement to display.
    ``urgent`` takes over the screen."""

    TYPE: ClassVar[str] = "announcement"


@wire
class Error:
    """Server -> client: a refused frame or command.  ``fatal`` means the
    server closes the socket right after it."""

    TYPE: ClassVar[str] = "error"
    code: str
    message: str
    ref: str | None = None
    fatal: bool = False
    detail: dict | None = None


@wire
class Ack:
    """Server -> console: a command was applied."""

    TYPE: ClassVar[str] = "ack"
    ref: str | None = None
    command: str = ""
    show: ShowInfo | None = None


@wire
class ConsoleWelcome:
    """Server -> console: answer to a valid console_hello."""

    TYPE: ClassVar[str] = "console_welcome"
    show_id: str
    title: str
    show: ShowInfo
    server_time_us: int
    assign: str
    capacity: int | None
    min_lead_us: int
    join_url: str
    group_join_urls: dict | None = None


@wire
class Feed:
    """Server -> console, about once a second and after each change."""

    TYPE: ClassVar[str] = "feed"
    show: ShowInfo
    server_time_us: int
    groups: tuple[GroupCount, ...]
    participants_total: int
    connected_total: int
    capacity: int | None
    sync_error: Histogram
    engines: dict
    drift: dict
    output_latency: dict
    ntp: dict
    seats: SeatCounts
    announcements: tuple[AnnouncementInfo, ...] = _lf()
    alarms: tuple[AlarmInfo, ...] = _lf()
    trouble: dict = field(default_factory=dict, metadata=_meta())


PARTICIPANT_IN: dict[str, type] = {c.TYPE: c for c in (Hello, Sync, Status, Answer)}
CONSOLE_IN: dict[str, type] = {c.TYPE: c for c in (ConsoleHello, Sync, Arm, Cancel, Abort, Reset, Announce,
                                                   Release)}
SERVER_OUT: dict[str, type] = {c.TYPE: c for c in (
    Welcome, SyncReply, ShowMsg, Announcement, Error, Ack, ConsoleWelcome, Feed, ChallengeMsg, SeatMsg)}
DIRECTIONS: dict[str, dict[str, type]] = {
    "participant": PARTICIPANT_IN,  # frames a phone may send
    "console": CONSOLE_IN,          # frames a console may send
    "server": SERVER_OUT,           # frames the server sends
}
ALL_TYPES = sorted(set(PARTICIPANT_IN) | set(CONSOLE_IN) | set(SERVER_OUT))


# --------------------------------------------------------------------------- validation


def _hints(cls: type) -> dict[str, Any]:
    cached = cls.__dict__.get("_wire_hints")
    if cached is None:
        cached = typing.get_type_hints(cls)
        cached.pop("TYPE", None)
        cls._wire_hints = cached  # type: ignore[attr-defined]
    return cached


def _fail(path: str, expected: str, got: Any) -> ProtocolError:
    shown = type(got).__name__ if not isinstance(got, (str, int, float)) or isinstance(got, bool) else repr(got)[:40]
    return ProtocolError(BAD_MESSAGE, f"{path}: expected {expected}, got {shown}")


def _convert(value: Any, hint: Any, path: str, meta: dict[str, Any]) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if value is None:
            if type(None) in args:
                return None
            raise _fail(path, "a value", None)
        inner = [a for a in args if a is not type(None)]
        return _convert(value, inner[0], path, meta)
    if hint is int:
        if type(value) is not int:
            raise _fail(path, "an integer", value)
        if not -MAX_SAFE_INT <= value <= MAX_SAFE_INT:
            raise _fail(path, "an integer within ±2**53", value)
        if meta.get("min") is not None and value < meta["min"]:
            raise _fail(path, f"an integer >= {meta['min']}", value)
        return value
    if hint is str:
        if type(value) is not str:
            raise _fail(path, "a string", value)
        if meta.get("max_len") is not None and len(value) > meta["max_len"]:
            raise _fail(path, f"at most {meta['max_len']} characters", f"{len(value)} characters")
        if meta.get("min_len") is not None and len(value) < meta["min_len"]:
            raise _fail(path, f"at least {meta['min_len']} characters", value)
        if meta.get("choices") is not None and value not in meta["choices"]:
            raise _fail(path, "one of " + ", ".join(meta["choices"]), value)
        return value
    if hint is bool:
        if type(value) is not bool:
            raise _fail(path, "true or false", value)
        return value
    if hint is dict:
        if type(value) is not dict:
            raise _fail(path, "an object", value)
        return value
    if origin is tuple:
        if type(value) is not list:
            raise _fail(path, "an array", value)
        if meta.get("max_items") is not None and len(value) > meta["max_items"]:
            raise _fail(path, f"at most {meta['max_items']} items", f"{len(value)} items")
        item = typing.get_args(hint)[0]
        return tuple(_convert(v, item, f"{path}[{i}]", {}) for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        if type(value) is not dict:
            raise _fail(path, "an object", value)
        return _build(hint, value, path)
    raise TypeError(f"unsupported wire type {hint!r} at {path}")  # programming error


def _build(cls: type, obj: dict[str, Any], path: str) -> Any:
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        sub = f"{path}.{f.name}" if path else f.name
        if f.name not in obj:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ProtocolError(BAD_MESSAGE, f"{sub}: missing (required)")
            continue
        kwargs[f.name] = _convert(obj[f.name], hints[f.name], sub, dict(f.metadata))
    return cls(**kwargs)


def _unencodable(s: str) -> bool:
    if s.isascii():
        return False
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refuse_unencodable(obj: Any) -> None:
    """Refuse any string (value or key, at any depth) that UTF-8 cannot encode.

    JSON text may spell lone UTF-16 surrogates (``"\\ud800"``); Python decodes
    them into a ``str`` that no socket can send back.  Such a string is refused
    here, before anything reads the message, so it can never be stored and
    poison a later broadcast (issue 10, defect 1).  Noncharacters, NUL,
    controls and bidi overrides are valid Unicode: they pass, as text."""
    stack: list[tuple[Any, str]] = [(obj, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _unencodable(value):
                raise ProtocolError(BAD_MESSAGE, f"{path or 'a key'}: text with a lone UTF-16 surrogate "
                                                 "(an unpaired \\ud800-\\udfff escape) is not valid Unicode")
        elif isinstance(value, dict):
            for k, v in value.items():
                if _unencodable(k):
                    raise ProtocolError(BAD_MESSAGE, f"{path or 'the object'}: a key with a lone UTF-16 surrogate "
                                                     "(an unpaired \\ud800-\\udfff escape) is not valid Unicode")
                stack.append((v, f"{path}.{k}" if path else k))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))


def parse(text: str | bytes, direction: str) -> Any:
    """Parse one frame sent in ``direction`` ("participant", "console" or
    "server") into its dataclass, or raise :class:`ProtocolError`."""
    allowed = DIRECTIONS[direction]
    if isinstance(text, (bytes, bytearray)):
        raise ProtocolError(BAD_MESSAGE, "binary frames are not used: send JSON text")
    if len(text) > MAX_FRAME_CHARS:
        raise ProtocolError(TOO_LARGE, f"frame of {len(text)} characters; the limit is {MAX_FRAME_CHARS}")
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(BAD_JSON, f"not JSON: {str(exc)[:80]}") from None
    if type(obj) is not dict:
        raise ProtocolError(BAD_MESSAGE, f"expected a JSON object, got {type(obj).__name__}")
    _refuse_unencodable(obj)
    kind = obj.get("type")
    if type(kind) is not str:
        raise ProtocolError(BAD_MESSAGE, 'expected a string field "type"')
    cls = allowed.get(kind)
    if cls is None:
        if kind in ALL_TYPES:
            raise ProtocolError(NOT_ALLOWED, f'"{kind[:40]}" is not accepted on this endpoint '
                                             f"(expected one of {', '.join(sorted(allowed))})")
        raise ProtocolError(UNKNOWN_TYPE, f'unknown type "{kind[:40]}" (expected one of {", ".join(sorted(allowed))})')
    try:
        return _build(cls, obj, "")
    except RecursionError:  # absurdly nested values inside a known field
        raise ProtocolError(BAD_MESSAGE, "value nested too deeply") from None


def to_dict(msg: Any) -> dict[str, Any]:
    """The JSON object of a message (``type`` first) or payload."""

    def plain(v: Any) -> Any:
        if dataclasses.is_dataclass(v):
            return {f.name: plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
        if isinstance(v, (tuple, list)):
            return [plain(x) for x in v]
        return v

    body = plain(msg)
    kind = getattr(type(msg), "TYPE", None)
    return {"type": kind, **body} if kind else body


def to_wire(msg: Any) -> str:
    """Serialize a message to its compact JSON text frame.

    The result is always encodable as UTF-8: should a string that UTF-8 cannot
    encode reach an outbound message anyway, the frame is written with ASCII
    escapes instead (``\\ud800``), which every JSON reader accepts."""
    text = json.dumps(to_dict(msg), separators=(",", ":"), ensure_ascii=False)
    if _unencodable(text):
        text = json.dumps(to_dict(msg), separators=(",", ":"), ensure_ascii=True)
    return text


def error(code: str, message: str, *, ref: str | None = None, fatal: bool = False,
          detail: dict | None = None) -> Error:
    return Error(code=code, message=message, ref=ref, fatal=fatal, detail=detail)
