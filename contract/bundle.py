"""A show bundle folder: its parsed manifest and the files it may serve, verified.

:func:`load_bundle` reads ``manifest.json`` through the one parser
(:func:`~.manifest.parse_manifest_bytes`) and returns a frozen :class:`Bundle`:
the :class:`~.manifest.Manifest` record, the show id, title, duration in
integer microseconds (the duration rule), the groups as :class:`GroupInfo`
and the allow-list of files that may be served — every path the manifest
references (each group's ``mp3``, ``segments``, ``captions``, ``cover``), with
its sha256 when it has one (those are content-addressed and cached for long).
``revision`` is a digest of the manifest bytes: it changes whenever any file
changes.  With ``verify`` every file with a sha256 is hashed and compared
(:func:`verify_files`), and its ``bytes`` checked: a damaged or edited bundle
is refused, naming the file.  Every error is a :class:`~.manifest.BundleError`.

The conductor serves a bundle loaded here; the print kit prints from one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .manifest import MANIFEST, BundleError, Manifest, ManifestError, parse_manifest_bytes

__all__ = ["MANIFEST", "Bundle", "BundleError", "GroupInfo", "ManifestError", "bundle_of", "load_bundle",
           "verify_files"]


@dataclass(frozen=True)
class GroupInfo:
    """What the conductor and the print kit need of a group."""

    id: str
    name: str
    colour: str
    share: int


@dataclass(frozen=True)
class Bundle:
    root: Path
    manifest: Manifest
    revision: str
    files: dict[str, str | None]  # relative posix path -> sha256 (or None)
    sizes: dict[str, int] = field(default_factory=dict)  # relative posix path -> bytes, when the manifest says
    groups: tuple[GroupInfo, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(GroupInfo(g.id, g.name, g.colour, g.share)
                                                 for g in self.manifest.groups))

    @property
    def show_id(self) -> str:
        return self.manifest.show_id

    @property
    def title(self) -> str:
        return self.manifest.title

    @property
    def duration_us(self) -> int:
        return self.manifest.duration_us

    def group(self, group_id: str) -> GroupInfo | None:
        return next((g for g in self.groups if g.id == group_id), None)

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.manifest.groups)

    def mp3_path(self, group_id: str) -> str | None:
        """The served path of a group's full MP3 (None: no such group, or it has no MP3)."""
        g = self.manifest.group(group_id)
        return _rel(g.mp3.path) if g is not None and g.mp3 is not None else None


def _rel(path: str) -> str:
    return str(PurePosixPath(path))


def _files_of(manifest: Manifest) -> tuple[dict[str, str | None], dict[str, int]]:
    files: dict[str, str | None] = {MANIFEST: None}
    sizes: dict[str, int] = {}

    def add(path: str | None, sha: str | None = None, size: int | None = None) -> None:
        if path is None:
            return
        rel = _rel(path)
        if sha is not None or rel not in files:
            files[rel] = sha
        if size is not None:
            sizes[rel] = size

    for g in manifest.groups:
        if g.mp3 is not None:
            add(g.mp3.path, g.mp3.sha256, g.mp3.bytes)
        for s in g.segments:
            add(s.path, s.sha256, s.bytes)
        add(g.captions)
        add(g.cover)
    return files, sizes


def bundle_of(root: Path, raw: bytes) -> Bundle:
    """A :class:`Bundle` from the manifest bytes (no file is read)."""
    manifest, _ = parse_manifest_bytes(raw)
    files, sizes = _files_of(manifest)
    return Bundle(root=root, manifest=manifest, revision=hashlib.sha256(raw).hexdigest()[:16], files=files,
                  sizes=sizes)


def load_bundle(path: str | Path, *, verify: bool = True,
                progress: Callable[[int, int], None] | None = None) -> Bundle:
    """Read, validate and (``verify``) check every file's sha256 and size against the manifest."""
    root = Path(path).resolve()
    mf = root / MANIFEST
    if not mf.is_file():
        raise BundleError(f"{root} is not a show bundle: {MANIFEST} not found")
    bundle = bundle_of(root, mf.read_bytes())
    missing = [p for p in bundle.files if not (root / p).is_file()]
    if missing:
        raise BundleError(f"the manifest references files that are missing: {', '.join(sorted(missing)[:5])}")
    if verify:
        expected = {p: (sha, bundle.sizes.get(p)) for p, sha in bundle.files.items() if sha}
        verify_files(root, expected, progress=progress)
    return bundle


def verify_files(root: Path, expected: dict[str, tuple[str, int | None]], *,
                 progress: Callable[[int, int], None] | None = None, workers: int | None = None) -> None:
    """Check ``path -> (sha256, bytes)`` under ``root``; raise BundleError naming the first mismatch.

    Files are hashed in a few threads (hashlib releases the GIL), large ones
    first; ``progress(done_bytes, total_bytes)`` is called as it goes."""
    sizes: dict[str, int] = {}
    for path, (_, size) in sorted(expected.items()):
        actual = os.stat(root / path).st_size
        if size is not None and actual != size:
            raise BundleError(f"{path}: {actual} bytes on disk, the manifest says {size}: the bundle is damaged "
                              "or was changed after rendering (render it again)")
        sizes[path] = actual
    total = sum(sizes.values())
    done = 0
    if progress:
        progress(0, total)

    def digest(path: str) -> tuple[str, str]:
        with open(root / path, "rb") as fh:
            return path, hashlib.file_digest(fh, "sha256").hexdigest()

    order = sorted(expected, key=lambda p: -sizes[p])  # large files first, so that the threads finish together
    pool = ThreadPoolExecutor(max_workers=workers or min(4, os.cpu_count() or 1))
    try:
        for path, sha in pool.map(digest, order):
            if sha != expected[path][0]:
                raise BundleError(f"{path}: its sha256 differs from the manifest's: the bundle is damaged or was "
                                  "changed after rendering (render it again)")
            done += sizes[path]
            if progress:
                progress(done, total)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
