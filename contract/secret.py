"""The show's group secret: where it lives and the one rule that finds it.

Group tokens (:mod:`.grouptokens`) are signed with this secret by ``flashmob qr``
(printed on posters, flyers and badges) and checked with it by ``flashmob
serve``: both must find the same one, by rule, and it must outlive conductor
restarts and re-renders, or every printed group QR code stops working.

Where it lives (first found wins), :func:`resolve_group_secret`:

1. ``FLASHMOB_GROUP_SECRET`` in the environment, when set and not empty: its
   UTF-8 bytes are the key (at least 16).  For several conductors of one show,
   or a bundle folder nobody may write into.
2. The secret file :data:`SECRET_FILE` in the bundle folder
   (``BUNDLE/.flashmob-group-secret``): one line, the key in base64url (no
   padding), mode 0600.  A dot-file, so the conductor never serves it
   (``conductor/files.py``); it travels with the bundle folder when that is
   copied to the server; ``flashmob render`` keeps it when it replaces the
   bundle (:func:`kept_across_renders`), like the conductor's state file.
3. Neither: a new random key (32 bytes) is written to the secret file — by
   whichever of ``flashmob serve`` and ``flashmob qr`` needs it first
   (``qr`` only for group URLs).  It is created atomically (a complete
   temporary file hard-linked into place) and never overwritten: two
   processes creating it at once end up with the same key.

Conductors before this file existed (flashmob before issue 13) kept the key in
their SQLite state file (``meta`` row ``secret:group``).  The *conductor*,
which owns that file, migrates it once: with no secret file, the key of its
state file is written to the secret file (``legacy``), so posters printed
before keep working.  The print kit never opens the conductor's state: when
the bundle has a state file (``state_file``: ``.flashmob-conductor.sqlite`` or
``qr --db``) but no secret file, it refuses (start ``flashmob serve`` once, or
set ``FLASHMOB_GROUP_SECRET``) rather than print tokens with a new key.  A
secret file whose key differs from the state file's is refused by the
conductor (:class:`SecretError` says how to choose).

Every failure is a :class:`SecretError` (a ``ValueError``) that names the file
and what to do.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .grouptokens import MIN_SECRET_BYTES

ENV = "FLASHMOB_GROUP_SECRET"
SECRET_FILE = ".flashmob-group-secret"
"""The secret file's name, in the bundle folder."""
STATE_FILE = ".flashmob-conductor.sqlite"
"""The conductor's default state file, in the bundle folder (``flashmob serve --db`` moves it)."""
KEY_BYTES = 32


class SecretError(ValueError):
    """The group secret cannot be found, read or created; the message says what to do."""


