"""Group tokens: a join URL that names a group nobody can forge (HMAC-SHA256, pure).

A group's join link (``PUBLIC/?g=GROUP&k=TOKEN``, :mod:`.urls`) is printed on
posters, flyers and badges by ``flashmob qr`` and checked by the conductor in
``fixed`` and ``choice`` assignment (:mod:`.modes`).  Both compute::

    token = base64url(HMAC-SHA256(secret, "flashmob-group" NUL show_id NUL group))[:22]

(22 characters, 131 bits), with ``secret`` the show's group secret
(:func:`flashmob.contract.secret.resolve_group_secret`) and ``show_id`` the
manifest's.  The formula is printed on paper: it never changes, or every poster
printed before would stop working.  A token names one group of one show: it
does not verify for another group, another show, or another secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

TOKEN_CHARS = 22
MIN_SECRET_BYTES = 16


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison (independent of where the strings differ); False for a non-string."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class GroupSigner:
    """Signs and verifies group tokens of one show."""

    def __init__(self, secret: bytes, show_id: str) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the group secret must have at least {MIN_SECRET_BYTES} bytes")
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
