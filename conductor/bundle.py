"""Loading and validating a rendered show bundle (docs/bundle-format.md).

:func:`load_bundle` reads ``manifest.json``, checks the fields the conductor
relies on, and returns a frozen :class:`Bundle`: show id, title, duration in
integer microseconds, the groups (id, name, colour, share) and the allow-list
of files that may be served (every path the manifest references, with its
sha256 when it has one — those are content-addressed and cached for long).
``revision`` is a digest of the manifest bytes: it changes whenever any file
changes, and is part of every bundle URL (``/bundle/<revision>/...``).
Errors name the offending field.  Values are range-checked and every file
with a sha256 is hashed and compared at load (:mod:`conductor.bundlecheck`):
a damaged or edited bundle is refused, naming the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from collections.abc import Callable
from typing import Any

from flashmob.tools.score.colours import is_manifest_colour

from .bundlecheck import MAX_MANIFEST_BYTES, check_values, verify_files

MANIFEST = "manifest.json"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_GROUP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_COLOUR = "#888888"
MAX_NAME_CHARS = 500


class BundleError(ValueError):
    pass


@dataclass(frozen=True)
class GroupInfo:
    id: str
    name: str
    colour: str
    share: int


@dataclass(frozen=True)
class Bundle:
    root: Path
    manifest: dict[str, Any]
    revision: str
    show_id: str
    title: str
    duration_us: int
    groups: tuple[GroupInfo, ...]
    files: dict[str, str | None]  # relative posix path -> sha256 (or None)
    sizes: dict[str, int] = field(default_factory=dict)  # relative posix path -> bytes, when the manifest says

    def group(self, group_id: str) -> GroupInfo | None:
        return next((g for g in self.groups if g.id == group_id), None)

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)


def _req(obj: dict, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise BundleError(f"{MANIFEST}: {where}{key} is missing")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise BundleError(f"{MANIFEST}: {where}{key} has the wrong type ({type(value).__name__})")
    return value


def _rel_path(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise BundleError(f"{MANIFEST}: {where} must be a relative path")
    p = PurePosixPath(value)
    if p.is_absolute() or ".." in p.parts or "\\" in value or "\x00" in value:
        raise BundleError(f"{MANIFEST}: {where} escapes the bundle: {value!r}")
    return str(p)


def _collect_paths(obj: Any, where: str, files: dict[str, str | None], sizes: dict[str, int]) -> None:
    """Every ``{"path": ..., "sha256": ..., "bytes": ...}`` object anywhere in the manifest."""
    if isinstance(obj, dict):
        if isinstance(obj.get("path"), str):
            sha = obj.get("sha256")
            rel = _rel_path(obj["path"], where + ".path")
            files[rel] = sha if isinstance(sha, str) and _SHA256.match(sha) else None
            if type(obj.get("bytes")) is int:
                sizes[rel] = obj["bytes"]
        for k, v in obj.items():
            _collect_paths(v, f"{where}.{k}", files, sizes)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _collect_paths(v, f"{where}[{i}]", files, sizes)


def parse_manifest(root: Path, raw: bytes) -> Bundle:
    if len(raw) > MAX_MANIFEST_BYTES:
        raise BundleError(f"{MANIFEST} is {len(raw)} bytes: the limit is {MAX_MANIFEST_BYTES}")
    try:
        manifest = json.loads(raw)
    except RecursionError:
        raise BundleError(f"{MANIFEST} is nested too deeply to be a show bundle") from None
    except ValueError as exc:
        raise BundleError(f"{MANIFEST} is not JSON: {str(exc)[:200]}") from None
    if not isinstance(manifest, dict):
        raise BundleError(f"{MANIFEST} must hold an object")
    if manifest.get("format") != "flashmob-bundle":
        raise BundleError(f'{MANIFEST}: format must be "flashmob-bundle"')
    version = _req(manifest, "version", int, "")
    if version != 1:
        raise BundleError(f"{MANIFEST}: version {version} is not supported (this conductor reads version 1)")
    check_values(manifest)  # depth, text, numeric ranges: a clear message, never a traceback later
    show_id = _req(manifest, "show_id", str, "")
    if not re.match(r"^[A-Za-z0-9_-]{1,64}$", show_id):
        raise BundleError(f"{MANIFEST}: show_id must be 1-64 letters, digits, '-' or '_'")
    title = _req(manifest, "title", str, "")
    duration = _req(manifest, "duration", dict, "")
    if "samples" in duration and "sample_rate" in manifest:
        samples = _req(duration, "samples", int, "duration.")
        rate = _req(manifest, "sample_rate", int, "")
        if rate <= 0:
            raise BundleError(f"{MANIFEST}: sample_rate must be positive")
        duration_us = -(-samples * 1_000_000 // rate)  # ceil, exact integer
    else:
        duration_us = _req(duration, "ms", int, "duration.") * 1000
    if duration_us <= 0:
        raise BundleError(f"{MANIFEST}: duration must be positive")
    groups_raw = _req(manifest, "groups", list, "")
    if not groups_raw:
        raise BundleError(f"{MANIFEST}: groups is empty")
    groups: list[GroupInfo] = []
    for i, g in enumerate(groups_raw):
        where = f"groups[{i}]."
        gid = _req(g, "id", str, where)
        if not _GROUP_ID.match(gid):
            raise BundleError(f"{MANIFEST}: {where}id must be 1-64 letters, digits, '-' or '_'")
        if any(x.id == gid for x in groups):
            raise BundleError(f"{MANIFEST}: group id {gid!r} appears twice")
        share = g.get("share", 1)
        if not isinstance(share, int) or isinstance(share, bool) or share < 0:
            raise BundleError(f"{MANIFEST}: {where}share must be a non-negative integer")
        name = g.get("name", gid)
        if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_CHARS:
            raise BundleError(f"{MANIFEST}: {where}name must be a text of 1-{MAX_NAME_CHARS} characters")
        colour = g.get("colour", DEFAULT_COLOUR)
        if not is_manifest_colour(colour):
            raise BundleError(f'{MANIFEST}: {where}colour must be "#rrggbb" in lower case (as flashmob render '
                              f"writes it), got {str(colour)[:40]!r}")
        groups.append(GroupInfo(id=gid, name=name, colour=colour, share=share))
    if not any(g.share > 0 for g in groups):
        raise BundleError(f"{MANIFEST}: at least one group needs a positive share")
    files: dict[str, str | None] = {MANIFEST: None}
    sizes: dict[str, int] = {}
    _collect_paths(manifest, "manifest", files, sizes)
    for i, g in enumerate(groups_raw):
        for key in ("captions", "cover"):
            if key in g:
                files.setdefault(_rel_path(g[key], f"groups[{i}].{key}"), None)
    return Bundle(root=root, manifest=manifest, revision=hashlib.sha256(raw).hexdigest()[:16],
                  show_id=show_id, title=title, duration_us=duration_us, groups=tuple(groups), files=files,
                  sizes=sizes)


def load_bundle(path: str | Path, *, verify: bool = True,
                progress: Callable[[int, int], None] | None = None) -> Bundle:
    """Read, validate and (``verify``) check every file's sha256 and size against the manifest."""
    root = Path(path).resolve()
    mf = root / MANIFEST
    if not mf.is_file():
        raise BundleError(f"{root} is not a show bundle: {MANIFEST} not found")
    bundle = parse_manifest(root, mf.read_bytes())
    missing = [p for p in bundle.files if not (root / p).is_file()]
    if missing:
        raise BundleError(f"the manifest references files that are missing: {', '.join(sorted(missing)[:5])}")
    if verify:
        expected = {p: (sha, bundle.sizes.get(p)) for p, sha in bundle.files.items() if sha}
        verify_files(root, expected, progress=progress)
    return bundle
