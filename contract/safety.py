"""The bundle's private safety file (``.flashmob-safety.json``): records, one writer, one reader.

The score's optional ``safety`` block (docs/score-format.md) is for the
authorities, not for the crowd: it can name the chief steward and the person
holding the console with their phone numbers. So the renderer does not put it
in ``manifest.json`` (which every phone downloads) but in this dot-file of the
bundle, which the conductor never serves (``conductor/files.py``: no
dot-files). ``flashmob dossier`` reads it (docs/dossier.md).

* :func:`safety_json` — the one writer: :class:`SafetyFile` -> JSON-ready dict.
* :func:`read_safety_file` — the one reader: the bundle folder -> :class:`SafetyFile`,
  ``None`` when the file is absent (a score without ``safety``, or a bundle
  rendered before it existed), :class:`SafetyFileError` naming the field when
  it is not one.

Format version 1. It is written by each render (not kept across renders like
the group secret): a score without the block gives a bundle without the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .dotfile import read_record_file
from .records import record, spec, write

SAFETY_FILE = ".flashmob-safety.json"
FORMAT = "flashmob-safety"
VERSION = 1
MAX_BYTES = 1024 * 1024
MAX_PEOPLE = 10_000_000
MAX_TEXT = 2000                  # characters of one text; the score reader refuses longer ones
MAX_EXITS = 100
_TEXT = {"default": None, "max_length": MAX_TEXT}


class SafetyFileError(ValueError):
    """A safety file that cannot be read: the message names the file and the field."""


@record
class Stewards:
    """Who keeps the crowd safe."""

    count: int | None = spec("how many stewards", default=None, minimum=0, maximum=MAX_PEOPLE)
    lead: str | None = spec("the chief steward and how to reach them", **_TEXT)
    note: str | None = spec("how they are recognised, where they stand", **_TEXT)


@record
class SafetyFile:
    """The score's ``safety`` block, as rendered into the bundle."""

    format: str = spec("always flashmob-safety", const=FORMAT, expected=f'"{FORMAT}"')
    version: int = spec("the format version", enum=(VERSION,))
    expected: int | None = spec("participants the organizer expects", default=None, minimum=1, maximum=MAX_PEOPLE)
    stewards: Stewards | None = spec("the stewards", default=None)
    first_aid: str | None = spec("first aid: who, where", **_TEXT)
    water: str | None = spec("drinking water: where", **_TEXT)
    exits: tuple[str, ...] = spec("ways out of the place", default=(), max_items=MAX_EXITS, max_length=MAX_TEXT)
    console: str | None = spec("who holds the conductor's console, and how to reach them", **_TEXT)


def safety_json(safety: SafetyFile) -> dict[str, Any]:
    """The one writer (key order is the field order)."""
    return write(safety)


def read_safety_file(bundle_dir: str | Path) -> SafetyFile | None:
    """The bundle's safety file, None when there is none (see the module docstring)."""
    return read_record_file(Path(bundle_dir) / SAFETY_FILE, SafetyFile, max_bytes=MAX_BYTES, what="safety file",
                            error=SafetyFileError)


__all__ = ["SAFETY_FILE", "FORMAT", "VERSION", "SafetyFile", "SafetyFileError", "Stewards", "safety_json",
           "read_safety_file"]
