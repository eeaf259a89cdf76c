"""The links printed for one show: join URLs (general, per group, personal) and downloads.

Everything here is the show contract (:mod:`flashmob.contract.urls`,
:mod:`~flashmob.contract.modes`, :mod:`~flashmob.contract.grouptokens`) applied
to a loaded bundle, a public URL and an assignment mode, so what is printed is
what ``flashmob serve --public-url ... --assign ...`` prints and shows on the
console's projector:

* ``balanced`` / ``random`` / ``choice``: one general join URL (``PUBLIC/``);
  the conductor assigns a group (or the person chooses).
* ``fixed``: no general URL (the conductor would refuse it); one join URL per
  group, carrying the group's signed token.
* A sign-up's *personal* URL (badges from the console's CSV) carries their
  signed participant id (``?i=``), which carries their group in every mode.
* Otherwise a *personal* URL (badges) carries the registrant's group and token when
  they have a group, plus a participant hint (``p=``); it is only honoured by
  a conductor in ``fixed`` or ``choice`` mode (:data:`GROUP_MODES`).
* A direct download URL per group (``PUBLIC/download/GROUP``) that the
  conductor redirects to the group's MP3 of the bundle it serves.

Group tokens are signed with the show's group secret, found by the rule
``flashmob serve`` follows (:func:`flashmob.contract.secret.resolve_group_secret`:
``FLASHMOB_GROUP_SECRET``, else the bundle's ``.flashmob-group-secret``, created
there on first use); the conductor's state file is never opened. The secret is
only needed — and the secret file only read or created — when a group URL is made.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flashmob.contract.bundle import Bundle
from flashmob.contract.grouptokens import GroupSigner
from flashmob.contract.modes import GROUP_MODES, check_mode
from flashmob.contract.secret import SecretError, resolve_group_secret
from flashmob.contract.urls import group_download_url, join_url

from .errors import PrintError

HINT_ENCODED_MAX = 32
"""A hint longer than this once percent-encoded (a non-Latin handle: 6 characters
per letter) is left out of the URL: it would make the badge's QR too dense."""


def usable_hint(hint: str | None) -> str | None:
    """``hint`` if it is short enough for a badge QR once encoded, else None."""
    if not hint or len(quote(hint, safe="")) > HINT_ENCODED_MAX:
        return None
    return hint


@dataclass(frozen=True)
class GroupLinks:
    id: str
    name: str
    colour: str
    join: str | None          # the group's join URL (fixed mode only)
    download: str             # direct URL of the group's MP3
    mp3_path: str
    mp3_bytes: int


@dataclass(frozen=True)
class ShowLinks:
    public_url: str
    assign: str
    revision: str
    general: str | None       # None in fixed mode
    groups: tuple[GroupLinks, ...]
    sign: Callable[[str], str] | None = None

    def group(self, group_id: str) -> GroupLinks:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)

    def personal(self, group_id: str | None, hint: str | None = None, participant: str | None = None) -> str:
        """A registrant's join URL: their participant id when they signed up through
        the conductor (``PUBLIC/?i=ID``: the id carries the group, in every mode), else
        their group's (with token) when they have one, and their handle as a hint
        (see :func:`usable_hint`)."""
        if participant is not None:
            return join_url(self.public_url, participant=participant)
        if group_id is None:
            if self.assign == "fixed":
                raise PrintError("in fixed assignment every personal join URL needs a group")
            return join_url(self.public_url, hint=usable_hint(hint))
        if self.assign not in GROUP_MODES:
            raise PrintError(f"a conductor in {self.assign} assignment ignores the group of a join URL: "
                             "use --assign fixed (and serve with --assign fixed)")
        self.group(group_id)
        assert self.sign is not None
        return join_url(self.public_url, group_id, self.sign(group_id), hint=usable_hint(hint))


def group_signer(bundle: Bundle, state_file: Path | None = None,
                 env: Mapping[str, str] | None = None) -> tuple[Callable[[str], str], str]:
    """``(sign, where the secret came from)``: the show's group secret, found (or
    created) by the conductor's rule; ``state_file`` (``--db``) is only tested for
    existence (a state file of an older conductor still holding the secret)."""
    env = os.environ if env is None else env
    try:
        secret = resolve_group_secret(bundle.root, env, state_file=state_file)
    except SecretError as exc:
        raise PrintError(str(exc)) from None
    return GroupSigner(secret.key, bundle.show_id).sign, secret.source


def _mp3(bundle: Bundle, group_id: str) -> tuple[str, int]:
    path = bundle.mp3_path(group_id)
    if path is None:
        raise PrintError(f"manifest.json: group {group_id} has no mp3.path")
    size = bundle.sizes.get(path)
    return path, size if size is not None else (bundle.root / path).stat().st_size


def show_links(bundle: Bundle, public_url: str, assign: str,
               sign: Callable[[str], str] | None = None) -> ShowLinks:
    """Every link of the show. ``sign`` is required in ``fixed`` mode (and for
    personal URLs with a group)."""
    try:
        check_mode(assign)
    except ValueError as exc:
        raise PrintError(str(exc)) from None
    if assign == "fixed" and sign is None:
        raise PrintError("fixed assignment needs a group signer")
    groups = []
    for g in bundle.groups:
        path, size = _mp3(bundle, g.id)
        groups.append(GroupLinks(
            id=g.id, name=g.name, colour=g.colour,
            join=join_url(public_url, g.id, sign(g.id)) if assign == "fixed" else None,
            download=group_download_url(public_url, g.id), mp3_path=path, mp3_bytes=size))
    return ShowLinks(public_url=public_url.rstrip("/"), assign=assign, revision=bundle.revision,
                     general=None if assign == "fixed" else join_url(public_url),
                     groups=tuple(groups), sign=sign)
