"""Typed JSON records, validated strictly: the generic half of the wire protocol.

A *record* is a frozen dataclass (:data:`record`) whose fields carry their
bounds as metadata (:func:`spec`, :func:`items`).  :func:`build` turns a decoded
JSON object into one, refusing with :class:`Invalid` (a sentence naming the
field path and what was expected) anything that is not exactly of the declared
types; :func:`plain` and :func:`dumps` go the other way; :func:`describe` reads
the same declarations as plain data, for generators of the other side
(``conductor/wirejs.py`` writes the browser's tables from it).

Rules (the protocol's conventions, docs/protocol.md):

* supported field types: ``int``, ``str``, ``bool``, ``dict`` (any object),
  a ``str``-valued :class:`~enum.Enum` (its values are the choices), a nested
  record, ``tuple[T, ...]`` (a JSON array) and ``T | None``;
* integers are JSON integers (not floats, not booleans) within ±2**53, so that
  JavaScript reads them exactly; ``min`` bounds them;
* strings are bounded by ``min_len`` / ``max_len`` (code points) and may be
  restricted to ``choices``;
* a field without a default (or declared ``required``) must be present;
  unknown fields are ignored;
* no string (value or key, at any depth) may hold a lone UTF-16 surrogate.

Nothing here knows a message type, an endpoint or an error code: that is
``conductor/messages.py``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

MAX_SAFE_INT = 2**53 - 1
"""Largest integer JavaScript represents exactly (``Number.MAX_SAFE_INTEGER``)."""

record = dataclass(frozen=True, kw_only=True)
"""Decorator of every record: immutable, keyword-only construction."""


class Invalid(ValueError):
    """A JSON value that is not of the declared record type; ``message`` says
    where (the field path) and what was expected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def meta(*, max_len: int | None = None, min_len: int | None = None,
         choices: tuple[str, ...] | None = None, min: int | None = None,
         max_items: int | None = None, required: bool = False) -> dict[str, Any]:
    """The metadata dict of a field (every key present, unset ones None).
    ``required=True`` makes a field with a Python default required in JSON
    all the same (a constructor convenience that the wire does not share)."""
    return {"max_len": max_len, "min_len": min_len, "choices": choices, "min": min, "max_items": max_items,
            "required": required}


def is_required(f: dataclasses.Field) -> bool:
    """Must the field be present in JSON?  (No default, or ``required=True``.)"""
    no_default = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    return no_default or bool((f.metadata or {}).get("required"))


def spec(default: Any = dataclasses.MISSING, **bounds: Any) -> Any:
    """A record field with bounds (see :func:`meta`); no default = required."""
    if default is dataclasses.MISSING:
        return field(metadata=meta(**bounds))
    return field(default=default, metadata=meta(**bounds))


def items(**bounds: Any) -> Any:
    """A list field (``tuple[T, ...]``) defaulting to an empty tuple."""
    return field(default=(), metadata=meta(**bounds))


# --------------------------------------------------------------------------- reading


def hints(cls: type) -> dict[str, Any]:
    """The resolved type of each field of a record class (cached on the class)."""
    cached = cls.__dict__.get("_strict_hints")
    if cached is None:
        names = {f.name for f in dataclasses.fields(cls)}
        cached = {k: v for k, v in typing.get_type_hints(cls).items() if k in names}
        setattr(cls, "_strict_hints", cached)
    return cached


def _is_enum(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, Enum)


@functools.cache
def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(the type without ``| None``, whether None is allowed)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {hint!r}: only T | None")  # programming error
        return inner[0], len(inner) < len(args)
    return hint, False


def _fail(path: str, expected: str, got: Any) -> Invalid:
    shown = type(got).__name__ if not isinstance(got, (str, int, float)) or isinstance(got, bool) else repr(got)[:40]
    return Invalid(f"{path}: expected {expected}, got {shown}")


