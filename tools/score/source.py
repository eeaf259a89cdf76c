"""YAML source -> a located node tree, free of YAML 1.1 surprises.

Rules:

* PyYAML is only used to *compose* the document (syntax, anchors, aliases).
  No tag resolution happens: every scalar keeps the text the organizer wrote,
  so ``1:30`` stays ``"1:30"`` (PyYAML would make it the integer 90),
  ``no`` stays ``"no"`` and ``0:05.5`` stays ``"0:05.5"``. The *field* that
  reads a value decides its type (see ``fields.py``), never the look of it.
* Every node carries the :class:`~tools.score.errors.Loc` of its first
  character; mapping keys carry their own location.
* Duplicate keys are an error (PyYAML would silently keep the last one).
* Merge keys (``<<: *anchor``) are supported for mappings.
* Tags other than the standard ones are rejected; nothing is ever constructed
  from a tag (safe by construction).
* Alias expansion is bounded: a document expanding to more than
  :data:`MAX_NODES` nodes is refused (the "billion laughs" attack).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import re
import unicodedata

import yaml

from .errors import Diagnostics, Loc, ScoreError, Diagnostic

MAX_NODES = 200_000
MAX_DEPTH = 64

_STD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:merge",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:value",
}


@dataclass(frozen=True)
class Scalar:
    """A scalar as written. ``quoted`` is True for '...'/"..." and block scalars."""

    text: str
    loc: Loc
    quoted: bool = False

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.text in ("", "~", "null", "Null", "NULL")


@dataclass(frozen=True)
class Seq:
    items: tuple["Node", ...]
    loc: Loc


@dataclass(frozen=True)
class Map:
    """A mapping; ``entries`` keeps document order, keys are scalars."""

    entries: tuple[tuple[Scalar, "Node"], ...]
    loc: Loc
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for key, value in self.entries:
            self._index[key.text] = (key, value)

    def get(self, name: str) -> "Node | None":
        hit = self._index.get(name)
        return hit[1] if hit else None

    def key(self, name: str) -> Scalar | None:
        hit = self._index.get(name)
        return hit[0] if hit else None

    def keys(self) -> list[str]:
        return [k.text for k, _ in self.entries]

    def __contains__(self, name: str) -> bool:
        return name in self._index


Node = Union[Scalar, Seq, Map]


_ALLOWED_CONTROLS = "\t\n"
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0abtnvfre N_LP\"/\\])")
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
            "e": "\x1b", " ": " ", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
            '"': '"', "/": "/", "\\": "\\"}


def control_character(text: str) -> int | None:
    """Index of the first control character (Unicode category Cc, except tab and line feed) of ``text``."""
    for i, c in enumerate(text):
        if unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS:
            return i
    return None


def describe_char(c: str) -> str:
    name = {"\0": "NUL", "\x1b": "ESC", "\r": "carriage return", "\x7f": "DEL", "\x85": "NEL"}.get(c)
    return f"U+{ord(c):04X}" + (f" ({name})" if name else "")


def _char_loc(file: str, node: yaml.ScalarNode, index: int) -> Loc:
    """Where the ``index``-th character of a scalar's value is written: the raw character, or the
    escape sequence that produced it in a double-quoted scalar; the scalar's start if neither is found."""
    start, end, buf = node.start_mark, node.end_mark, node.start_mark.buffer
    if buf is None:
        return _loc(file, node)
    target = node.value[index]
    raw = buf[start.index:end.index]
    hits = [m.start() for m in re.finditer(re.escape(target), raw)]
    if node.style == '"':
        for m in _ESCAPE.finditer(raw):
            code = m.group(1)
            value = chr(int(code[1:], 16)) if code[0] in "xuU" else _ESCAPES.get(code)
            if value == target:
                hits.append(m.start())
    if not hits:
        return _loc(file, node)
    pos = start.index + min(hits)
    line = buf.count("\n", 0, pos)
    col = pos - (buf.rfind("\n", 0, pos) + 1)
    return Loc(file, line + 1, col + 1)


