"""Sign-ups before the show: the bundle's settings file, the HTTP shapes, the badge CSV (one definition).

Everything that crosses a boundary in the sign-up feature is defined here once
(docs/signups.md):

* **The settings file** ``.flashmob-signups.json`` (:class:`SignupSettings`):
  the renderer writes it from the score's ``signups`` block
  (docs/score-format.md), the conductor reads it at start
  (:func:`read_signup_settings`); no file, no sign-up page.  A dot-file, like
  the safety file: the conductor never serves bundle dot-files, it serves the
  settings through ``GET /api/signup``.  The invitation code is *not* in it
  (the bundle may be copied around): ``flashmob serve --signup-code``.
* **The HTTP shapes** of ``/api/signup`` (:class:`SignupRequest` in,
  :class:`SignupInfo`, :class:`SignupView` out) and of the console's
  ``/api/signups`` (:class:`SignupSummary`); parsed and written with
  :mod:`.records`, so a bad request is refused with the field's name.
* **The badge CSV** the console exports and ``flashmob qr --badges`` reads:
  the header :data:`CSV_COLUMNS` (``name``, ``handle``, ``group``,
  ``participant_id``): the signed participant id that the
  personal join URL carries (``PUBLIC/?i=ID``, :mod:`.urls`).
* :func:`groups_public` -- whether a sign-up may be told its group (and a
  badge printed in the group's colour): not when the show's groups are a
  surprise.  The one check; the surprise-groups feature wires its rule here.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

from .dotfile import read_record_file
from .records import EXPECTED, parse, record, spec, write

SIGNUP_FILE = ".flashmob-signups.json"
FORMAT = "flashmob-signups"
VERSION = 1
MAX_BYTES = 256 * 1024
MAX_NOTICE = 4000            # characters of the privacy notice
MAX_NAME = 64                # a display name or handle (the participant hint's limit, contract/urls.py)
MAX_EMAIL = 254              # RFC 5321's path limit
MAX_CODE = 128
MAX_CAPACITY = 10_000_000
DEFAULT_KEEP_DAYS = 30
MAX_KEEP_DAYS = 366
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"
KEY_PATTERN = r"^[A-Za-z0-9_-]{22,64}$"
KEY_HEADER = "X-Flashmob-Signup"
"""The request header that carries a sign-up's private key (never a URL query: no access log sees it)."""

CSV_COLUMNS = ("name", "handle", "group", "participant_id")
"""The header of the badge CSV (tools/print/registrants.py reads these names)."""


class EmailRule(str, Enum):
    NO = "no"
    OPTIONAL = "optional"
    REQUIRED = "required"


class Status(str, Enum):
    CONFIRMED = "confirmed"  # a place: participant id and group assigned
    WAITING = "waiting"      # beyond capacity: promoted, in order, when someone cancels


class SignupFileError(ValueError):
    """A settings file that cannot be read: the message names the file and the field."""


# -- the bundle's settings file ---------------------------------------------------------

@record
class SignupSettings:
    """The score's ``signups`` block, as rendered into the bundle."""

    format: str = spec("always flashmob-signups", const=FORMAT, expected=f'"{FORMAT}"')
    version: int = spec("the format version", enum=(VERSION,))
    privacy: str = spec("the privacy notice a person agrees to before signing up", min_length=1,
                        max_length=MAX_NOTICE)
    email: EmailRule = spec("whether the page asks for an e-mail address", default=EmailRule.NO)
    capacity: int | None = spec("places; beyond, a waiting list (null: no limit)", default=None, minimum=1,
                                maximum=MAX_CAPACITY)
    keep_days: int = spec("days after the show when every sign-up is deleted", default=DEFAULT_KEEP_DAYS,
                          minimum=0, maximum=MAX_KEEP_DAYS)


def settings_json(settings: SignupSettings) -> dict[str, Any]:
    """The one writer of the settings file (key order is the field order)."""
    return write(settings)


def read_signup_settings(bundle_dir: str | Path) -> SignupSettings | None:
    """The bundle's settings file; None when absent (no ``signups`` block: no sign-up page)."""
    return read_record_file(Path(bundle_dir) / SIGNUP_FILE, SignupSettings, max_bytes=MAX_BYTES,
                            what="sign-up settings file", error=SignupFileError)


# -- HTTP shapes ------------------------------------------------------------------------

