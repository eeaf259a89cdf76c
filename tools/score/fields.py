"""Typed reading of mapping fields, collecting every problem.

A :class:`Fields` wraps one YAML mapping of a score. Each accessor reads one
key as one type and, on a problem, records a diagnostic at the value's
location and returns the default — so reading always goes on and every error
of a score is reported in one run. Keys never read are reported as unknown,
with a "did you mean" suggestion, by :meth:`Fields.finish`.

The type comes from the field, never from how the value looks (see
``source.py``): ``title: no`` is the text "no"; ``at: 1:30`` is 90 s.
"""

from __future__ import annotations

import re
from typing import Iterable

from .errors import Diagnostics, Loc, did_you_mean
from .source import Map, Node, Scalar, Seq
from .timecode import TimeFormatError, parse_time

_TRUE = {"true", "yes", "on"}
_FALSE = {"false", "no", "off"}
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)$")
_GAIN = re.compile(r"^([-+]?(\d+(\.\d*)?|\.\d+))\s*(dB|db|DB)?$")
ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


def describe(node: Node | None) -> str:
    """How a found value is named in messages."""
    if node is None:
        return "nothing"
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    if node.is_null:
        return "nothing"
    return f"'{node.text}'"


class Fields:
    """Reads the keys of one mapping; see module docstring."""

    def __init__(self, node: Map, diags: Diagnostics, what: str):
        self.node = node
        self.diags = diags
        self.what = what
        self._read: set[str] = set()

    # -- access -------------------------------------------------------------
    def has(self, key: str) -> bool:
        return key in self.node

    def raw(self, key: str) -> Node | None:
        self._read.add(key)
        return self.node.get(key)

    def key_loc(self, key: str) -> Loc:
        k = self.node.key(key)
        return k.loc if k else self.node.loc

    def loc(self, key: str) -> Loc:
        value = self.node.get(key)
        if value is None:
            return self.key_loc(key)
        if isinstance(value, Scalar) and value.is_null:
            return self.key_loc(key)
        return value.loc

    def missing(self, key: str, hint: str = "") -> None:
        self.diags.error(self.node.loc, f"{self.what} is missing '{key}'" + (f" ({hint})" if hint else ""))

    def bad(self, key: str, expected: str) -> None:
        self.diags.error(self.loc(key), f"'{key}' must be {expected}, found {describe(self.node.get(key))}")

    def _scalar(self, key: str, required: bool, expected: str, hint: str = "") -> Scalar | None:
        node = self.raw(key)
        if node is None or (isinstance(node, Scalar) and node.is_null):
            if required:
                if node is None:
                    self.missing(key, hint)
                else:
                    self.bad(key, expected)
            return None
        if not isinstance(node, Scalar):
            self.bad(key, expected)
            return None
        return node

    # -- typed readers ------------------------------------------------------
    def text(self, key: str, *, required: bool = False, default: str | None = None,
             hint: str = "", expected: str = "a text") -> str | None:
        node = self._scalar(key, required, expected, hint)
        if node is None:
            return default
        value = node.text.strip()
        if not value:
            if required:
                self.bad(key, "a non-empty text")
            return default
        return value

    def ident(self, key: str, *, required: bool = False, what: str = "an id") -> str | None:
        value = self.text(key, required=required, expected=what)
        if value is not None and not ID_PATTERN.match(value):
            self.bad(key, f"{what} (letters, digits, '_' or '-', starting with a letter)")
            return None
        return value

    def number(self, key: str, *, default: float | None = None, minimum: float | None = None,
               maximum: float | None = None, expected: str = "a number") -> float | None:
        node = self._scalar(key, False, expected)
        if node is None:
            return default
        if not _NUMBER.match(node.text.strip()):
            self.bad(key, expected)
            return default
        value = float(node.text)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            lo = "" if minimum is None else f" >= {minimum:g}"
            hi = "" if maximum is None else f" <= {maximum:g}"
            self.bad(key, f"{expected}{lo}{' and' if lo and hi else ''}{hi}")
            return default
        return value

    def integer(self, key: str, *, default: int | None = None, minimum: int | None = None,
                maximum: int | None = None, required: bool = False, expected: str = "a whole number",
                hint: str = "") -> int | None:
        node = self._scalar(key, required, expected, hint)
        if node is None:
            return default
        if not re.fullmatch(r"[-+]?\d+", node.text.strip()):
            self.bad(key, expected)
            return default
        value = int(node.text)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            rng = f" from {minimum} to {maximum}" if minimum is not None and maximum is not None else (
                f" >= {minimum}" if minimum is not None else f" <= {maximum}")
            self.bad(key, expected + rng)
            return default
        return value

    def gain(self, key: str, *, default: float = 0.0) -> float:
        """A gain in dB: ``-6``, ``-6dB``, ``+3 dB``; between -60 and +24."""
        node = self._scalar(key, False, "a gain in dB")
        if node is None:
            return default
        m = _GAIN.match(node.text.strip())
        if not m:
            self.bad(key, "a gain in dB such as -6 or -6dB")
            return default
        value = float(m.group(1))
        if not -60.0 <= value <= 24.0:
            self.bad(key, "a gain in dB between -60 and +24")
            return default
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        node = self._scalar(key, False, "true or false")
        if node is None:
            return default
        word = node.text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        self.bad(key, "true or false")
        return default

    def time(self, key: str, *, required: bool = False, default: int | None = None) -> int | None:
        node = self._scalar(key, required, "a time")
        if node is None:
            return default
        try:
            return parse_time(node.text)
        except TimeFormatError as exc:
            self.diags.error(node.loc, f"'{key}': {exc}")
            return default

    def _container(self, key: str, kind: type, empty, expected: str):
        node = self.raw(key)
        if node is None:
            return None
        if isinstance(node, Scalar) and node.is_null:
            return empty(node.loc)
        if not isinstance(node, kind):
            self.bad(key, expected)
            return None
        return node

    def mapping(self, key: str, *, required: bool = False, hint: str = "") -> Map | None:
        node = self._container(key, Map, lambda loc: Map((), loc),
                               "a mapping of names to values" + (f" ({hint})" if hint else ""))
        if node is None and required and not self.has(key):
            self.missing(key, hint)
        return node

    def sequence(self, key: str, *, required: bool = False, hint: str = "") -> Seq | None:
        node = self._container(key, Seq, lambda loc: Seq((), loc),
                               "a list (items starting with '- ')" + (f": {hint}" if hint else ""))
        if node is None and required and not self.has(key):
            self.missing(key, hint)
        return node

    def text_list(self, key: str) -> tuple[tuple[str, Loc], ...] | None:
        """A list of names, or a single name (``groups: red`` == ``groups: [red]``)."""
        node = self.raw(key)
        if node is None or (isinstance(node, Scalar) and node.is_null):
            return None
        if isinstance(node, Scalar):
            return ((node.text.strip(), node.loc),)
        if isinstance(node, Seq):
            out = []
            for item in node.items:
                if isinstance(item, Scalar) and not item.is_null:
                    out.append((item.text.strip(), item.loc))
                else:
                    self.diags.error(item.loc, f"'{key}' lists names, found {describe(item)}")
            return tuple(out)
        self.bad(key, "a name or a list of names")
        return None

    # -- closing ------------------------------------------------------------
    def finish(self, allowed: Iterable[str] | None = None) -> None:
        """Report every key that was not read as unknown (with a suggestion)."""
        known = set(allowed) if allowed is not None else self._read
        for key, _ in self.node.entries:
            if key.text not in known:
                self.diags.error(key.loc, f"unknown key '{key.text}' in {self.what}"
                                 + (did_you_mean(key.text, sorted(known)) or
                                    f"; expected one of: {', '.join(sorted(known))}"))
