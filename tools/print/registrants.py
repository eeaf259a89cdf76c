"""The registrants CSV behind the badges: name, handle, optional group, optional participant id.

Accepted input (what organizers export from a form or a spreadsheet):

* UTF-8 (with or without BOM) or Windows-1252; comma, semicolon (French
  spreadsheets) or tab separated;
* an optional header row naming the columns (``name``/``nom``,
  ``handle``/``pseudo``/``twitter``, ``group``/``groupe``; other columns are
  ignored), else the columns are positional: name, handle, group;
* blank lines are skipped; the group may be a group id or name (any case);
* the CSV the conductor's console exports from its sign-ups (docs/signups.md)
  has the header :data:`flashmob.contract.signups.CSV_COLUMNS`: its
  ``participant_id`` column is each person's signed participant id, which their
  badge's join URL carries (``PUBLIC/?i=ID``) and which alone puts their phone
  in their group, in every assignment mode. Its ``group`` is empty when the
  groups are a surprise: the badge then shows none.

Contract: :func:`parse_registrants` returns the registrants in file order,
each with its line number, or raises :class:`PrintError` listing every bad row
as ``FILE:LINE: what is wrong`` (at most 10). :func:`fill_groups` gives the
registrants without a group one, balanced by share (as the conductor's
``balanced`` mode does), for a ``fixed`` show where every badge needs a group.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from flashmob.contract.bundle import GroupInfo
from flashmob.contract.signups import CSV_COLUMNS
from flashmob.contract.urls import HINT_MAX

from .errors import PrintError

COLUMNS = {
    "name": ("name", "nom", "full name", "nom complet", "prénom nom", "participant"),
    "handle": ("handle", "pseudo", "twitter", "username", "user", "@", "compte"),
    "group": ("group", "groupe", "team", "équipe", "equipe"),
    "participant_id": ("participant_id", "participant id"),
}
assert tuple(COLUMNS) == CSV_COLUMNS  # the console's export (conductor/signupapi.py) writes these names
_PARTICIPANT = re.compile(r"^[A-Za-z0-9_-]{28}$")  # a conductor-signed id (conductor/tokens.py, 28 characters)
MAX_ERRORS = 10


@dataclass(frozen=True)
class Registrant:
    line: int
    name: str
    handle: str | None
    group: str | None          # a group id of the show
    participant: str | None = None  # the signed participant id of a sign-up (its badge's join URL)


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise PrintError(f"{source}: not UTF-8 text (save the spreadsheet as CSV UTF-8)") from None


def _dialect(text: str):
    """The separator, sniffed; quotes are always ``"`` (the sniffer can take the ``'`` of
    "d'Auvergne" or of an export's formula guard for a quote character)."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return csv.excel

    class Sniffed(csv.excel):
        pass

    Sniffed.delimiter = delimiter
    return Sniffed


def _header(cells: list[str]) -> dict[str, int] | None:
    names = [c.strip().lower() for c in cells]
    found = {}
    for key, aliases in COLUMNS.items():
        for i, n in enumerate(names):
            if n in aliases and key not in found:
                found[key] = i
    return found if "name" in found else None


def _clean(value: str) -> str:
    """Spaces collapsed; a ``'`` before ``= + - @`` dropped (what a CSV export writes so that a
    spreadsheet does not run a name as a formula: conductor/signupapi.py)."""
    value = " ".join(value.split())
    return value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@") else value


def _cell(cells: list[str], columns: dict[str, int], key: str) -> str:
    i = columns.get(key)
    return _clean(cells[i]) if i is not None and i < len(cells) else ""


def _resolve_group(value: str, groups: Sequence[GroupInfo]) -> str | None:
    v = value.strip()
    for g in groups:
        if g.id == v:
            return g.id
    for g in groups:
        if v.casefold() in (g.id.casefold(), g.name.casefold()):
            return g.id
    return None


def parse_registrants(text: str, groups: Sequence[GroupInfo], source: str = "registrants.csv") -> list[Registrant]:
    reader = csv.reader(io.StringIO(text), _dialect(text))
    out: list[Registrant] = []
    errors: list[str] = []
    columns = {"name": 0, "handle": 1, "group": 2}
    positional = True
    first = True
    group_list = ", ".join(f"{g.id} ({g.name})" if g.name != g.id else g.id for g in groups)
    end_of_previous = 0
    for cells in reader:
        lineno, end_of_previous = end_of_previous + 1, reader.line_num  # a quoted cell may span lines
        if not any(c.strip() for c in cells):
            continue
        if first:
            first = False
            header = _header(cells)
            if header is not None:
                columns, positional = header, False
                continue
        if positional and len([c for c in cells if c.strip()]) > 3 and any(c.strip() for c in cells[3:]):
            errors.append(f"{source}:{lineno}: {len(cells)} columns; expected name, handle, group "
                          "(or a header row naming the columns)")
            continue
        name, handle, group, pid = (_cell(cells, columns, key) for key in COLUMNS)
        if not name:
            errors.append(f"{source}:{lineno}: the name is empty")
            continue
        if len(handle) > HINT_MAX:
            errors.append(f"{source}:{lineno}: the handle is longer than {HINT_MAX} characters")
            continue
        if pid and not _PARTICIPANT.match(pid):
            errors.append(f"{source}:{lineno}: the participant {pid[:40]!r} is not a participant id of a conductor's "
                          "sign-ups (28 letters, digits, '-' or '_'): export the CSV again from the console")
            continue
        gid = None
        if group:
            gid = _resolve_group(group, groups)
            if gid is None:
                errors.append(f"{source}:{lineno}: unknown group {group!r} (groups: {group_list})")
                continue
        out.append(Registrant(line=lineno, name=name, handle=handle or None, group=gid, participant=pid or None))
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        more = "" if len(errors) < MAX_ERRORS else "\n(stopped after 10 errors)"
        raise PrintError("\n".join(errors[:MAX_ERRORS]) + more)
    if not out:
        raise PrintError(f"{source}: no registrants (expected rows of name, handle, group)")
    return out


def read_registrants(path: str | Path, groups: Sequence[GroupInfo]) -> list[Registrant]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise PrintError(f"cannot read the registrants file {p}: {exc.strerror or exc}") from None
    return parse_registrants(_decode(raw, p.name), groups, source=p.name)


def fill_groups(registrants: Sequence[Registrant], groups: Sequence[GroupInfo]) -> list[Registrant]:
    """Registrants without a group get the group whose count is lowest relative
    to its share (registrants who chose a group count too); ties go to the
    first group. Deterministic. A registrant with a participant id keeps no
    group (their id carries the one the conductor assigned: a surprise)."""
    drawable = [g for g in groups if g.share > 0]
    if not drawable:
        raise PrintError("no group has a positive share to assign registrants to")
    counts = {g.id: 0 for g in groups}
    for r in registrants:
        if r.group is not None:
            counts[r.group] += 1
    out = []
    for r in registrants:
        if r.group is None and r.participant is None:
            g = min(drawable, key=lambda g: Fraction(counts[g.id] + 1, g.share))
            counts[g.id] += 1
            r = replace(r, group=g.id)
        out.append(r)
    return out
