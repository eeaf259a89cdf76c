"""What any JSON a reader takes in must be, before its records are read (pure).

:func:`check_json` refuses, with :class:`JsonShapeError` naming where
(``manifest.groups[0].cues[3].text``):

* nesting deeper than :data:`MAX_DEPTH` levels (a hostile file could make every
  later walk slow or recursive);
* a text or key with a lone UTF-16 surrogate (from a ``\\ud800`` escape): it is
  not Unicode, and would break every frame and page it reaches.  ``texts=False``
  skips this check when the caller knows the raw JSON holds no such escape
  (:func:`may_hold_lone_surrogate` of the raw text says so).

:func:`refuse_lone_surrogates` is the text check alone, without a depth limit:
the conductor's wire frames (``conductor/messages.py``) are refused for a lone
surrogate anywhere, even in fields no record reads, before anything is stored.
Both walk iteratively (no recursion limit involved) and build paths only to
name a problem; the paths have no root name when ``name`` is empty (``a.b``).
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32

# decoded JSON holds a lone surrogate only from a \udXXX escape, a surrogate code point already in a str,
# or (bytes: json.loads decodes UTF-8 with "surrogatepass") the 3-byte form ED A0-BF xx
_ESCAPE_TEXT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


class JsonShapeError(ValueError):
    """Too deep, or not valid Unicode: the message starts with where."""


def check_json(value: Any, *, texts: bool = True, name: str = "manifest") -> None:
    """Depth and text encodability of every value: a quick pass, then :func:`_find` for the message
    (``name`` is the root's name in it)."""
    stack: list[tuple[Any, int]] = [(value, 0)]  # containers only: leaves are checked by the encode below
    while stack:
        v, depth = stack.pop()
        children = v.values() if type(v) is dict else v
        if children and depth >= MAX_DEPTH:
            _find(value, name)
            raise AssertionError("check_json's quick pass refused what _find accepts")  # pragma: no cover
        stack.extend([(x, depth + 1) for x in children if type(x) is dict or type(x) is list])
    if not texts:
        return
    try:  # a lone surrogate (from a \ud800 escape) is the only text JSON can hold that UTF-8 cannot
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        _find(value, name)
        raise AssertionError("check_json's quick pass refused what _find accepts") from None  # pragma: no cover


def may_hold_lone_surrogate(raw: str | bytes) -> bool:
    """Could the JSON text ``raw`` decode to a lone surrogate?  False is sure (a quick test that lets
    readers skip the walk); True only means "walk it"."""
    if isinstance(raw, (bytes, bytearray)):
        return (b"\\u" in raw or not raw.isascii()) and _ESCAPE_BYTES.search(raw) is not None
    return ("\\u" in raw or not raw.isascii()) and _ESCAPE_TEXT.search(raw) is not None


def refuse_lone_surrogates(value: Any, name: str = "") -> None:
    """Raise :class:`JsonShapeError` for a text or key with a lone surrogate, at any depth."""
    _find(value, name, None)


def _unencodable(s: str) -> bool:
    if s.isascii():
        return False
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _find(value: Any, name: str, max_depth: int | None = MAX_DEPTH) -> None:
    """Raise for the first value :func:`check_json` refuses, naming where it is (iterative: no recursion
    limit); return when there is none."""
    stack: list[tuple[Any, str, int]] = [(value, name, 0)]
    while stack:
        value, where, depth = stack.pop()
        if max_depth is not None and depth > max_depth:
            raise JsonShapeError(f"{where}: nested more than {max_depth} levels deep")
        if isinstance(value, str):
            if _unencodable(value):
                raise JsonShapeError(f"{where or 'the value'}: {SURROGATE}")
        elif isinstance(value, dict):
            for k, v in value.items():
                if _unencodable(k):
                    raise JsonShapeError(f"{where or 'the object'}: a key with a lone UTF-16 surrogate "
                                         "(an unpaired \\ud800-\\udfff escape) is not valid Unicode")
                stack.append((v, f"{where}.{k}" if where else k, depth + 1))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))


SURROGATE = "text with a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape) is not valid Unicode"
