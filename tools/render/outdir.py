"""The bundle's output folder: never half-written, never someone else's.

* :func:`check_output_dir` refuses a folder that is neither empty nor a
  flashmob bundle (flashmob only replaces its own bundles), and a bundle that
  a living conductor is serving (its state-file lock is held): swapping the
  folder under it would leave it serving deleted files and writing a state
  file that is no longer the bundle's.
* :func:`partial_dir` makes a fresh hidden folder beside the target
  (``.DIR.partial-PID-xxxx``, same file system) to render into, after
  removing those of earlier renders whose process is gone.
* :func:`replace_bundle` swaps the complete new bundle in with one atomic
  ``renameat2(RENAME_EXCHANGE)`` (two renames where the kernel lacks it),
  keeping the show's files (the conductor's state files and the group secret,
  :func:`flashmob.contract.secret.kept_across_renders`), then removes the
  previous bundle. A previous bundle is intact until that instant.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import shutil
import tempfile

from flashmob.contract.secret import SECRET_FILE, kept_across_renders
from flashmob.tools.audio.errors import AudioError

from .workers import _pid_alive


class BundleDirError(AudioError):
    """The output directory exists and is not a flashmob bundle: never overwritten."""


def check_output_dir(out_dir: str) -> None:
    """Refuse to replace a directory that is neither empty nor a bundle."""
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise BundleDirError(f"{out_dir} exists and is not a directory")
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        try:
            with open(os.path.join(out_dir, "manifest.json"), encoding="utf-8") as fh:
                ok = json.load(fh).get("format") == "flashmob-bundle"
        except (OSError, ValueError, AttributeError):
            ok = False
        if not ok:
            raise BundleDirError(f"{out_dir} is not empty and holds no flashmob bundle: choose another "
                                 "output directory (flashmob only replaces its own bundles)")
        holder = _serving_conductor(out_dir)
        if holder is not None:
            raise BundleDirError(f"{out_dir} is being served by a running conductor ({holder}): stop it "
                                 "first, or render into another directory")


def _serving_conductor(out_dir: str) -> str | None:
    """Who holds a conductor state lock (``.flashmob-conductor*.lock``) in ``out_dir``, or None.

    The probe takes the same ``flock`` the conductor holds for its life and
    drops it at once; a lock file left by a dead conductor is not held."""
    for name in sorted(os.listdir(out_dir)):
        if not (name.startswith(".flashmob-conductor") and name.endswith(".lock")):
            continue
        try:
            fd = os.open(os.path.join(out_dir, name), os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                who = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                return who or "pid unknown"
        finally:
            os.close(fd)
    return None


_PARTIAL = ".{name}.partial-"


def partial_dir(out_dir: str) -> str:
    """A fresh hidden folder beside ``out_dir`` (same file system, so the final rename is atomic);
    folders of earlier renders whose process is gone are removed first."""
    parent, name = os.path.split(os.path.abspath(out_dir))
    os.makedirs(parent, exist_ok=True)
    prefix = _PARTIAL.format(name=name)
    for entry in os.listdir(parent):
        if entry.startswith(prefix):
            pid = entry[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)
    path = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent)
    mask = os.umask(0o022)
    os.umask(mask)
    os.chmod(path, 0o777 & ~mask)   # mkdtemp makes it private; a bundle is readable like any folder made here
    return path


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: str, b: str) -> bool:
    """Atomically swap two paths (Linux renameat2); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def replace_bundle(partial: str, out_dir: str) -> None:
    """Swap the complete new bundle in; the show's files (state, group secret) are kept.

    A group secret created in the previous bundle while this runs (by ``flashmob
    qr`` or ``serve``, after the copy) is linked into the new one after the swap."""
    if not os.path.isdir(out_dir):
        os.replace(partial, out_dir)
        return
    for name in os.listdir(out_dir):
        if kept_across_renders(name):
            shutil.copy2(os.path.join(out_dir, name), os.path.join(partial, name))
    if not _exchange(partial, out_dir):
        old = partial + "-old"
        os.replace(out_dir, old)
        os.replace(partial, out_dir)
        partial = old
    late = os.path.join(partial, SECRET_FILE)
    if os.path.exists(late):
        try:
            os.link(late, os.path.join(out_dir, SECRET_FILE))
        except OSError:
            pass   # already there (copied, or created since): never overwritten
    shutil.rmtree(partial, ignore_errors=True)   # the previous bundle
