"""The print kit stands on the show contract alone: tools -> contract <- conductor
(docs/architecture.md); it never imports the live server's code (issue 13)."""

import re
from pathlib import Path

PRINT = Path(__file__).resolve().parents[3] / "tools" / "print"
IMPORT = re.compile(r"^\s*(?:from|import)\s+(flashmob\.conductor\S*|\.\.\.?conductor\S*)", re.M)


def test_the_print_kit_imports_nothing_of_the_conductor():
    bad = [f"{p.name}: {m.group(1)}" for p in sorted(PRINT.glob("*.py"))
           for m in IMPORT.finditer(p.read_text(encoding="utf-8"))]
    assert bad == []
