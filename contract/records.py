"""Typed JSON records: one definition gives the parser, the writer and the other side's tables.

The one mechanism for every JSON record of the project: the bundle manifest
(:mod:`.manifest`) and the conductor's wire messages (``conductor/messages.py``).
A *record* is a frozen dataclass (:data:`record`) whose fields carry a
:class:`Rule` (through :func:`spec`).  From that one definition:

* :func:`parse` turns JSON (``dict``/``list``/``str``/``int``...) into the
  record, or raises :class:`RecordError` whose message starts with the field
  path (``groups[0].segments[3].samples``) and says what was expected.  A field
  with a default may be absent (the default is the reader's) unless its rule
  says ``required``; unknown keys are ignored (readers ignore what they do not
  know).
* :func:`write` turns a record into a JSON-ready dict: keys in field order
  (part of the formats), ``None`` written as ``null`` unless the rule says
  ``omit_none``, nested records and tuples recursively, enums as their values;
  :func:`dumps` is its compact JSON text, always encodable as UTF-8.
* :mod:`.recordschema` reads the same declarations as data for the other side:
  the JSON Schema of the manifest, the field tables of the browser's ``wire.js``.

Rules every record shares: integers are JSON integers (never ``bool``, never
``1.0``) within ±2**53 so that JavaScript reads them exactly; ``float``
accepts an integer; texts are counted in code points.  Supported field types:
``str``, ``int``, ``float``, ``bool``, a ``str``-valued :class:`~enum.Enum`
(its values are the choices; parsed to the member), ``X | None``,
``tuple[X, ...]`` (a JSON array), a record, ``dict`` (any JSON object) and
``Any``.  Patterns are written so that Python's ``re.fullmatch`` and
JavaScript's ``RegExp`` agree (``^...$``).  A record may define
``_check(self, where)`` for rules between its fields; it raises
:class:`RecordError` too.  Texts are not checked for lone surrogates here: the
readers do it once on the whole document (:mod:`.jsonshape`).

Two phrasings of the same refusals (:class:`~.recordwording.Wording`), because both are
contracts of their own: :data:`MUST_BE` (``groups[0].share must be a whole
number from 0 to 1000000, got -1``: the manifest's, printed to whoever made the
bundle) and :data:`EXPECTED` (``level: expected one of info, urgent, got 'x'``:
the wire's, which ``client_web/js/protocol.js`` repeats word for word).

Two strategies, one definition: each record class is compiled once per wording
into a parser whose common cases (a value of the right type inside its bounds)
are inline tests; anything else goes to :func:`_general`, the reference
checker that names the problem.  The compiled test never accepts what the
general checker refuses (tests/contract/test_records.py checks both on the same
values).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import types
import typing
from dataclasses import MISSING, dataclass
from enum import Enum
from typing import Any, Callable

from .recordwording import EXPECTED, MAX_SAFE_INT, MUST_BE, Wording

__all__ = ["EXPECTED", "MAX_SAFE_INT", "MUST_BE", "Kind", "RecordError", "Rule", "Wording", "dumps", "hints",
           "is_enum", "is_required", "json_key", "kind_of", "optional", "parse", "parser", "record", "rule_of",
           "spec", "write", "writer"]

record = dataclass(frozen=True, kw_only=True)
"""Decorator of a record: immutable, keyword-only construction."""


class RecordError(ValueError):
    """A JSON value does not fit its record: ``message`` starts with the field path."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
    enum: tuple[Any, ...] | None = None    # the allowed values (the schema's "enum", the wire's "choices")
    pattern: str | None = None             # anchored (^...$), checked with re.fullmatch
    expected: str | None = None            # how to say what the pattern (or const) accepts
    const: Any = None                      # the one allowed value (when not None)
    omit_none: bool = False                # the writer leaves the key out when the value is None
    default_from: str | None = None        # absent: take this (earlier) field's parsed value
    text_or_number: bool = False           # a number is read as its text (hand-written event blocks)
    required: bool = False                 # must be present in JSON even though Python has a default
    check: Callable[[Any, str], None] | None = None  # extra rule: raise RecordError naming ``where``


def spec(doc: str = "", *, default: Any = MISSING, default_factory: Any = MISSING, **rule: Any) -> Any:
    """A dataclass field with its :class:`Rule` (and, when given, the default)."""
    meta = {"rule": Rule(doc=doc, **rule)}
    if default_factory is not MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def rule_of(f: dataclasses.Field) -> Rule:
    return f.metadata.get("rule") or Rule()


def json_key(f: dataclasses.Field) -> str:
    return rule_of(f).key or f.name


def is_required(f: dataclasses.Field) -> bool:
    """Must the field be present in JSON?  (No default, or ``required=True``; ``default_from`` never.)"""
    rule = rule_of(f)
    if rule.default_from:
        return False
    return rule.required or (f.default is MISSING and f.default_factory is MISSING)


