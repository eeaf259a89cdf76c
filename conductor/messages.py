"""Wire messages of the conductor: the one definition of the protocol.

Every frame on ``/ws`` (participants) and ``/ws/console`` (organizer console) is
one JSON object with a ``"type"`` string.  Each type is a record (a frozen
dataclass, ``contract/records.py``: the project's one typed-JSON mechanism) below; :func:`parse` turns a text frame
into one of them or raises :class:`ProtocolError` with a stable ``code`` and a
sentence saying what was expected; :func:`to_wire` serializes.  The JSON of
``GET /api/info`` is the record :class:`ApiInfo`.

``docs/protocol.md`` shows an example of every message and
``tests/conductor/test_protocol_doc.py`` parses them all.  The browser's tables
(``client_web/js/wire.js``: types, fields, bounds, codes, choices) are generated
from this module by ``python -m flashmob.conductor.wirejs``;
``tests/conductor/test_wirejs.py`` fails when the committed file is stale.

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
from typing import Any, ClassVar

from flashmob.contract.jsonshape import JsonShapeError, may_hold_lone_surrogate, refuse_lone_surrogates
from flashmob.contract.records import EXPECTED, MAX_SAFE_INT, RecordError, dumps, record, spec, write, writer
from flashmob.contract.records import parse as parse_record
from flashmob.contract.symbols import SYMBOLS

from .show import ShowRecord, State

MAX_FRAME_CHARS = 16 * 1024
"""Largest inbound text frame that is parsed; larger ones get ``too_large``."""

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

# HTTP and websocket paths the pages use (conductor/app.py serves them).
API_INFO_PATH = "/api/info"
PARTICIPANT_WS = "/ws"
CONSOLE_WS = "/ws/console"

SHOW_STATES = tuple(s.value for s in State)  # conductor/show.py
LEVELS = ("info", "urgent")
SEAT_STATES = ("pending", "confirmed")
RELEASE_SCOPES = ("pending", "offline")
ALARM_LEVELS = ("warning", "critical")
# Why a phone's sound is in trouble (status.trouble), most serious first; client_web/js/trouble.js.
TROUBLES = ("media", "decode", "start", "timing")
# Where a phone's sound goes (status.output), as far as the page can tell; client_web/js/soundcheck.js.
OUTPUTS = ("bluetooth", "headphones", "speaker", "unknown")
# How the applied manual offset was chosen (status.offset_how); client_web/js/soundcheckui.js.
OFFSET_HOWS = ("measured", "ear", "preset", "manual")
MAX_OFFSET_MS = 1000


class ProtocolError(Exception):
    """A frame that is not a valid message for this endpoint."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


wire = record
"""Decorator of every wire type (``contract.records.record``): immutable, keyword-only construction."""


# --------------------------------------------------------------------------- payloads


ShowInfo = ShowRecord
"""The show's state record as phones and consoles see it (``show`` of welcome, ack,
console_welcome, feed): the stored record itself, ``conductor/show.py``'s
:class:`~conductor.show.ShowRecord` (one definition, whose fields carry their wire
bounds); its message form is :class:`ShowMsg`."""


@wire
class AnnouncementInfo:
    id: int = spec(minimum=0)
    level: str = spec(enum=LEVELS)
    text: str = spec(max_length=500)
    group: str | None = None
    sent_at_us: int = 0


@wire
class AlarmInfo:
    """A condition of the conductor the organizer must see (``conductor/alarms.py``).
    ``key`` is stable per condition; ``count`` counts repeats of one episode;
    ``resolved_at_us`` is set once the condition is over."""

    key: str = spec(max_length=64)
    level: str = spec(enum=ALARM_LEVELS)
    message: str = spec(max_length=1000)
    since_us: int = 0
    last_us: int = 0
    count: int = spec(default=1, minimum=1)
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

    bounds_us: tuple[int, ...] = spec(default=())
    counts: tuple[int, ...] = spec(default=())
    unknown: int = 0


@wire
class NodeInfo:
    """One conductor process of a show run by several (``--redis``; docs/architecture.md,
    "Backplane"), as its last heartbeat said: its phones (``connected`` sockets, ``ready``:
    connected with a confirmed seat, ``playing``: reporting playback, ``pending`` seats),
    the show revision it holds, its clock against the shared Redis's (``skew_us``: its
    server time minus Redis's, measured over ``rtt_us``), the NTP offset it applied
    (``ntp_offset_us``, null without ``--ntp``), how old the heartbeat is (``age_ms``)
    and whether it is the node this console is connected to (``here``)."""

    node: str = spec(max_length=64)
    connected: int = spec(minimum=0)
    ready: int = spec(minimum=0)
    playing: int = spec(minimum=0)
    pending: int = spec(minimum=0)
    revision: int = spec(minimum=0)
    skew_us: int | None = None
    rtt_us: int | None = None
    ntp_offset_us: int | None = None
    age_ms: int = spec(minimum=0)
    here: bool = False


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
    participant_id: str | None = spec(default=None, max_length=64)
    group: str | None = spec(default=None, max_length=64)
    group_token: str | None = spec(default=None, max_length=128)
    client: str | None = spec(default=None, max_length=200)


