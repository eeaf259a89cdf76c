"""What the conductor checks in a bundle before serving it (beyond the fields it reads).

Contract
--------
* :func:`check_values` walks the parsed manifest once: nesting at most
  ``MAX_DEPTH`` levels, every string encodable as UTF-8 (a lone surrogate
  from a ``\\ud800`` escape would break every frame it reaches), and the
  numbers phones compute with within sane ranges (``LIMITS``): sample rate,
  durations, segment positions and sizes, cue and silence times, shares,
  counts.  Each problem raises :class:`~conductor.bundle.BundleError` naming
  the field (``groups[0].segments[3].samples``) and the allowed range.
* :func:`verify_files` checks every file the manifest gives a sha256 for
  (and its ``bytes`` when given) against the file on disk, and refuses the
  bundle naming the first file that differs.  Files are hashed in a few
  threads (hashlib releases the GIL); ``progress(done_bytes, total_bytes)``
  is called as it goes so the shell can show progress on big bundles.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 32
MAX_DURATION_MS = 24 * 3600 * 1000  # one day: far above any show, far below 2**53 µs
MAX_GROUPS = 1000
MAX_TITLE_CHARS = 500
LIMITS = {  # name: (lowest, highest) for integers the conductor or the phones compute with
    "sample_rate": (8_000, 384_000),
    "duration.ms": (1, MAX_DURATION_MS),
    "share": (0, 1_000_000),
    "first_sample": (0, MAX_DURATION_MS * 384),
    "samples": (1, MAX_DURATION_MS * 384),
    "bytes": (0, 1 << 40),
    "start_ms": (0, MAX_DURATION_MS),
    "end_ms": (0, MAX_DURATION_MS),
    "duration_ms": (0, MAX_DURATION_MS),
}


def _error(message: str) -> Exception:
    from .bundle import MANIFEST, BundleError

    return BundleError(f"{MANIFEST}: {message}")


def _int_in(value: Any, where: str, key: str, *, optional: bool = True) -> None:
    if value is None and optional:
        return
    lo, hi = LIMITS[key]
    if type(value) is not int or not lo <= value <= hi:
        shown = repr(value)[:40]
        raise _error(f"{where} must be a whole number from {lo} to {hi}, got {shown}")


def _walk(manifest: Any) -> None:
    """Depth and text encodability of every value (iterative: no recursion limit involved)."""
    stack: list[tuple[Any, str, int]] = [(manifest, "manifest", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _error(f"{where}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise _error(f"{where}: text with a lone UTF-16 surrogate is not valid Unicode") from None
        elif isinstance(value, dict):
            for k, v in value.items():
                try:
                    k.encode("utf-8")
                except UnicodeEncodeError:
                    raise _error(f"{where}: a key with a lone UTF-16 surrogate is not valid Unicode") from None
                stack.append((v, f"{where}.{k}", depth + 1))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))


def _items(group: dict, key: str, where: str) -> list[dict]:
    items = group.get(key)
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise _error(f"{where}{key} must be a list of objects")
    return items


def check_values(manifest: dict) -> None:
    """Raise BundleError for the first value out of range (see the module docstring)."""
    _walk(manifest)
    title = manifest.get("title")
    if not isinstance(title, str) or len(title) > MAX_TITLE_CHARS:
        raise _error(f"title must be a text of at most {MAX_TITLE_CHARS} characters")
    if "sample_rate" in manifest:
        _int_in(manifest["sample_rate"], "sample_rate", "sample_rate", optional=False)
    duration = manifest.get("duration")
    if isinstance(duration, dict):
        if "ms" in duration:
            _int_in(duration["ms"], "duration.ms", "duration.ms", optional=False)
        if "samples" in duration:
            _int_in(duration["samples"], "duration.samples", "samples", optional=False)
            rate = manifest.get("sample_rate")
            if type(rate) is int and duration["samples"] > MAX_DURATION_MS * rate // 1000:
                raise _error(f"duration.samples is longer than {MAX_DURATION_MS // 3_600_000} hours")
    groups = manifest.get("groups")
    if isinstance(groups, list) and len(groups) > MAX_GROUPS:
        raise _error(f"at most {MAX_GROUPS} groups, got {len(groups)}")
    for i, g in enumerate(groups if isinstance(groups, list) else ()):
        if not isinstance(g, dict):
            raise _error(f"groups[{i}] must be an object")
        where = f"groups[{i}]."
        if "share" in g:
            _int_in(g["share"], where + "share", "share", optional=False)
        mp3 = g.get("mp3")
        if isinstance(mp3, dict):
            for key in ("bytes", "samples", "duration_ms"):
                _int_in(mp3.get(key), f"{where}mp3.{key}", key)
        for k, seg in enumerate(_items(g, "segments", where)):
            for key in ("first_sample", "samples", "bytes"):
                _int_in(seg.get(key), f"{where}segments[{k}].{key}", key)
        for key in ("cues", "silences"):
            for k, item in enumerate(_items(g, key, where)):
                for t in ("start_ms", "end_ms"):
                    _int_in(item.get(t), f"{where}{key}[{k}].{t}", t)
                s, e = item.get("start_ms"), item.get("end_ms")
                if type(s) is int and type(e) is int and e < s:
                    raise _error(f"{where}{key}[{k}] ends (end_ms {e}) before it starts (start_ms {s})")


def verify_files(root: Path, expected: dict[str, tuple[str, int | None]], *,
                 progress: Callable[[int, int], None] | None = None, workers: int | None = None) -> None:
    """Check ``path -> (sha256, bytes)`` under ``root``; raise BundleError naming the first mismatch."""
    from .bundle import BundleError

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

    # large files first, so that the threads finish together
    order = sorted(expected, key=lambda p: -sizes[p])
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
