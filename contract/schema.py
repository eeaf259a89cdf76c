"""The manifest's JSON Schema, generated from the records (:mod:`.manifest`).

:func:`manifest_schema` is the schema (draft 2020-12) of what a reader
accepts: a field with a default may be absent, unknown keys are allowed, and
ranges, patterns (ids, sha256, paths, the colour rule) and list sizes are
those the parser checks.  Rules between fields (unique group ids, a positive
share somewhere, spans that do not end before they start, a duration the
sample rate can express, files that exist and match their sha256) are the
parser's and the loader's alone.

Two generated files are committed, and a test fails when either is stale:

* ``docs/manifest.schema.json`` — for people and tools (docs/bundle-format.md);
* ``client_web/js/manifestschema.js`` — the same object as an ES module, which
  the phone page checks every manifest it loads against
  (``client_web/js/manifestcheck.js``).

Regenerate both with ``python -m flashmob.contract.schema``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .manifest import FORMAT, Manifest
from .records import schema

SCHEMA_ID = "https://flashmob.invalid/manifest.schema.json"
FILES = ("docs/manifest.schema.json", "client_web/js/manifestschema.js")


def manifest_schema() -> dict[str, Any]:
    """The JSON Schema of manifest.json (see the module docstring)."""
    return schema(Manifest, title=f"{FORMAT} manifest.json", schema_id=SCHEMA_ID,
                  doc="A flashmob show bundle's manifest (docs/bundle-format.md). Generated from "
                      "contract/manifest.py by `python -m flashmob.contract.schema`: do not edit.")


def generated_files() -> dict[str, str]:
    """Repository-relative path -> the text it must hold."""
    text = json.dumps(manifest_schema(), indent=1, ensure_ascii=False) + "\n"
    js = ("// Generated from contract/manifest.py by `python -m flashmob.contract.schema`: do not edit.\n"
          "// The JSON Schema of a show bundle's manifest.json (docs/manifest.schema.json).\n"
          f"export const MANIFEST_SCHEMA = {text.rstrip()};\n")
    return {FILES[0]: text, FILES[1]: js}


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parents[1]
    for rel, text in generated_files().items():
        (root / rel).write_text(text, encoding="utf-8")
        print(rel, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