class SecretFileUnwritable(SecretError):
    """The secret file cannot be created where it belongs (a read-only or missing folder)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot create the group secret file {path}: {reason} "
                         f"(make the bundle folder writable, or set {ENV})")
        self.reason = f"cannot create {path}: {reason}"


@dataclass(frozen=True)
class GroupSecret:
    key: bytes
    source: str           # ENV, or the secret file's path
    created: bool = False  # a new key was written to the secret file
    migrated: bool = False  # the key of a pre-issue-13 state file was written to the secret file
    stays_in_state: str | None = None  # why that key could not be moved (the bundle folder is not writable)


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def kept_across_renders(name: str) -> bool:
    """Whether a file of the bundle folder named ``name`` belongs to the show, not to
    the render: ``flashmob render`` copies these into the bundle that replaces it
    (the conductor's state files and the group secret)."""
    return name.startswith(".flashmob-conductor") or name == SECRET_FILE


def secret_path(bundle_dir: str | Path) -> Path:
    return Path(bundle_dir) / SECRET_FILE


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii").rstrip("=")


def decode_key(text: str, where: str) -> bytes:
    """The key of a secret file's text, or SecretError naming ``where``."""
    line = text.strip()
    try:
        if not line or any(c not in _B64URL for c in line):
            raise ValueError
        key = base64.urlsafe_b64decode(line + "=" * (-len(line) % 4))
    except (ValueError, binascii.Error):
        raise SecretError(f"{where}: expected one line of base64url (the group secret), found something else; "
                          "restore it from a backup (a new secret invalidates every printed group QR code)") from None
    if len(key) < MIN_SECRET_BYTES:
        raise SecretError(f"{where}: the group secret has {len(key)} bytes, at least {MIN_SECRET_BYTES} are needed")
    return key


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def read_secret_file(path: Path) -> bytes | None:
    """The key in ``path``, None when there is no such file; SecretError when unreadable or malformed."""
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            text = fh.read(4096)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SecretError(f"cannot read the group secret file {path}: {exc.strerror or exc}") from None
    return decode_key(text, str(path))


def write_secret_file(path: Path, key: bytes) -> bytes:
    """Create ``path`` holding ``key`` unless it exists; returns the key the file holds
    afterwards (another process's, when it won the race).

    Atomic and never overwriting: the complete file (0600, fsynced) is written
    under a temporary name and hard-linked to ``path``; ``EEXIST`` means someone
    else created it first, and theirs is kept."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise SecretFileUnwritable(path, exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(encode_key(key) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise SecretFileUnwritable(path, exc.strerror or str(exc)) from None
            _create_without_link(path, key)   # a file system without hard links
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    held = read_secret_file(path)
    assert held is not None
    return held


def _create_without_link(path: Path, key: bytes) -> None:
    """O_EXCL creation (no partial file is ever read as a key: :func:`decode_key` refuses it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(encode_key(key) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def resolve_group_secret(bundle_dir: str | Path, env: Mapping[str, str], *,
                         legacy: Callable[[], bytes | None] | None = None,
                         state_file: str | Path | None = None) -> GroupSecret:
    """The show's group secret, by the rule of the module docstring.

    ``legacy`` (the conductor) reads the key its state file (``state_file``)
    kept before the secret file existed, None if none; it is migrated to the
    secret file (or kept where the bundle folder is not writable), and a secret
    file that disagrees with it is refused.  Without ``legacy`` (the
    print kit), ``state_file`` (default: :data:`STATE_FILE` in the bundle) is
    only tested for existence, never opened: a state file without a secret file
    is refused."""
    value = env.get(ENV)
    if value:
        key = value.encode("utf-8")
        if len(key) < MIN_SECRET_BYTES:
            raise SecretError(f"{ENV} must have at least {MIN_SECRET_BYTES} bytes (it has {len(key)})")
        return GroupSecret(key, ENV)
    path = secret_path(bundle_dir)
    key = read_secret_file(path)
    old = legacy() if legacy is not None else None
    if key is not None:
        if old is not None and old != key:
            raise SecretError(_conflict(path))
        return GroupSecret(key, str(path))
    if old is not None:
        try:
            held = write_secret_file(path, old)
        except SecretFileUnwritable as exc:   # serve the old posters anyway; qr needs the move
            where = str(state_file) if state_file is not None else "the conductor's state file"
            return GroupSecret(old, where, stays_in_state=exc.reason)
        if held != old:   # pragma: no cover - a print kit created it between our read and our write
            raise SecretError(_conflict(path))
        return GroupSecret(held, str(path), migrated=True)
    if legacy is None:
        state = Path(state_file) if state_file is not None else Path(bundle_dir) / STATE_FILE
        if os.path.lexists(state):
            raise SecretError(
                f"{path} does not exist but the conductor's state file {state} does: a conductor before "
                f"flashmob's secret file kept the group secret in it. Start flashmob serve on this bundle once "
                f"(it moves the secret to {SECRET_FILE}), or set {ENV} as for flashmob serve; a new secret "
                "would print group QR codes the conductor refuses")
    held = write_secret_file(path, new_key())
    return GroupSecret(held, str(path), created=True)


def _conflict(path: Path) -> str:
    return (f"the group secret in {path} differs from the one kept in the conductor's state file by a conductor "
            "before flashmob's secret file: group QR codes printed before that file existed use the state "
            f"file's, those printed since use {SECRET_FILE}'s. To keep the older ones, delete {path} (the "
            "conductor moves the state file's secret there; print the others again); to keep the newer ones, "
            "remove the old secret from the state file: "
            "sqlite3 STATE_FILE \"DELETE FROM meta WHERE key='secret:group'\"")