@record
class SignupRequest:
    """``POST /api/signup``: what a person gives (and nothing else)."""

    name: str = spec("a display name or handle", min_length=1, max_length=MAX_NAME)
    email: str | None = spec("an e-mail address, only when the score asks for one", default=None,
                             max_length=MAX_EMAIL)
    consent: bool = spec("the person agreed to the privacy notice (must be true)")
    code: str | None = spec("the organizer's invitation code, when there is one", default=None, max_length=MAX_CODE)


@record
class SignupInfo:
    """``GET /api/signup``: what the sign-up page shows before anyone signs up."""

    open: bool = spec("whether sign-ups are accepted now")
    closed: str | None = spec("why not, when closed: started, over or erased", default=None,
                              enum=("started", "over", "erased"))
    closed_reason: str | None = spec("the same in a sentence (English)", default=None)
    title: str = spec("the show's title")
    language: str = spec("the score's language")
    starts: str | None = spec("the event's start (ISO 8601), when the score gives it", default=None)
    place: str | None = spec("where", default=None)
    privacy: str = spec("the privacy notice")
    email: EmailRule = spec("whether to ask for an e-mail address")
    code_required: bool = spec("whether an invitation code is needed")
    capacity: int | None = spec("places (null: no limit)", default=None)
    places_left: int | None = spec("places not taken (null: no limit)", default=None)
    keep_days: int = spec("days after the show when sign-ups are deleted")


@record
class SignupView:
    """A person's sign-up, as their own page shows it (``POST /api/signup``, ``GET /api/signup/me``).

    ``key`` (their private key, the manage link's) only in the reply that creates it.
    ``group``/``group_name``/``colour`` are null when the groups are a surprise
    (:func:`groups_public`) or while waiting."""

    status: Status = spec("confirmed or waiting")
    name: str = spec("the name or handle given")
    email: str | None = spec("the e-mail address given", default=None)
    position: int | None = spec("place in the waiting list (1: next), while waiting", default=None)
    participant_id: str | None = spec("the signed participant id, once confirmed", default=None)
    group: str | None = spec("the group id, once confirmed (null when a surprise)", default=None)
    group_name: str | None = spec("the group's name", default=None)
    colour: str | None = spec("the group's colour", default=None)
    join_url: str | None = spec("the personal join URL (its QR code), once confirmed", default=None)
    key: str | None = spec("the private key of the manage link (only when created)", default=None, omit_none=True)


@record
class GroupCount:
    id: str = spec("group id")
    name: str = spec("group name")
    signups: int = spec("confirmed sign-ups in this group")


@record
class SignupSummary:
    """``GET /api/signups`` (console token): counts only, no personal data."""

    enabled: bool = spec("whether this show has sign-ups (a signups block)")
    open: bool = spec("whether sign-ups are accepted now")
    capacity: int | None = spec("places (null: no limit)", default=None)
    confirmed: int = spec("confirmed sign-ups")
    waiting: int = spec("people on the waiting list")
    cancelled: int = spec("sign-ups cancelled by their owner (counted, nothing else kept)")
    promoted: int = spec("waiting-list places promoted to confirmed")
    groups: tuple[GroupCount, ...] = spec("confirmed sign-ups per group")
    keep_days: int = spec("days after the show when every sign-up is deleted", default=DEFAULT_KEEP_DAYS)
    erase_at_us: int | None = spec("when every sign-up is deleted (server time, µs; null: not known yet)",
                                   default=None)
    erased: bool = spec("whether the sign-ups were deleted (the show is long over)")


def parse_request(obj: Any) -> SignupRequest:
    """A request body, or RecordError naming the field (the wire's wording)."""
    return parse(SignupRequest, obj, wording=EXPECTED)


def to_json(rec: Any) -> dict[str, Any]:
    return write(rec)


# -- the surprise rule ------------------------------------------------------------------

def groups_public(manifest_raw: dict[str, Any] | None) -> bool:
    """May a sign-up page, the console's export or a badge show a person's group?

    Not when the show's groups are a surprise (issue #17, part 1; the manifest's
    ``surprise`` record, docs/bundle-format.md).  The rule the manifest's ``surprise`` member: present and not null, the groups are hidden."""
    return (manifest_raw or {}).get("surprise") is None


__all__ = ["CSV_COLUMNS", "DEFAULT_KEEP_DAYS", "EMAIL_PATTERN", "EmailRule", "FORMAT", "GroupCount", "KEY_HEADER",
           "MAX_NAME", "SIGNUP_FILE", "SignupFileError", "SignupInfo", "SignupRequest", "SignupSettings",
           "SignupSummary", "SignupView", "Status", "VERSION", "groups_public", "parse_request",
           "read_signup_settings", "settings_json", "to_json"]
