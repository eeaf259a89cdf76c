"""Secrets: the console token and signed group tokens (HMAC-SHA256).

* The console token is generated at start (or taken from ``FLASHMOB_TOKEN``)
  and compared in constant time (:func:`same_secret`).
* A group token lets a join URL (one QR poster per group, ``fixed`` mode) carry
  a group that nobody can forge: ``token = base64url(HMAC(secret, show_id,
  group))[:22]`` (131 bits).  The secret lives in the state store (created
  once, so posters stay valid across restarts) or comes from
  ``FLASHMOB_GROUP_SECRET`` (several conductors of one show share it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_CHARS = 22


def new_console_token() -> str:
    return secrets.token_urlsafe(24)


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison (independent of where the strings differ)."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class GroupSigner:
    """Signs and verifies group tokens of one show."""

    def __init__(self, secret: bytes, show_id: str) -> None:
        if len(secret) < 16:
            raise ValueError("the group secret must have at least 16 bytes")
        self._secret = secret
        self._show_id = show_id

    def sign(self, group_id: str) -> str:
        msg = f"flashmob-group\x00{self._show_id}\x00{group_id}".encode()
        digest = hmac.new(self._secret, msg, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")[:TOKEN_CHARS]

    def verify(self, group_id: str, token: str | None) -> bool:
        if not isinstance(token, str):
            return False
        return same_secret(token, self.sign(group_id))


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
    """

    def __init__(self, signer: GroupSigner, group_ids: tuple[str, ...]) -> None:
        self._signer = signer
        self._by_tag: dict[str, list[str]] = {}
        for gid in group_ids:
            self._by_tag.setdefault(_group_tag(gid), []).append(gid)

    def _mac(self, head: str, group_id: str) -> str:
        return self._signer.sign(f"\x00participant\x00{head}\x00{group_id}")[:PID_MAC_CHARS]

    def new(self, group_id: str) -> str:
        head = secrets.token_urlsafe(8)[:PID_RANDOM_CHARS] + _group_tag(group_id)
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
