"""What any JSON a reader takes in must be, before its records are read (pure).

:func:`check_json` refuses, with :class:`JsonShapeError` naming where
(``manifest.groups[0].cues[3].text``):

* nesting deeper than :data:`MAX_DEPTH` levels (a hostile file could make every
  later walk slow or recursive);
* a text or key with a lone UTF-16 surrogate (from a ``\\ud800`` escape): it is
  not Unicode, and would break every frame and page it reaches.  ``texts=False``
  skips this check when the caller knows the raw JSON holds no such escape.

It walks iteratively (no recursion limit involved) and builds paths only to
name a problem.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


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
        stack.extend([(x, depth + 1) for x in children if type(x) is dict or type(x) is list])
    if not texts:
        return
    try:  # a lone surrogate (from a \ud800 escape) is the only text JSON can hold that UTF-8 cannot
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        _find(value, name)


def _find(value: Any, name: str) -> None:
    """Raise for the first value :func:`check_json` refuses, naming where it is (iterative: no recursion limit)."""
    stack: list[tuple[Any, str, int]] = [(value, name, 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JsonShapeError(f"{where}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise JsonShapeError(f"{where}: text with a lone UTF-16 surrogate is not valid Unicode") from None
        elif isinstance(value, dict):
            for k, v in value.items():
                try:
                    k.encode("utf-8")
                except UnicodeEncodeError:
                    raise JsonShapeError(f"{where}: a key with a lone UTF-16 surrogate is not valid "
                                         "Unicode") from None
                stack.append((v, f"{where}.{k}", depth + 1))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
    raise AssertionError("check_json's quick pass refused what _find accepts")  # pragma: no cover
