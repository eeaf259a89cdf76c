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


PID_RANDOM_CHARS = 12
PID_MAC_CHARS = 16


class ParticipantIds:
    """Participant ids that carry their group, signed: ``random(12) + mac(16)``
    with ``mac = base64url(HMAC(secret, show_id, random, group))[:16]`` (96 bits).

    A phone whose seat was dropped (never confirmed, the pool was full, the
    conductor restarted) comes back with its id and gets the same group without
    the server having stored anything about it, so it never downloads another
    group's files; nobody can make up an id for a group of their choice.
    """

    def __init__(self, signer: GroupSigner) -> None:
        self._signer = signer

    def _mac(self, rand: str, group_id: str) -> str:
        return self._signer.sign(f"\x00participant\x00{rand}\x00{group_id}")[:PID_MAC_CHARS]

    def new(self, group_id: str) -> str:
        rand = secrets.token_urlsafe(9)
        return rand + self._mac(rand, group_id)

    def group_of(self, pid: str | None, group_ids: tuple[str, ...]) -> str | None:
        """The group ``pid`` was issued for, or None (not one of ours)."""
        if not isinstance(pid, str) or len(pid) != PID_RANDOM_CHARS + PID_MAC_CHARS or not pid.isascii():
            return None
        rand, mac = pid[:PID_RANDOM_CHARS], pid[PID_RANDOM_CHARS:]
        found = None
        for gid in group_ids:  # every group (constant work whichever matches)
            if same_secret(mac, self._mac(rand, gid)):
                found = gid
        return found
