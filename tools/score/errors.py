"""Diagnostics for scores: every problem names ``file:line:col``.

Rules:

* Lines and columns are 1-based, as editors show them.
* A diagnostic says what was found and what was expected.
* Validation never stops at the first problem: diagnostics are collected in a
  :class:`Diagnostics` and raised together as one :class:`ScoreError`.
* :class:`ScoreError` is the only exception that loading, validating or
  compiling a score may raise for bad input.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True, order=True)
class Loc:
    """A position in a score file (1-based line and column)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


UNKNOWN_LOC = Loc("<score>", 1, 1)


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a score."""

    loc: Loc
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.loc}: {self.severity}: {self.message}"


class ScoreError(Exception):
    """A score is invalid. ``diagnostics`` holds every problem found (errors first)."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.severity != "error", d.loc))
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


@dataclass
class Diagnostics:
    """Collects problems while a score is read; raises them all at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, loc: Loc, message: str) -> None:
        self.items.append(Diagnostic(loc, message, "error"))

    def warning(self, loc: Loc, message: str) -> None:
        self.items.append(Diagnostic(loc, message, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise ScoreError(self.items)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" suffix, or "" when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(choices: Iterable[str]) -> str:
    """Human list of allowed values: "'a', 'b' or 'c'"."""
    items = [f"'{c}'" for c in choices]
    if not items:
        return "nothing (none defined)"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]