_HINTS: dict[type, dict[str, Any]] = {}


def hints(cls: type) -> dict[str, Any]:
    """The resolved type of each field of a record class (computed once per class)."""
    out = _HINTS.get(cls)
    if out is None:
        names = {f.name for f in dataclasses.fields(cls)}
        out = _HINTS[cls] = {k: v for k, v in typing.get_type_hints(cls).items() if k in names}
    return out


def optional(tp: Any) -> tuple[Any, bool]:
    """(inner type, True) for ``X | None``; (tp, False) otherwise."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {tp!r}: only X | None")  # a programming error
        return inner[0], len(inner) < len(args)
    return tp, False


def is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Enum)


# ------------------------------------------------------------------ field kinds


@dataclass(frozen=True)
class Kind:
    """A field type, analysed once: ``tag`` is any/object/list/record/enum/bool/int/float/str."""

    tag: str
    nullable: bool
    inner: Any                      # the type without None
    item: "Kind | None" = None      # list items


def kind_of(tp: Any) -> Kind:
    inner, nullable = optional(tp)
    if inner is Any:
        return Kind("any", True, inner)  # null is a JSON value too
    if inner is dict or typing.get_origin(inner) is dict:
        return Kind("object", nullable, inner)
    if typing.get_origin(inner) is tuple:
        return Kind("list", nullable, inner, kind_of(typing.get_args(inner)[0]))
    if dataclasses.is_dataclass(inner):
        return Kind("record", nullable, inner)
    if is_enum(inner):
        return Kind("enum", nullable, inner)
    for t, tag in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if inner is t:
            return Kind(tag, nullable, inner)
    raise TypeError(f"records cannot hold {tp!r}")  # a programming error


def item_rule(kind: Kind, rule: Rule) -> Rule:
    """A list's rule for its items: the range applies to each (lists of numbers); records have their own."""
    assert kind.item is not None
    return Rule() if kind.item.tag == "record" else Rule(minimum=rule.minimum, maximum=rule.maximum)


# ------------------------------------------------------------------ the general checker


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _general(kind: Kind, rule: Rule, w: Wording, value: Any, path: str, key: str | int) -> Any:
    """The reference check of one value at ``path`` + ``key``: its parsed form, or RecordError."""
    where = _join(path, key)
    if value is None:
        if kind.nullable:
            return None
        raise RecordError(w.null(where, kind, rule))
    if rule.const is not None and value != rule.const:
        raise RecordError(w.const(where, rule))
    tag = kind.tag
    if tag == "any":
        out = value
    elif tag == "object":
        if type(value) is not dict:
            raise RecordError(w.wrong(where, kind, rule, value))
        out = value
    elif tag == "list":
        if type(value) is not list:
            raise RecordError(w.wrong(where, kind, rule, value))
        if (rule.min_items is not None and len(value) < rule.min_items) or \
                (rule.max_items is not None and len(value) > rule.max_items):
            raise RecordError(w.count(where, rule, value))
        out = _items(kind, rule)(value, where, w)
    elif tag == "record":
        if type(value) is not dict:
            raise RecordError(w.wrong(where, kind, rule, value))
        out = parser(kind.inner, w)(value, where)
    elif tag == "enum":
        members = {e.value: e for e in kind.inner}
        if type(value) is not str or value not in members:
            raise RecordError(w.wrong(where, kind, rule, value))
        out = members[value]
    elif tag == "bool":
        if type(value) is not bool:
            raise RecordError(w.wrong(where, kind, rule, value))
        out = value
    elif tag in ("int", "float"):
        lo, hi = rule.minimum, rule.maximum
        if tag == "int":
            ok = type(value) is int and -MAX_SAFE_INT <= value <= MAX_SAFE_INT
        else:
            ok = (type(value) is int and -MAX_SAFE_INT <= value <= MAX_SAFE_INT) or \
                (type(value) is float and math.isfinite(value))
        if not ok or (lo is not None and value < lo) or (hi is not None and value > hi):
            raise RecordError(w.wrong(where, kind, rule, value))
        out = value if tag == "int" else float(value)
    else:  # str
        if rule.text_or_number and type(value) in (int, float):
            value = str(value)
        if type(value) is not str:
            raise RecordError(w.wrong(where, kind, rule, value))
        lo, hi = rule.min_length, rule.max_length
        if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
            raise RecordError(w.length(where, rule, value))
        if rule.check is not None:
            rule.check(value, where)
        if rule.pattern is not None and not re.fullmatch(rule.pattern, value):
            raise RecordError(w.pattern(where, rule, value))
        out = value
    if rule.enum is not None and out not in rule.enum:
        raise RecordError(w.choice(where, rule.enum, value))
    if rule.check is not None and tag != "str":  # a text's check runs before its pattern, above
        rule.check(out, where)
    return out


