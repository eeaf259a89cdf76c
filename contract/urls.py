"""The URLs phones are given: join links and direct file downloads (pure).

One definition shared by everything that shows a join URL — the ``flashmob
serve`` banner, the console's projector mode (``console_welcome.join_url``,
``group_join_urls``) and the printed matter of ``flashmob qr`` (posters,
flyers, badges) — so a poster printed a week before and the URL on the
projector are the same string.  These shapes are printed on paper: they never
change (a poster printed by an older version must still open the show).

Shapes (``PUBLIC`` is the public URL without a trailing slash)::

    PUBLIC/                          general join: the conductor assigns a group
    PUBLIC/?g=GROUP&k=TOKEN          a group's join link (``fixed``/``choice``);
                                     TOKEN is GroupSigner(secret, show_id).sign(GROUP)
                                     (:mod:`.grouptokens`, secret: :mod:`.secret`)
    ...&p=HINT  or  PUBLIC/?p=HINT   participant hint (a registrant's handle on a
                                     badge); percent-encoded; phones may show it
                                     or pass it on, the conductor ignores it today
    PUBLIC/?i=PARTICIPANT            a sign-up's personal join link (docs/signups.md):
                                     the phone says hello with this signed participant
                                     id, which carries its group (every assignment mode)
    PUBLIC/signup                    the sign-up page, when the score takes sign-ups
                                     (docs/signups.md)
    PUBLIC/download/GROUP            a group's full MP3, stable across re-renders:
                                     redirects to the current bundle file (printed)
    PUBLIC/bundle/REVISION/PATH      one bundle file; REVISION is Bundle.revision,
                                     so the link breaks when the bundle is re-rendered

Query parameter names are the protocol's (docs/protocol.md): ``g`` group,
``k`` group token, ``p`` participant hint, ``i`` participant id.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_GROUP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_PARTICIPANT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HINT_MAX = 64
"""Longest participant hint (characters, before encoding): QR codes stay small."""


def check_public_url(url: str) -> str:
    """``url`` without its trailing slash, or ValueError saying what is wrong.

    It must be ``http`` or ``https`` with a host, and carry no query or
    fragment (the join parameters are appended to it)."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError("the public URL is empty")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"the public URL must start with https:// (or http://), not {url!r}")
    if not parts.hostname:
        raise ValueError(f"the public URL has no host: {url!r}")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise ValueError(f"the public URL must not carry a query or fragment: {url!r}")
    if any(c.isspace() for c in url):
        raise ValueError(f"the public URL contains spaces: {url!r}")
    return url.rstrip("/")


def join_url(public_url: str, group: str | None = None, token: str | None = None, *,
             hint: str | None = None, participant: str | None = None) -> str:
    """The join URL (see the module docstring); ``group`` and ``token`` go together."""
    if (group is None) != (token is None):
        raise ValueError("a group join URL needs both the group and its token")
    base = public_url.rstrip("/") + "/"
    params = []
    if participant is not None:
        if not _PARTICIPANT.match(participant):
            raise ValueError(f"bad participant id {participant!r}")
        params.append(f"i={participant}")
    if group is not None:
        if not _GROUP_ID.match(group):
            raise ValueError(f"bad group id {group!r}")
        if not _TOKEN.match(token or ""):
            raise ValueError("bad group token")
        params += [f"g={group}", f"k={token}"]
    if hint:
        if len(hint) > HINT_MAX:
            raise ValueError(f"the participant hint is longer than {HINT_MAX} characters")
        params.append("p=" + quote(hint, safe=""))
    return base + ("?" + "&".join(params) if params else "")


def signup_url(public_url: str) -> str:
    """The sign-up page (printed on invitations: ``flashmob qr`` writes its QR code)."""
    return public_url.rstrip("/") + "/signup"


def download_url(public_url: str, revision: str, path: str) -> str:
    """Direct URL of one bundle file (``path`` relative, posix)."""
    if not revision or "/" in revision:
        raise ValueError(f"bad bundle revision {revision!r}")
    if path.startswith("/") or ".." in path.split("/"):
        raise ValueError(f"bad bundle path {path!r}")
    return f"{public_url.rstrip('/')}/bundle/{revision}/{quote(path, safe='/')}"


def group_download_url(public_url: str, group: str) -> str:
    """Stable direct-download URL of a group's MP3 (what posters and cards print):
    the conductor redirects it to the file of the bundle it serves now."""
    if not _GROUP_ID.match(group):
        raise ValueError(f"bad group id {group!r}")
    return f"{public_url.rstrip('/')}/download/{group}"