def _loc(file: str, node: yaml.Node) -> Loc:
    mark = node.start_mark
    return Loc(file, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, file: str, diags: Diagnostics):
        self.file = file
        self.diags = diags
        self.count = 0
        self.reported: set[int] = set()

    def build(self, node: yaml.Node, depth: int = 0) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise ScoreError([Diagnostic(_loc(self.file, node),
                                         f"the document expands to more than {MAX_NODES} values "
                                         "(too many aliases?); a score is far smaller")])
        if depth > MAX_DEPTH:
            raise ScoreError([Diagnostic(_loc(self.file, node),
                                         f"values nested deeper than {MAX_DEPTH} levels; a score is far flatter")])
        loc = _loc(self.file, node)
        if node.tag not in _STD_TAGS:
            self.diags.error(loc, f"unsupported YAML tag '{node.tag}'; scores use plain values only")
        if isinstance(node, yaml.ScalarNode):
            bad = control_character(node.value)
            if bad is not None and id(node) not in self.reported:
                self.reported.add(id(node))
                self.diags.error(_char_loc(self.file, node, bad), f"control character {describe_char(node.value[bad])} "
                                 f"at character {bad + 1} of this text; remove it (texts hold printable "
                                 "characters, tabs and line breaks only)")
            return Scalar(node.value, loc, quoted=node.style in ("'", '"', "|", ">"))
        if isinstance(node, yaml.SequenceNode):
            return Seq(tuple(self.build(n, depth + 1) for n in node.value), loc)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        raise AssertionError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> Map:
        entries: list[tuple[Scalar, Node]] = []
        seen: dict[str, Loc] = {}
        merged: list[tuple[Scalar, Node]] = []
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge" or (
                    isinstance(knode, yaml.ScalarNode) and knode.value == "<<" and knode.style is None):
                merged.extend(self._merge_sources(vnode, depth))
                continue
            if not isinstance(knode, yaml.ScalarNode):
                self.diags.error(_loc(self.file, knode), "a key must be a plain name, found a list or mapping")
                continue
            key = self.build(knode, depth + 1)
            assert isinstance(key, Scalar)
            if key.text in seen:
                first = seen[key.text]
                self.diags.error(key.loc, f"duplicate key '{key.text}' (first defined at line {first.line}); "
                                 "each key may appear once")
                continue
            seen[key.text] = key.loc
            entries.append((key, self.build(vnode, depth + 1)))
        for key, value in merged:  # explicit keys win over merged ones
            if key.text not in seen:
                seen[key.text] = key.loc
                entries.append((key, value))
        return Map(tuple(entries), loc)

    def _merge_sources(self, vnode: yaml.Node, depth: int) -> list[tuple[Scalar, Node]]:
        sources = vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode]
        out: list[tuple[Scalar, Node]] = []
        for src in sources:
            built = self.build(src, depth + 1)
            if isinstance(built, Map):
                out.extend(built.entries)
            else:
                self.diags.error(built.loc, "'<<' merges a mapping (an anchored block of keys); found "
                                 + ("a list" if isinstance(built, Seq) else f"'{built.text}'"))
        return out


def _yaml_error(file: str, exc: yaml.YAMLError) -> ScoreError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    loc = Loc(file, mark.line + 1, mark.column + 1) if mark else Loc(file, 1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"YAML syntax: {problem}" + (f" ({context})" if context else "")
    if "found character '\\t'" in message or "'\\t'" in message:
        message += "; indent with spaces, not tabs"
    return ScoreError([Diagnostic(loc, message)])


def parse_yaml(text: str, file: str = "<score>", diags: Diagnostics | None = None) -> Node | None:
    """Compose ``text`` into a located node tree; None for an empty document.

    Raises :class:`ScoreError` for YAML syntax errors and structural problems
    that make the document unreadable; other problems go to ``diags``.
    """
    own = diags is None
    diags = diags if diags is not None else Diagnostics()
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise _yaml_error(file, exc) from None
    except (ValueError, RecursionError) as exc:  # e.g. odd characters PyYAML rejects
        raise ScoreError([Diagnostic(Loc(file, 1, 1), f"cannot read the document: {exc}")]) from None
    if not documents or documents[0] is None:
        return None
    if len(documents) > 1:
        second = documents[1]
        loc = _loc(file, second) if second is not None else Loc(file, 1, 1)
        diags.error(loc, "a score file holds one YAML document; found a second one (remove '---')")
    tree = _Builder(file, diags).build(documents[0])
    if own:
        diags.raise_if_errors()
    return tree


def to_plain(node: Node | None):
    """Convert a node tree to plain Python data with YAML 1.2 core-schema typing.

    This is what an editor's YAML 1.2 language server sees; it is used to
    validate scores against the JSON Schema (``flashmob schema``).
    """
    import re

    if node is None:
        return None
    if isinstance(node, Map):
        return {k.text: to_plain(v) for k, v in node.entries}
    if isinstance(node, Seq):
        return [to_plain(v) for v in node.items]
    if node.quoted:
        return node.text
    t = node.text
    if node.is_null:
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if re.fullmatch(r"[-+]?[0-9]+", t):
        return int(t)
    if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", t):
        return float(t)
    return t