# ------------------------------------------------------------------ the compiled parsers


def _fast(kind: Kind, rule: Rule, name: str, env: dict[str, Any]) -> tuple[str, str] | None:
    """(condition, value) source for the common case of a field, or None (always the general checker).

    The condition implies every check of :func:`_general` passes and the value is its result."""
    if rule.const is not None or rule.check is not None or rule.text_or_number:
        return None
    tag = kind.tag
    if rule.enum is not None and tag != "str":
        return None
    if tag == "any":
        return "True", "v"
    if tag == "object":
        return "type(v) is dict", "v"
    if tag == "bool":
        return "type(v) is bool", "v"
    if tag == "int":
        lo = -MAX_SAFE_INT if rule.minimum is None else max(-MAX_SAFE_INT, math.ceil(rule.minimum))
        hi = MAX_SAFE_INT if rule.maximum is None else min(MAX_SAFE_INT, math.floor(rule.maximum))
        return f"type(v) is int and {lo} <= v <= {hi}", "v"
    if tag == "str":
        cond = "type(v) is str"
        lo, hi = rule.min_length, rule.max_length
        if lo is not None or hi is not None:
            cond += f" and {lo or 0} <= len(v) <= {hi if hi is not None else MAX_SAFE_INT}"
        if rule.pattern is not None:
            env[f"pat_{name}"] = re.compile(rule.pattern).fullmatch
            cond += f" and pat_{name}(v) is not None"
        if rule.enum is not None:
            env[f"choices_{name}"] = frozenset(rule.enum)
            cond += f" and v in choices_{name}"
        return cond, "v"
    if tag == "enum":
        env[f"members_{name}"] = {e.value: e for e in kind.inner}
        return f"type(v) is str and v in members_{name}", f"members_{name}[v]"
    if tag == "record":
        env[f"record_{name}"] = kind.inner  # compiled on first use: a record may hold itself
        return "type(v) is dict", f"parser(record_{name}, w)(v, f'{{path}}.{rule.key or name}' if path else " \
                                  f"'{rule.key or name}')"
    if tag == "list":
        lo, hi = rule.min_items, rule.max_items
        cond = "type(v) is list"
        if lo is not None or hi is not None:
            cond += f" and {lo or 0} <= len(v) <= {hi if hi is not None else MAX_SAFE_INT}"
        env[f"items_{name}"] = _items(kind, rule)
        return cond, f"items_{name}(v, f'{{path}}.{rule.key or name}' if path else '{rule.key or name}', w)"
    return None  # float: the general checker (a few per manifest)


def _items(kind: Kind, rule: Rule) -> Callable[[list, str, Wording], tuple]:
    """A list's items reader ``(value, where, wording) -> tuple`` (the whole list at once when every
    item is a common case, item by item otherwise)."""
    item = kind.item
    assert item is not None
    irule = item_rule(kind, rule)
    env: dict[str, Any] = {"parser": parser, "general": _general, "item": item, "irule": irule}
    fast = _fast(item, irule, "item", env)

    def read(value: list, where: str, wd: Wording) -> tuple:
        if item.tag == "record":
            parse_item = parser(item.inner, wd)
            out = []
            for i, v in enumerate(value):
                if type(v) is not dict:
                    return tuple(_general(item, irule, wd, x, where, j) for j, x in enumerate(value))
                out.append(parse_item(v, f"{where}[{i}]"))
            return tuple(out)
        if test is not None and all(test(v) for v in value):
            return tuple(value)
        return tuple(_general(item, irule, wd, v, where, i) for i, v in enumerate(value))

    test = None
    if fast is not None and fast[1] == "v":
        test = eval(f"lambda v: {fast[0]}", env)  # noqa: S307 - source built above from the rule's numbers
    return read


def parser(cls: type, w: Wording = MUST_BE) -> Callable[[dict, str], Any]:
    """The compiled parser of record ``cls`` with wording ``w``: ``(decoded JSON object, path) -> record``."""
    got = w.parsers.get(cls)
    if got is None:
        got = w.parsers[cls] = _compile(cls, w)
    return got