@wire
class Sync:
    """Client -> server: NTP-style request; ``t0`` is the client's send time."""

    TYPE: ClassVar[str] = "sync"
    id: int = spec(minimum=0)
    t0: int = 0


@wire
class Status:
    """Phone -> server: readiness and playback report (any time after hello)."""

    TYPE: ClassVar[str] = "status"
    verified: bool = False
    sync_error_us: int | None = spec(default=None, minimum=0)
    engine: str | None = spec(default=None, max_length=32)
    output_latency_us: int | None = spec(default=None, minimum=0)
    position_us: int | None = None
    trouble: str | None = spec(default=None, enum=TROUBLES)
    offset_ms: int | None = spec(default=None, minimum=-MAX_OFFSET_MS, maximum=MAX_OFFSET_MS)
    offset_how: str | None = spec(default=None, enum=OFFSET_HOWS)
    output: str | None = spec(default=None, enum=OUTPUTS)


@wire
class Answer:
    """Phone -> server: the answer to a ``challenge`` (sha256 hex of the range)."""

    TYPE: ClassVar[str] = "answer"
    id: str = spec(max_length=64)
    sha256: str = spec(min_length=64, max_length=64)


@wire
class ConsoleHello:
    """Console -> server, first message: authenticate with the secret token."""

    TYPE: ClassVar[str] = "console_hello"
    token: str = spec(max_length=256)


@wire
class Arm:
    """Console -> server: arm at an absolute server time or in N milliseconds
    (exactly one of the two)."""

    TYPE: ClassVar[str] = "arm"
    ref: str | None = spec(default=None, max_length=64)
    start_at_us: int | None = spec(default=None, minimum=0)
    in_ms: int | None = spec(default=None, minimum=0)
    rehearsal: bool = False  # the command is for the rehearsal record (docs/protocol.md, "Rehearsal")


@wire
class Cancel:
    """Console -> server: disarm (armed -> lobby) before the start time."""

    TYPE: ClassVar[str] = "cancel"
    ref: str | None = spec(default=None, max_length=64)
    rehearsal: bool = False  # the command is for the rehearsal record (docs/protocol.md, "Rehearsal")


@wire
class Abort:
    """Console -> server: stop an armed or running show for everybody."""

    TYPE: ClassVar[str] = "abort"
    ref: str | None = spec(default=None, max_length=64)
    reason: str | None = spec(default=None, max_length=500)
    rehearsal: bool = False  # the command is for the rehearsal record (docs/protocol.md, "Rehearsal")


@wire
class Reset:
    """Console -> server: back to the lobby after ended/aborted (rehearsals)."""

    TYPE: ClassVar[str] = "reset"
    ref: str | None = spec(default=None, max_length=64)
    rehearsal: bool = False  # the command is for the rehearsal record (docs/protocol.md, "Rehearsal")


@wire
class Announce:
    """Console -> server: text to everybody or to one group."""

    TYPE: ClassVar[str] = "announce"
    text: str = spec(min_length=1, max_length=500)
    level: str = spec(default="info", enum=LEVELS)
    group: str | None = spec(default=None, max_length=64)
    ref: str | None = spec(default=None, max_length=64)


@wire
class Release:
    """Console -> server: release seats: every ``pending`` one, or the confirmed
    seats of phones that are ``offline`` (no open socket)."""

    TYPE: ClassVar[str] = "release"
    scope: str = spec(enum=RELEASE_SCOPES)
    ref: str | None = spec(default=None, max_length=64)


@wire
class Welcome:
    """Server -> phone: answer to hello."""

    TYPE: ClassVar[str] = "welcome"
    participant_id: str
    group: str
    manifest_url: str
    show: ShowInfo
    server_time_us: int
    announcements: tuple[AnnouncementInfo, ...] = spec(default=())
    seat: str = spec(default="pending", enum=SEAT_STATES)


@wire
class ChallengeMsg:
    """Server -> phone with a pending seat: send the sha256 (hex) of ``length``
    bytes at ``offset`` of the bundle file ``path`` (one of its group's)."""

    TYPE: ClassVar[str] = "challenge"
    id: str
    path: str
    offset: int = spec(minimum=0)
    length: int = spec(minimum=1)


@wire
class SeatMsg:
    """Server -> phone: its seat changed (``confirmed`` after a right answer)."""

    TYPE: ClassVar[str] = "seat"
    state: str = spec(enum=SEAT_STATES)
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
class ShowMsg(ShowRecord):
    """Server -> everybody: the show's state changed (or a reminder of it): the
    record's fields at the top level, with ``"type": "show"``."""

    TYPE: ClassVar[str] = "show"


def show_message(rec: ShowRecord) -> ShowMsg:
    """The message form of a show record (same fields, same values)."""
    return ShowMsg(**{f.name: getattr(rec, f.name) for f in dataclasses.fields(ShowRecord)})


@wire
class Announcement(AnnouncementInfo):
    """Server -> phones (of the group, or all): an announcement to display.
    ``urgent`` takes over the screen."""

    TYPE: ClassVar[str] = "announcement"


@wire
class RevealedGroup:
    """A group as a surprise show's reveal shows it: name, colour and symbol together
    (never the colour alone; ``contract/symbols.py``)."""

    name: str = spec(min_length=1, max_length=500)
    colour: str = spec(min_length=7, max_length=7)
    symbol: str = spec(enum=SYMBOLS)


@wire
class Reveal:
    """Server -> the phones of one group of a surprise show, at the reveal (and after the
    welcome of a phone that joins later): the group they are in (docs/protocol.md,
    "Surprise groups")."""

    TYPE: ClassVar[str] = "reveal"
    group: RevealedGroup


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
    rehearsal: ShowInfo | None = None  # the rehearsal record (None: no rehearsal yet)


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
    announcements: tuple[AnnouncementInfo, ...] = spec(default=())
    alarms: tuple[AlarmInfo, ...] = spec(default=())
    trouble: dict = spec(default_factory=dict)
    nodes: tuple[NodeInfo, ...] = spec(default=())
    rehearsal: ShowInfo | None = None  # the rehearsal record (None: no rehearsal yet)
    offsets: dict = spec(default_factory=dict)


@wire
class ApiInfo:
    """``GET /api/info``: what a page needs before it opens a socket (which show
    this server runs, where its manifest and sockets are)."""

    show_id: str
    title: str
    revision: str
    manifest_url: str
    participant_ws: str = PARTICIPANT_WS
    console_ws: str = CONSOLE_WS
    assign: str
    groups: tuple[str, ...]
    server_time_us: int


PARTICIPANT_IN: dict[str, type] = {c.TYPE: c for c in (Hello, Sync, Status, Answer)}
CONSOLE_IN: dict[str, type] = {c.TYPE: c for c in (ConsoleHello, Sync, Arm, Cancel, Abort, Reset, Announce,
                                                   Release)}
SERVER_OUT: dict[str, type] = {c.TYPE: c for c in (
    Welcome, SyncReply, ShowMsg, Announcement, Error, Ack, ConsoleWelcome, Feed, ChallengeMsg, SeatMsg, Reveal)}
DIRECTIONS: dict[str, dict[str, type]] = {
    "participant": PARTICIPANT_IN,  # frames a phone may send
    "console": CONSOLE_IN,          # frames a console may send
    "server": SERVER_OUT,           # frames the server sends
}
ALL_TYPES = sorted(set(PARTICIPANT_IN) | set(CONSOLE_IN) | set(SERVER_OUT))


# --------------------------------------------------------------------------- frames


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
    if may_hold_lone_surrogate(text):  # a frame without a \udXXX escape holds no lone surrogate
        try:
            refuse_lone_surrogates(obj)
        except JsonShapeError as exc:
            raise ProtocolError(BAD_MESSAGE, str(exc)) from None
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
        return parse_record(cls, obj, wording=EXPECTED)
    except RecordError as exc:
        raise ProtocolError(BAD_MESSAGE, exc.message) from None


_WRITERS: dict[type, Any] = {}


def to_dict(msg: Any) -> dict[str, Any]:
    """The JSON object of a message (``type`` first) or payload."""
    cls = type(msg)
    w = _WRITERS.get(cls)
    if w is None:
        kind = getattr(cls, "TYPE", None)
        if not dataclasses.is_dataclass(cls):
            return write(msg)
        w = _WRITERS[cls] = writer(cls, {"type": kind} if kind else None)
    return w(msg)


def to_wire(msg: Any) -> str:
    """Serialize a message to its compact JSON text frame (always encodable as
    UTF-8: see :func:`flashmob.contract.records.dumps`)."""
    return dumps(to_dict(msg))


def error(code: str, message: str, *, ref: str | None = None, fatal: bool = False,
          detail: dict | None = None) -> Error:
    return Error(code=code, message=message, ref=ref, fatal=fatal, detail=detail)
