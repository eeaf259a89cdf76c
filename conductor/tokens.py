"""The conductor's own secrets: the console token and signed participant ids.

* The console token is generated at start (or taken from ``FLASHMOB_TOKEN``)
  and compared in constant time (:func:`same_secret`).
* Participant ids (:class:`ParticipantIds`) are signed with the show's group
  signer; only the conductor issues and checks them.

Group tokens (the signed group of a printed join URL) are the show contract's,
shared with the print kit: :mod:`flashmob.contract.grouptokens`, with the secret
resolved by :func:`flashmob.contract.secret.resolve_group_secret`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from flashmob.contract.grouptokens import GroupSigner, same_secret

__all__ = ["GroupSigner", "ParticipantIds", "new_console_token", "same_secret"]


def new_console_token() -> str:
    return secrets.token_urlsafe(24)


PID_RANDOM_CHARS = 10
PID_TAG_CHARS = 2
PID_MAC_CHARS = 16
PID_CHARS = PID_RANDOM_CHARS + PID_TAG_CHARS + PID_MAC_CHARS


def _group_tag(group_id: str) -> str:
    """12 bits naming the group (not secret): which HMAC to check, even with 1,000 groups."""
    return base64.urlsafe_b64encode(hashlib.sha256(group_id.encode()).digest()).decode("ascii")[:PID_TAG_CHARS]


class ParticipantIds:
    """Participant ids that carry their group, signed: ``random(10) + tag(2) + mac(16)``
    (28 characters) with ``tag`` a hash of the group id and ``mac =
    base64url(HMAC(secret, show_id, random + tag, group))[:16]`` (96 bits).

    A phone whose seat was dropped (never confirmed, the pool was full, the
    conductor restarted) comes back with its id and gets the same group without
    the server having stored anything about it, so it never downloads another
    group's files; nobody can make up an id for a group of their choice.  The
    tag keeps the check to one HMAC or so per hello whatever the number of groups.
    In a surprise show (``secret_tags``) the tag is keyed too (an HMAC of the group),
    so that a phone cannot tell its group from its own id (conductor/surprise.py).
    """

    def __init__(self, signer: GroupSigner, group_ids: tuple[str, ...], *, secret_tags: bool = False) -> None:
        self._signer = signer
        self._tag = self._keyed_tag if secret_tags else _group_tag
        self._by_tag: dict[str, list[str]] = {}
        for gid in group_ids:
            self._by_tag.setdefault(self._tag(gid), []).append(gid)

    def _keyed_tag(self, group_id: str) -> str:
        """A surprise show's tag: keyed, so that nobody without the secret can tell the group from an id."""
        return self._signer.sign(f"\x00participant-tag\x00{group_id}")[:PID_TAG_CHARS]

    def _mac(self, head: str, group_id: str) -> str:
        return self._signer.sign(f"\x00participant\x00{head}\x00{group_id}")[:PID_MAC_CHARS]

    def new(self, group_id: str) -> str:
        head = secrets.token_urlsafe(8)[:PID_RANDOM_CHARS] + self._tag(group_id)
        return head + self._mac(head, group_id)

    def group_of(self, pid: str | None) -> str | None:
        """The group ``pid`` was issued for, or None (not one of ours)."""
        if not isinstance(pid, str) or len(pid) != PID_CHARS or not pid.isascii():
            return None
        head, mac = pid[:-PID_MAC_CHARS], pid[-PID_MAC_CHARS:]
        found = None
        for gid in self._by_tag.get(head[PID_RANDOM_CHARS:], ()):
            if same_secret(mac, self._mac(head, gid)):
                found = gid
        return found
