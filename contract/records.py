"""Typed JSON records: one definition gives the writer, the parser and the JSON Schema.

A *record* is a frozen dataclass whose fields carry a :class:`Rule` (through
:func:`spec`).  From that one definition:

* :func:`write` turns a record into a JSON-ready dict: keys in field order
  (part of the format), ``None`` written as ``null`` unless the rule says
  ``omit_none``, nested records and tuples recursively.
* :func:`parse` turns JSON (``dict``/``list``/``str``/``int``...) into the
  record, or raises :class:`RecordError` whose message starts with the field
  path (``groups[0].segments[3].samples``) and says what was expected
  (``must be a whole number from 1 to 33177600000, got -1``).  A field with a
  default may be absent (the default is the reader's); unknown keys are
  ignored (readers ignore what they do not know).
* :func:`schema` is the JSON Schema (draft 2020-12) of a record: records are
  ``$defs`` entries, a field without a default is ``required``.

Supported field types: ``str``, ``int`` (never ``bool``), ``float`` (an
``int`` is accepted), ``bool``, ``X | None``, ``tuple[X, ...]``, a record,
``dict`` (any JSON object) and ``Any`` (any JSON value).  Patterns are written
so that Python's ``re.fullmatch`` and JavaScript's ``RegExp`` agree
(``^...$``, no Python-only syntax).  A record may define ``_check(self, where)``
for rules between its fields; it raises :class:`RecordError` too.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from dataclasses import MISSING, dataclass
from typing import Any, Callable


class RecordError(ValueError):
    """A JSON value does not fit its record: the message names the field path."""


@dataclass(frozen=True)
class Rule:
    """What a field's value may be, beyond its type (see the module docstring)."""

    doc: str = ""
    key: str | None = None                 # the JSON key, when it is not the field name
    minimum: int | float | None = None
    maximum: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    enum: tuple[Any, ...] | None = None    # the allowed values (the schema's "enum")
    pattern: str | None = None             # anchored (^...$), checked with re.fullmatch
    expected: str | None = None            # how to say what the pattern (or const) accepts
    const: Any = None                      # the one allowed value (when not None)
    omit_none: bool = False                # the writer leaves the key out when the value is None
    default_from: str | None = None        # absent: take this (earlier) field's parsed value
    text_or_number: bool = False           # a number is read as its text (hand-written event blocks)
    check: Callable[[Any, str], None] | None = None  # extra rule: raise RecordError naming ``where``


def spec(doc: str = "", *, default: Any = MISSING, default_factory: Any = MISSING, **rule: Any) -> Any:
    """A dataclass field with its :class:`Rule` (and, when given, the reader's default)."""
    meta = {"rule": Rule(doc=doc, **rule)}
    if default_factory is not MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def rule_of(f: dataclasses.Field) -> Rule:
    return f.metadata.get("rule") or Rule()


