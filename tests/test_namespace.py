"""Every import of the project's own packages goes through the ``flashmob`` namespace
(``flashmob.conductor``, ``flashmob.tools``): the generic top-level names would collide in
site-packages, and importing one module under two names makes two copies of its state."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD = re.compile(r"^\s*(from|import)\s+(conductor|tools|contract)(\.|\s|$)", re.M)


def test_no_import_outside_the_namespace():
    bad = []
    for p in ROOT.rglob("*.py"):
        if {".venv", ".git", "node_modules", "build"} & set(p.parts):
            continue
        for m in OLD.finditer(p.read_text()):
            line = p.read_text()[: m.start()].count("\n") + 1
            bad.append(f"{p.relative_to(ROOT)}:{line}: {m.group(0).strip()}")
    assert not bad, "imports outside the flashmob namespace:\n" + "\n".join(bad)


def test_the_namespace_reaches_the_checkout_folders():
    import flashmob.conductor
    import flashmob.tools

    assert Path(flashmob.conductor.__file__).parent == ROOT / "conductor"
    assert Path(flashmob.tools.__file__).parent == ROOT / "tools"
