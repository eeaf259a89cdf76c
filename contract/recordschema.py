"""The records' declarations as data, for the other side: JSON Schema and the wire's field tables (pure).

Both read the same :class:`~.records.Rule` declarations the parser checks
(:mod:`.records`), so what a generated file says and what the Python reader
accepts cannot drift apart:

* :func:`schema` — the JSON Schema (draft 2020-12) of a record: nested records
  are ``$defs`` entries, a field that must be present is ``required``
  (``contract/schema.py`` writes the manifest's);
* :func:`describe` — each field as the compact descriptor the browser's
  ``client_web/js/protocol.js`` checks frames with
  (``{"t", "req", "nul", "of"?, "min"?, "max"?, "minLen"?, "maxLen"?, "maxItems"?,
  "choices"?}``; ``conductor/wirejs.py`` writes ``wire.js`` from them);
  a rule those tables cannot express is refused (TypeError), so the browser
  never accepts what the conductor refuses;
* :func:`nested` — the record classes reachable from a record's fields.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import MISSING
from typing import Any

from .records import Rule, hints, is_enum, is_required, json_key, kind_of, optional, rule_of, write

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
    types_ = hints(cls)
    props: dict[str, Any] = {}
    required = []
    for f in dataclasses.fields(cls):
        rule, key = rule_of(f), json_key(f)
        props[key] = _field_schema(types_[f.name], rule, defs)
        if is_required(f):
            required.append(key)
        elif f.default is not MISSING and f.default is not None:
            props[key]["default"] = write(f.default)
    out: dict[str, Any] = {"type": "object"}
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    if doc:
        out["description"] = " ".join(doc.split())
    out["properties"] = props
    out["required"] = required
    return out


def _field_schema(tp: Any, rule: Rule, defs: dict[str, Any]) -> dict[str, Any]:
    inner, nullable = optional(tp)
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
    if is_enum(tp):
        return {"type": "string", "enum": [e.value for e in tp]}
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


# ------------------------------------------------------------------ the wire's field tables

_TAGS = {"int": "int", "str": "str", "bool": "bool", "object": "dict", "enum": "str"}
# what protocol.js checks: a rule using anything else would be checked by Python alone
_DESCRIBED = {"minimum": "min", "maximum": "max", "min_length": "minLen", "max_length": "maxLen", "max_items": "maxItems"}
_NOT_DESCRIBED = ("min_items", "pattern", "const", "check", "text_or_number", "default_from", "key")


def _type_name(tp: Any) -> dict[str, Any]:
    kind = kind_of(tp)
    if kind.tag == "enum":
        return {"t": "str", "choices": [e.value for e in kind.inner]}
    if kind.tag == "list":
        assert kind.item is not None
        return {"t": "list", "of": _type_name(kind.item.inner)["t"]}
    if kind.tag == "record":
        return {"t": kind.inner.__name__}
    if kind.tag in _TAGS:
        return {"t": _TAGS[kind.tag]}
    raise TypeError(f"the wire tables cannot describe {tp!r}")  # a programming error


def describe(cls: type) -> dict[str, dict[str, Any]]:
    """Each field of record ``cls`` as plain data, in declaration order (see the module docstring)."""
    out: dict[str, dict[str, Any]] = {}
    types_ = hints(cls)
    for f in dataclasses.fields(cls):
        rule = rule_of(f)
        for name in _NOT_DESCRIBED:
            if getattr(rule, name) not in (None, False):
                raise TypeError(f"{cls.__name__}.{f.name}: the wire tables cannot express {name}")
        inner, nullable = optional(types_[f.name])
        d = _type_name(inner)
        d["req"] = is_required(f)
        d["nul"] = nullable
        for py, js in _DESCRIBED.items():
            if getattr(rule, py) is not None:
                d[js] = getattr(rule, py)
        if rule.enum is not None:
            d["choices"] = list(rule.enum)
        out[f.name] = {k: d[k] for k in ("t", "req", "nul", "of", "min", "max", "minLen", "maxLen", "maxItems", "choices")
                       if k in d}
    return out


def nested(cls: type) -> list[type]:
    """The record classes reachable from ``cls``'s fields (depth first, each once)."""
    seen: list[type] = []

    def walk(c: type) -> None:
        for hint in hints(c).values():
            hint, _ = optional(hint)
            if typing.get_origin(hint) is tuple:
                hint, _ = optional(typing.get_args(hint)[0])
            if dataclasses.is_dataclass(hint) and hint not in seen:
                seen.append(hint)
                walk(hint)

    walk(cls)
    return seen
