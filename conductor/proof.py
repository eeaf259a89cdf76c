"""The files a seat challenge picks from, and the expected answer (the I/O half of :mod:`conductor.seats`).

* :func:`challenge_files` - per group, the files a phone already holds once
  it has verified its download and can read a range of without holding the
  whole show: its web-playback segments (each at most 30 s, a few hundred KB,
  kept one by one in the Cache API); a group without segments uses its full
  MP3 (read through ``Blob.slice``), and one without either any other file
  of the group.  Sizes are read from disk when the conductor starts.
* :class:`RangeDigest` - ``digest(challenge)``: the expected answer,
  ``sha256(challenge.id as UTF-8 + the challenged bytes)`` in hex, the range
  read from the bundle on disk (at most 64 KiB, from the page cache).  The
  id in front makes every answer unique: a range that covers a whole small
  file would otherwise be answered by the manifest's public sha256, and an
  answer seen once would answer the same range again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flashmob.contract.manifest import Group

from . import files as served
from .bundle import Bundle
from .seats import Challenge


def _paths_of(group: Group | None) -> tuple[list[str], list[str], list[str]]:
    if group is None:
        return [], [], []
    segments = [s.path for s in group.segments]
    full = [group.mp3.path] if group.mp3 is not None else []
    other = [p for p in (group.captions, group.cover) if p is not None]
    return segments, full, other


def challenge_files(bundle: Bundle) -> dict[str, tuple[tuple[str, int], ...]]:
    """Group id -> ``(path, size)`` of the files its challenges pick from."""
    out: dict[str, tuple[tuple[str, int], ...]] = {}
    for group in bundle.groups:
        chosen: tuple[tuple[str, int], ...] = ()
        for paths in _paths_of(bundle.manifest.group(group.id)):
            sized = []
            for p in paths:
                target = served.safe_path(bundle.root, p) if p in bundle.files else None
                if target is not None and target.stat().st_size > 0:
                    sized.append((p, target.stat().st_size))
            if sized:
                chosen = tuple(sized)
                break
        out[group.id] = chosen
    return out


def answer_of(challenge: Challenge, data: bytes) -> str:
    """The right answer to ``challenge`` given the challenged bytes."""
    return hashlib.sha256(challenge.id.encode("utf-8") + data).hexdigest()


class RangeDigest:
    """``digest(challenge) -> sha256 hex``: the expected answer, from the bundle on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.reads = 0
        self._targets: dict[str, Path | None] = {}  # resolved once: the bundle does not change while served

    def __call__(self, c: Challenge) -> str:
        if c.path not in self._targets:
            self._targets[c.path] = served.safe_path(self.root, c.path)
        target = self._targets[c.path]
        if target is None:  # the picker only picks served files: never happens
            return ""
        with open(target, "rb") as f:
            f.seek(c.offset)
            data = f.read(c.length)
        self.reads += 1
        return answer_of(c, data) if len(data) == c.length else ""