def _compile(cls: type, w: Wording) -> Callable[[dict, str], Any]:
    if "__slots__" in cls.__dict__:  # the parser fills __dict__ (see below)
        raise TypeError(f"record {cls.__name__} cannot use slots")  # a programming error
    hint = hints(cls)
    env: dict[str, Any] = {"cls": cls, "w": w, "new": object.__new__, "setattr": object.__setattr__,
                           "parser": parser, "general": _general, "RecordError": RecordError,
                           "missing": lambda path, key: RecordError(w.missing(_join(path, key)))}
    lines = ["def parse(obj, path):"]
    names = []
    for i, f in enumerate(dataclasses.fields(cls)):
        rule, key, kind = rule_of(f), json_key(f), kind_of(hint[f.name])
        name, var = f.name, f"f{i}"
        names.append((name, var))
        env[f"kind_{name}"], env[f"rule_{name}"] = kind, rule
        fast = _fast(kind, rule, name, env)
        lines.append(f"    if {key!r} in obj:")
        lines.append(f"        v = obj[{key!r}]")
        slow = f"general(kind_{name}, rule_{name}, w, v, path, {key!r})"
        if fast is None:
            lines.append(f"        {var} = {slow}")
        else:
            cond, value = fast
            if kind.nullable:
                lines.append(f"        if v is None: {var} = None")
                lines.append(f"        elif {cond}: {var} = {value}")
            else:
                lines.append(f"        if {cond}: {var} = {value}")
            lines.append(f"        else: {var} = {slow}")
        if rule.default_from:
            source = next(v for n, v in names if n == rule.default_from)
            lines.append(f"    else: {var} = {source}")
        elif is_required(f):
            lines.append(f"    else: raise missing(path, {key!r})")
        elif f.default_factory is not MISSING:
            env[f"factory_{name}"] = f.default_factory
            lines.append(f"    else: {var} = factory_{name}()")
        else:
            env[f"default_{name}"] = f.default
            lines.append(f"    else: {var} = default_{name}")
    # a frozen dataclass's __init__ sets each field through object.__setattr__: fill __dict__ at once
    lines.append("    r = new(cls)")
    lines.append("    r.__dict__.update({" + ", ".join(f"{n!r}: {v}" for n, v in names) + "})")
    if hasattr(cls, "__post_init__"):
        lines.append("    r.__post_init__()")
    if hasattr(cls, "_check"):
        lines.append("    r._check(path)")
    lines.append("    return r")
    exec("\n".join(lines), env)  # noqa: S102 - source built above from the record's declarations
    return env["parse"]


def parse(cls: type, obj: Any, path: str = "", *, wording: Wording = MUST_BE) -> Any:
    """JSON -> record ``cls`` (see the module docstring); ``path`` prefixes error messages."""
    if type(obj) is not dict:
        raise RecordError(wording.wrong(path or "the value", Kind("record", False, cls), Rule(), obj))
    try:
        got = wording.parsers.get(cls)
        return (got or parser(cls, wording))(obj, path)
    except RecursionError:  # a record that holds itself, absurdly deep
        raise RecordError(wording.too_deep()) from None


# ------------------------------------------------------------------ writer


_LEAVES = frozenset({str, int, float, bool, type(None), dict})
_WRITERS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def write(value: Any) -> Any:
    """Record -> JSON-ready dict (keys in field order; see the module docstring); any other value -> its
    JSON-ready form (tuples as lists, enums as values, dicts as they are)."""
    cls = type(value)
    if cls in _LEAVES:
        return value
    writer = _WRITERS.get(cls)
    if writer is not None:
        return writer(value)
    if dataclasses.is_dataclass(cls):
        writer = _WRITERS[cls] = _compile_writer(cls)
        return writer(value)
    if cls is tuple or cls is list:
        return [write(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [write(v) for v in value]
    return value


def writer(cls: type, head: dict[str, str] | None = None) -> Callable[[Any], dict[str, Any]]:
    """A compiled :func:`write` of record ``cls`` whose dicts start with the text keys and values of
    ``head`` (a message's ``{"type": ...}``), built once per call: callers keep it."""
    return _compile_writer(cls, head or {})


def _compile_writer(cls: type, head: dict[str, str] | None = None) -> Callable[[Any], dict[str, Any]]:
    env: dict[str, Any] = {"write": write, "LEAVES": _LEAVES}
    start = ", ".join(f"{str(k)!r}: {str(v)!r}" for k, v in (head or {}).items())
    lines = ["def write_record(r):", "    d = r.__dict__", f"    out = {{{start}}}"]
    for f in dataclasses.fields(cls):
        rule, key = rule_of(f), json_key(f)
        lines.append(f"    v = d[{f.name!r}]")
        value = "v if type(v) in LEAVES else write(v)"
        if rule.omit_none:
            lines.append(f"    if v is not None: out[{key!r}] = {value}")
        else:
            lines.append(f"    out[{key!r}] = {value}")
    lines.append("    return out")
    exec("\n".join(lines), env)  # noqa: S102 - source built above from the record's declarations
    return env["write_record"]


def dumps(obj: Any) -> str:
    """Compact JSON text of a JSON-ready object, always encodable as UTF-8: should a string that
    UTF-8 cannot encode be in it, the text is written with ASCII escapes instead (``\\ud800``),
    which every JSON reader accepts."""
    text = _encode(obj)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = _encode_ascii(obj)
    return text


# built once: json.dumps with arguments builds a new encoder on every call
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_encode_ascii = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode
