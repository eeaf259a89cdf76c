"""How a record's refusals are phrased: two wordings of the same problems (pure).

:mod:`.records` finds the problem (a missing key, a value of the wrong type or
outside its bounds, a text too long, a choice not offered...) and a
:class:`Wording` says it.  Both phrasings are contracts of their own:

* :data:`MUST_BE` — ``groups[0].share must be a whole number from 0 to 1000000,
  got -1`` / ``title is missing``: the manifest's, printed to whoever made the
  bundle (tests/contract, tests/conductor/test_bundle.py);
* :data:`EXPECTED` — ``level: expected one of info, urgent, got 'x'`` /
  ``text: missing (required)``: the conductor's wire messages', which
  ``client_web/js/protocol.js`` repeats word for word.

A wording also caches the record parsers compiled with it (``parsers``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from .records import Kind, Rule

MAX_SAFE_INT = 2**53 - 1
"""Largest integer JavaScript represents exactly (``Number.MAX_SAFE_INTEGER``)."""


def _shown(value: Any) -> str:
    return repr(value)[:40]


class Wording:
    """How refusals are phrased (the base is :data:`MUST_BE`'s); ``where`` is the field path.
    ``parsers`` caches the records compiled with this wording."""

    def __init__(self) -> None:
        self.parsers: dict[type, Callable[[dict, str], Any]] = {}

    def missing(self, where: str) -> str:
        return f"{where} is missing"

    def null(self, where: str, kind: Kind, rule: Rule) -> str:
        return f"{where} must be {self._what(kind, rule)}, got null"

    def wrong(self, where: str, kind: Kind, rule: Rule, value: Any) -> str:
        """``value`` is not of the field's type (or, for numbers, outside their range)."""
        tag = kind.tag
        if tag in ("int", "float"):
            return f"{where} must be {self._number(kind, rule)}, got {_shown(value)}"
        if tag == "str":
            return f"{where} must be {rule.expected or 'text'}, not {type(value).__name__}"
        if tag == "bool":
            return f"{where} must be true or false, got {_shown(value)}"
        if tag == "list":
            return f"{where} must be a list, got {type(value).__name__}"
        if tag == "enum":
            return self.choice(where, [e.value for e in kind.inner], value)
        return f"{where} must be an object, got {type(value).__name__}"

    def length(self, where: str, rule: Rule, value: str) -> str:
        lo, hi = rule.min_length, rule.max_length
        if lo is not None and hi is not None:
            return f"{where} must be a text of {lo}-{hi} characters"
        if hi is not None:
            return f"{where} must be a text of at most {hi} characters"
        return f"{where} must be a text of at least {lo} characters"

    def count(self, where: str, rule: Rule, value: list) -> str:
        if rule.min_items is not None and len(value) < rule.min_items:
            return f"{where} is empty" if rule.min_items == 1 else \
                f"{where}: at least {rule.min_items} items, got {len(value)}"
        return f"{where}: at most {rule.max_items} items, got {len(value)}"

    def choice(self, where: str, choices: Any, value: Any) -> str:
        return f"{where} must be one of {', '.join(map(repr, choices))}, got {_shown(value)}"

    def pattern(self, where: str, rule: Rule, value: str) -> str:
        return f"{where} must be {rule.expected or 'text matching ' + str(rule.pattern)}, got {_shown(value)}"

    def const(self, where: str, rule: Rule) -> str:
        return f"{where} must be {rule.expected or _shown(rule.const)}"

    def too_deep(self) -> str:
        return "the value is nested too deeply"

    def _what(self, kind: Kind, rule: Rule) -> str:
        if rule.expected:
            return rule.expected
        return {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false"}.get(
            kind.tag, "a value")

    def _number(self, kind: Kind, rule: Rule) -> str:
        lo, hi = rule.minimum, rule.maximum
        what = "a whole number" if kind.tag == "int" else "a number"
        if lo is not None and hi is not None:
            return f"{what} from {lo} to {hi}"
        if lo is not None:
            return f"{what} of at least {lo}"
        if hi is not None:
            return f"{what} of at most {hi}"
        return f"{what} within ±2**53" if kind.tag == "int" else what


class _Expected(Wording):
    """``path: expected <what>, got <value>`` (the wire's; client_web/js/protocol.js says the same)."""

    @staticmethod
    def _fail(where: str, expected: str, got: Any) -> str:
        shown = type(got).__name__ if not isinstance(got, (str, int, float)) or isinstance(got, bool) \
            else repr(got)[:40]
        return f"{where}: expected {expected}, got {shown}"

    def missing(self, where: str) -> str:
        return f"{where}: missing (required)"

    def null(self, where: str, kind: Kind, rule: Rule) -> str:
        return self._fail(where, "a value", None)

    def wrong(self, where: str, kind: Kind, rule: Rule, value: Any) -> str:
        tag = kind.tag
        if tag == "int":
            if type(value) is not int:
                return self._fail(where, "an integer", value)
            if not -MAX_SAFE_INT <= value <= MAX_SAFE_INT:
                return self._fail(where, "an integer within ±2**53", value)
            if rule.minimum is not None and value < rule.minimum:
                return self._fail(where, f"an integer >= {rule.minimum}", value)
            return self._fail(where, f"an integer <= {rule.maximum}", value)
        if tag == "float":
            return self._fail(where, "a number", value)
        if tag == "str":
            return self._fail(where, "a string", value)
        if tag == "bool":
            return self._fail(where, "true or false", value)
        if tag == "list":
            return self._fail(where, "an array", value)
        if tag == "enum":
            return self.choice(where, [e.value for e in kind.inner], value)
        return self._fail(where, "an object", value)

    def length(self, where: str, rule: Rule, value: str) -> str:
        if rule.max_length is not None and len(value) > rule.max_length:
            return self._fail(where, f"at most {rule.max_length} characters", f"{len(value)} characters")
        return self._fail(where, f"at least {rule.min_length} characters", value)

    def count(self, where: str, rule: Rule, value: list) -> str:
        if rule.max_items is not None and len(value) > rule.max_items:
            return self._fail(where, f"at most {rule.max_items} items", f"{len(value)} items")
        return self._fail(where, f"at least {rule.min_items} items", f"{len(value)} items")

    def choice(self, where: str, choices: Any, value: Any) -> str:
        return self._fail(where, "one of " + ", ".join(map(str, choices)), value)

    def pattern(self, where: str, rule: Rule, value: str) -> str:
        return self._fail(where, rule.expected or f"text matching {rule.pattern}", value)

    def const(self, where: str, rule: Rule) -> str:
        return self._fail(where, rule.expected or _shown(rule.const), None)

    def too_deep(self) -> str:
        return "value nested too deeply"


MUST_BE = Wording()
"""``groups[0].colour must be "#rrggbb" ..., got 'red'`` / ``title is missing`` (the manifest's)."""

EXPECTED = _Expected()
"""``level: expected one of info, urgent, got 'x'`` / ``text: missing (required)`` (the wire's)."""
