"""A bundle's private settings files (``.flashmob-*.json``): read one as a typed record.

The render writes them beside the manifest for the conductor and the print kit
(:mod:`.safety`, :mod:`.signups`); they are never served. :func:`read_record_file`
is the one reader: absent -> None; unreadable, too large, not JSON, not the
record -> the caller's error class, naming the file and what to do (render again).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .jsonshape import JsonShapeError, check_json
from .records import RecordError, parse


def read_record_file(path: Path, cls: type, *, max_bytes: int, what: str,
                     error: type[Exception]) -> Any | None:
    """Record ``cls`` parsed from ``path`` (at most ``max_bytes``); None when there is no file.
    Every other failure raises ``error`` with the path, and the message says ``what`` it is not."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise error(f"{path}: cannot be read: {exc.strerror}") from None
    if len(raw) > max_bytes:
        raise error(f"{path}: larger than {max_bytes} bytes: not a {what}")
    try:
        obj = json.loads(raw)
        check_json(obj, name=what)
        return parse(cls, obj)
    except (ValueError, RecursionError, JsonShapeError, RecordError) as exc:
        raise error(f"{path}: {str(exc)[:300]} (render the show again to rewrite it)") from None