def _convert(value: Any, hint: Any, path: str, bounds: dict[str, Any]) -> Any:
    hint, nullable = _unwrap(hint)
    if value is None:
        if nullable:
            return None
        raise _fail(path, "a value", None)
    if hint is int:
        if type(value) is not int:
            raise _fail(path, "an integer", value)
        if not -MAX_SAFE_INT <= value <= MAX_SAFE_INT:
            raise _fail(path, "an integer within ±2**53", value)
        if bounds.get("min") is not None and value < bounds["min"]:
            raise _fail(path, f"an integer >= {bounds['min']}", value)
        return value
    if hint is str:
        if type(value) is not str:
            raise _fail(path, "a string", value)
        if bounds.get("max_len") is not None and len(value) > bounds["max_len"]:
            raise _fail(path, f"at most {bounds['max_len']} characters", f"{len(value)} characters")
        if bounds.get("min_len") is not None and len(value) < bounds["min_len"]:
            raise _fail(path, f"at least {bounds['min_len']} characters", value)
        if bounds.get("choices") is not None and value not in bounds["choices"]:
            raise _fail(path, "one of " + ", ".join(bounds["choices"]), value)
        return value
    if hint is bool:
        if type(value) is not bool:
            raise _fail(path, "true or false", value)
        return value
    if hint is dict:
        if type(value) is not dict:
            raise _fail(path, "an object", value)
        return value
    if _is_enum(hint):
        values = [e.value for e in hint]
        if type(value) is not str or value not in values:
            raise _fail(path, "one of " + ", ".join(values), value)
        return hint(value)
    if typing.get_origin(hint) is tuple:
        if type(value) is not list:
            raise _fail(path, "an array", value)
        if bounds.get("max_items") is not None and len(value) > bounds["max_items"]:
            raise _fail(path, f"at most {bounds['max_items']} items", f"{len(value)} items")
        item = typing.get_args(hint)[0]
        return tuple(_convert(v, item, f"{path}[{i}]", {}) for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        if type(value) is not dict:
            raise _fail(path, "an object", value)
        return _build(hint, value, path)
    raise TypeError(f"unsupported record field type {hint!r} at {path}")  # programming error


_PLANS: dict[type, tuple[tuple[str, Any, bool, dict[str, Any]], ...]] = {}


def _plan(cls: type) -> tuple[tuple[str, Any, bool, dict[str, Any]], ...]:
    """(name, type, required, bounds) of each field, computed once per class."""
    plan = _PLANS.get(cls)
    if plan is None:
        types_ = hints(cls)
        plan = _PLANS[cls] = tuple((f.name, types_[f.name], is_required(f), dict(f.metadata))
                                   for f in dataclasses.fields(cls))
    return plan


def _build(cls: type, obj: dict[str, Any], path: str) -> Any:
    kwargs: dict[str, Any] = {}
    for name, hint, required, bounds in _plan(cls):
        sub = f"{path}.{name}" if path else name
        if name not in obj:
            if required:
                raise Invalid(f"{sub}: missing (required)")
            continue
        kwargs[name] = _convert(obj[name], hint, sub, bounds)
    return cls(**kwargs)


def build(cls: type, obj: dict[str, Any], path: str = "") -> Any:
    """The record ``cls`` read from the decoded JSON object ``obj`` (fields not
    declared are ignored), or :class:`Invalid`.  ``path`` prefixes field names
    in messages."""
    try:
        return _build(cls, obj, path)
    except RecursionError:  # absurdly nested values inside a known field
        raise Invalid("value nested too deeply") from None


def _unencodable(s: str) -> bool:
    if s.isascii():
        return False
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_unencodable(obj: Any) -> None:
    """Raise :class:`Invalid` for any string (value or key, at any depth) that
    UTF-8 cannot encode.

    JSON text may spell lone UTF-16 surrogates (``"\\ud800"``); Python decodes
    them into a ``str`` that no socket can send back.  Such a string is refused
    before anything reads the value, so it can never be stored and poison a
    later broadcast (issue 10, defect 1).  Noncharacters, NUL, controls and
    bidi overrides are valid Unicode: they pass, as text."""
    stack: list[tuple[Any, str]] = [(obj, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _unencodable(value):
                raise Invalid(f"{path or 'a key'}: text with a lone UTF-16 surrogate "
                              "(an unpaired \\ud800-\\udfff escape) is not valid Unicode")
        elif isinstance(value, dict):
            for k, v in value.items():
                if _unencodable(k):
                    raise Invalid(f"{path or 'the object'}: a key with a lone UTF-16 surrogate "
                                  "(an unpaired \\ud800-\\udfff escape) is not valid Unicode")
                stack.append((v, f"{path}.{k}" if path else k))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))


# --------------------------------------------------------------------------- writing


_LEAVES = frozenset({str, int, bool, float, type(None), dict})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def plain(value: Any) -> Any:
    """The JSON-ready form of a record (dicts, lists, enum values), recursively."""
    cls = type(value)
    if cls in _LEAVES:  # the common case first: this runs for every value of every frame sent
        return value
    if hasattr(cls, "__dataclass_fields__"):
        return {name: plain(getattr(value, name)) for name in _field_names(cls)}
    if cls is tuple or cls is list:
        return [plain(x) for x in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [plain(x) for x in value]
    return value


def dumps(obj: Any) -> str:
    """Compact JSON text of a JSON-ready object, always encodable as UTF-8:
    should a string that UTF-8 cannot encode be in it, the text is written with
    ASCII escapes instead (``\\ud800``), which every JSON reader accepts."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    if _unencodable(text):
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
    return text


# --------------------------------------------------------------------------- describing


def _type_name(hint: Any) -> dict[str, Any]:
    if _is_enum(hint):
        return {"t": "str", "choices": [e.value for e in hint]}
    if typing.get_origin(hint) is tuple:
        item, _ = _unwrap(typing.get_args(hint)[0])
        return {"t": "list", "of": _type_name(item)["t"]}
    if dataclasses.is_dataclass(hint):
        return {"t": hint.__name__}
    if hint in (int, str, bool, dict):
        return {"t": hint.__name__}
    raise TypeError(f"unsupported record field type {hint!r}")  # programming error


def describe(cls: type) -> dict[str, dict[str, Any]]:
    """Each field of a record class as plain data, in declaration order:
    ``{"t": int|str|bool|dict|list|<record class name>, "req": bool, "nul": bool}``
    plus, when set, ``of`` (item type of a list), ``min``, ``minLen``, ``maxLen``,
    ``maxItems`` and ``choices`` (the names the browser's tables use)."""
    out: dict[str, dict[str, Any]] = {}
    types_ = hints(cls)
    for f in dataclasses.fields(cls):
        hint, nullable = _unwrap(types_[f.name])
        d = _type_name(hint)
        d["req"] = is_required(f)
        d["nul"] = nullable
        bounds = f.metadata or {}
        for py, js in (("min", "min"), ("min_len", "minLen"), ("max_len", "maxLen"), ("max_items", "maxItems")):
            if bounds.get(py) is not None:
                d[js] = bounds[py]
        if bounds.get("choices") is not None:
            d["choices"] = list(bounds["choices"])
        out[f.name] = {k: d[k] for k in ("t", "req", "nul", "of", "min", "minLen", "maxLen", "maxItems", "choices")
                       if k in d}
    return out


def nested(cls: type) -> list[type]:
    """The record classes reachable from ``cls``'s fields (depth first, each once)."""
    seen: list[type] = []

    def walk(c: type) -> None:
        for hint in hints(c).values():
            hint, _ = _unwrap(hint)
            if typing.get_origin(hint) is tuple:
                hint, _ = _unwrap(typing.get_args(hint)[0])
            if dataclasses.is_dataclass(hint) and hint not in seen:
                seen.append(hint)
                walk(hint)

    walk(cls)
    return seen