def json_key(f: dataclasses.Field) -> str:
    return rule_of(f).key or f.name


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _optional(tp: Any) -> tuple[Any, bool]:
    """(inner type, True) for ``X | None``; (tp, False) otherwise."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0], True
    return tp, False


def _shown(value: Any) -> str:
    return repr(value)[:40]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ------------------------------------------------------------------ parser


@dataclass(frozen=True)
class _Kind:
    """A field type, analysed once: ``tag`` is one of any/object/list/record/bool/int/float/str."""

    tag: str
    nullable: bool
    inner: Any                      # the type without None
    item: "_Kind | None" = None     # list items


@dataclass(frozen=True)
class _Field:
    name: str
    key: str
    rule: Rule
    kind: _Kind
    required: bool


def _kind(tp: Any) -> _Kind:
    inner, nullable = _optional(tp)
    if inner is Any:
        return _Kind("any", nullable, inner)
    if inner is dict or typing.get_origin(inner) is dict:
        return _Kind("object", nullable, inner)
    if typing.get_origin(inner) is tuple:
        return _Kind("list", nullable, inner, _kind(typing.get_args(inner)[0]))
    if dataclasses.is_dataclass(inner):
        return _Kind("record", nullable, inner)
    for t, tag in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if inner is t:
            return _Kind(tag, nullable, inner)
    raise TypeError(f"records cannot hold {tp!r}")  # pragma: no cover - a programming error


_PLANS: dict[type, tuple[_Field, ...]] = {}


def _plan(cls: type) -> tuple[_Field, ...]:
    """The fields of record ``cls``, analysed once per class (parsing is on the conductor's start path)."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = _hints(cls)
        plan = tuple(_Field(f.name, json_key(f), rule_of(f), _kind(hints[f.name]),
                            f.default is MISSING and f.default_factory is MISSING)
                     for f in dataclasses.fields(cls))
        _PLANS[cls] = plan
    return plan


def parse(cls: type, obj: Any, path: str = "") -> Any:
    """JSON -> record ``cls`` (see the module docstring); ``path`` prefixes error messages."""
    if not isinstance(obj, dict):
        raise RecordError(f"{path or 'the value'} must be an object, got {type(obj).__name__}")
    values: dict[str, Any] = {}
    for f in _plan(cls):
        if f.key not in obj:
            if f.rule.default_from:
                values[f.name] = values[f.rule.default_from]
            elif f.required:
                raise RecordError(f"{_join(path, f.key)} is missing")
            continue
        values[f.name] = _value(f.kind, obj[f.key], path, f.key, f.rule)
    record = cls(**values)
    check = getattr(record, "_check", None)
    if check is not None:
        check(path)
    return record


_ITEM_RULES: dict[int, Rule] = {}  # by id: rules live as long as their record classes


def _item_rule(rule: Rule) -> Rule:
    """A list's rule for its items: the range applies to each (lists of numbers)."""
    item = _ITEM_RULES.get(id(rule))
    if item is None:
        item = _ITEM_RULES[id(rule)] = Rule(minimum=rule.minimum, maximum=rule.maximum)
    return item


def _value(kind: _Kind, value: Any, path: str, key: str | int, rule: Rule) -> Any:
    """``value`` at ``path`` + ``key`` (the path string is only built for an error or a nested record)."""
    tag = kind.tag
    # the common cases first, without building the path
    if tag == "int" and type(value) is int and rule.enum is None and rule.check is None \
            and (rule.minimum is None or value >= rule.minimum) and (rule.maximum is None or value <= rule.maximum):
        return value
    if tag == "str" and type(value) is str and rule.check is None and rule.pattern is None and rule.const is None \
            and rule.enum is None and rule.max_length is None and rule.min_length is None:
        return value
    where = f"{path}[{key}]" if isinstance(key, int) else _join(path, key)
    if value is None:
        if kind.nullable:
            return None
        raise RecordError(f"{where} must be {_expected(kind.inner, rule)}, got null")
    if rule.const is not None and value != rule.const:
        raise RecordError(f"{where} must be {rule.expected or _shown(rule.const)}")
    out = _typed(kind, value, where, rule)
    if rule.enum is not None and out not in rule.enum:
        raise RecordError(f"{where} must be one of {', '.join(map(repr, rule.enum))}, got {_shown(value)}")
    if rule.check is not None and tag != "str":  # a text's check runs in _text, before its pattern
        rule.check(out, where)
    return out


def _expected(tp: Any, rule: Rule) -> str:
    if rule.expected:
        return rule.expected
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false"}.get(tp, "a value")


def _typed(kind: _Kind, value: Any, where: str, rule: Rule) -> Any:
    tag = kind.tag
    if tag == "any":
        return value
    if tag == "object":
        if not isinstance(value, dict):
            raise RecordError(f"{where} must be an object, got {type(value).__name__}")
        return value
    if tag == "list":
        if not isinstance(value, list):
            raise RecordError(f"{where} must be a list, got {type(value).__name__}")
        if rule.min_items is not None and len(value) < rule.min_items:
            raise RecordError(f"{where} is empty" if rule.min_items == 1
                              else f"{where}: at least {rule.min_items} items, got {len(value)}")
        if rule.max_items is not None and len(value) > rule.max_items:
            raise RecordError(f"{where}: at most {rule.max_items} items, got {len(value)}")
        item = kind.item
        assert item is not None
        item_rule = Rule() if item.tag == "record" else _item_rule(rule)
        return tuple([_value(item, v, where, i, item_rule) for i, v in enumerate(value)])
    if tag == "record":
        if not isinstance(value, dict):
            raise RecordError(f"{where} must be an object, got {type(value).__name__}")
        return parse(kind.inner, value, where)
    if tag == "bool":
        if type(value) is not bool:
            raise RecordError(f"{where} must be true or false, got {_shown(value)}")
        return value
    if tag == "int":
        return _number(value, where, rule, whole=True)
    if tag == "float":
        return float(_number(value, where, rule, whole=False))
    return _text(value, where, rule)


def _number(value: Any, where: str, rule: Rule, *, whole: bool) -> int | float:
    lo, hi = rule.minimum, rule.maximum
    ok_type = type(value) is int or (not whole and type(value) is float and math.isfinite(value))
    if not ok_type or (lo is not None and value < lo) or (hi is not None and value > hi):
        what = "a whole number" if whole else "a number"
        if lo is not None and hi is not None:
            what += f" from {lo} to {hi}"
        elif lo is not None:
            what += f" of at least {lo}"
        raise RecordError(f"{where} must be {what}, got {_shown(value)}")
    return value


def _text(value: Any, where: str, rule: Rule) -> str:
    if rule.text_or_number and type(value) in (int, float):
        value = str(value)
    if not isinstance(value, str):
        raise RecordError(f"{where} must be {rule.expected or 'text'}, not {type(value).__name__}")
    lo, hi = rule.min_length, rule.max_length
    if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
        span = f"of {lo}-{hi} characters" if lo is not None and hi is not None else f"of at most {hi} characters"
        raise RecordError(f"{where} must be a text {span}")
    if rule.check is not None:
        rule.check(value, where)
    if rule.pattern is not None and not re.fullmatch(rule.pattern, value):
        raise RecordError(f"{where} must be {rule.expected or 'text matching ' + rule.pattern}, got {_shown(value)}")
    return value


# ------------------------------------------------------------------ writer


def write(record: Any) -> dict[str, Any]:
    """Record -> JSON-ready dict (keys in field order; see the module docstring)."""
    out: dict[str, Any] = {}
    for f in _plan(type(record)):
        value = getattr(record, f.name)
        if value is None:
            if not f.rule.omit_none:
                out[f.key] = None
            continue
        out[f.key] = _out(value)
    return out


def _out(value: Any) -> Any:
    if type(value) in (int, str, float, bool):
        return value
    if isinstance(value, (tuple, list)):
        return [_out(v) for v in value]
    if isinstance(value, dict):
        return {k: _out(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return write(value)
    return value


# ------------------------------------------------------------------ JSON Schema


def schema(cls: type, *, title: str, schema_id: str | None = None, doc: str = "") -> dict[str, Any]:
    """The JSON Schema of record ``cls`` (draft 2020-12), its nested records under ``$defs``."""
    defs: dict[str, Any] = {}
    root = _record_schema(cls, defs)
    out: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if schema_id:
        out["$id"] = schema_id
    out["title"] = title
    if doc:
        out["description"] = doc
    out.update({k: v for k, v in root.items() if k != "description"})
    out["$defs"] = dict(sorted(defs.items()))
    return out


def _record_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    props: dict[str, Any] = {}
    required = []
    for f in dataclasses.fields(cls):
        rule, key = rule_of(f), json_key(f)
        props[key] = _field_schema(hints[f.name], rule, defs)
        if f.default is MISSING and f.default_factory is MISSING and not rule.default_from:
            required.append(key)
        elif f.default is not MISSING and f.default is not None:
            props[key]["default"] = _out(f.default)
    out: dict[str, Any] = {"type": "object"}
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    if doc:
        out["description"] = " ".join(doc.split())
    out["properties"] = props
    out["required"] = required
    return out


def _field_schema(tp: Any, rule: Rule, defs: dict[str, Any]) -> dict[str, Any]:
    inner, nullable = _optional(tp)
    s = _type_schema(inner, rule, defs)
    if rule.const is not None:
        s = {"const": rule.const}
    if rule.enum is not None:
        s = {**s, "enum": list(rule.enum)}
    if nullable:
        s = {"anyOf": [s, {"type": "null"}]}
    if rule.doc:
        s = {"description": rule.doc, **s}
    return s


def _type_schema(tp: Any, rule: Rule, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is Any:
        return {}
    if tp is dict or typing.get_origin(tp) is dict:
        return {"type": "object"}
    if typing.get_origin(tp) is tuple:
        item = typing.get_args(tp)[0]
        item_rule = Rule(minimum=rule.minimum, maximum=rule.maximum) if not dataclasses.is_dataclass(item) else Rule()
        s: dict[str, Any] = {"type": "array", "items": _field_schema(item, item_rule, defs)}
        if rule.min_items is not None:
            s["minItems"] = rule.min_items
        if rule.max_items is not None:
            s["maxItems"] = rule.max_items
        return s
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder: a record may (indirectly) hold itself
            defs[name] = _record_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    if tp is bool:
        return {"type": "boolean"}
    if tp in (int, float):
        s = {"type": "integer" if tp is int else "number"}
        if rule.minimum is not None:
            s["minimum"] = rule.minimum
        if rule.maximum is not None:
            s["maximum"] = rule.maximum
        return s
    if tp is str:
        s = {"type": ["string", "number"] if rule.text_or_number else "string"}
        if rule.min_length is not None:
            s["minLength"] = rule.min_length
        if rule.max_length is not None:
            s["maxLength"] = rule.max_length
        if rule.pattern is not None:
            s["pattern"] = rule.pattern
        return s
    raise TypeError(f"records cannot hold {tp!r}")  # pragma: no cover - a programming error
