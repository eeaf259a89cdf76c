"""docs/architecture.md stays true: its import graph is the code's, the layering rule holds,
the layout names every top-level folder, and no comment cites a document that is not here."""

import importlib.util
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")

_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(graph)

# Edges against "tools -> contract <- conductor" that still exist, and why. Only shrink this list.
KNOWN: dict[tuple[str, str], str] = {}


def test_the_import_graph_picture_is_current():
    assert (ROOT / "docs" / "architecture-imports.svg").read_text(encoding="utf-8") == graph.svg(graph.edges()), \
        "docs/architecture-imports.svg is stale: run python scripts/import_graph.py"
    assert "architecture-imports.svg" in DOC


def test_imports_point_one_way():
    bad = {e: files for e, files in graph.edges().items() if graph.forbidden(*e)}
    new = {e: files for e, files in bad.items() if e not in KNOWN}
    assert not new, "imports against tools -> contract <- conductor (docs/architecture.md):\n" + "\n".join(
        f"  {s} -> {d}: {', '.join(f)}" for (s, d), f in new.items())
    gone = sorted(set(KNOWN) - set(bad))
    assert not gone, f"fixed, well done: remove {gone} from KNOWN in tests/test_architecture.py"


def test_the_rule_itself():
    f = graph.forbidden
    assert f("conductor/", "tools/score/") and f("tools/print/", "conductor/") and f("contract/", "conductor/")
    assert f("contract/", "tools/score/") and f("conductor/", "flashmob/cli/") and f("tools/render/", "flashmob/cli/")
    assert not f("tools/render/", "contract/") and not f("conductor/", "contract/")
    assert not f("flashmob/cli/", "conductor/") and not f("tools/render/", "tools/score/")


def test_the_graph_reads_relative_and_lazy_imports(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.flashmob.wheel]\npackages = ["conductor", "tools"]\n'
                                             'data = []\npackage-data = []\n')
    for d in ("flashmob", "conductor", "tools", "tools/score"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "__init__.py").write_text("")
    (tmp_path / "conductor" / "app.py").write_text("from . import bundle\n\ndef f():\n"
                                                   "    from flashmob.tools.score import x\n")
    (tmp_path / "conductor" / "bundle.py").write_text("")
    (tmp_path / "conductor" / "__main__.py").write_text("import flashmob.tools\n")  # entry points: left out
    (tmp_path / "tools" / "score" / "a.py").write_text("from .. import fonts\nfrom ...conductor import bundle\n")
    assert graph.edges(tmp_path) == {("conductor/", "tools/score/"): ["conductor/app.py"],
                                     ("tools/score/", "conductor/"): ["tools/score/a.py"],
                                     ("tools/score/", "tools/*.py"): ["tools/score/a.py"]}


def test_the_layout_names_every_top_level_folder():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    folders = {line.split("/")[0] for line in tracked.splitlines() if "/" in line and not line.startswith(".")}
    folders |= {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}
    missing = sorted(f for f in folders if f"`{f}/`" not in DOC)
    assert not missing, f"docs/architecture.md's layout does not name {missing}"


CODE = ("conductor", "tools", "contract", "flashmob", "client_web", "bench", "tests", "scripts", "docs")


def test_comments_cite_documents_that_exist():
    cited = re.compile(r"DESIGN\.md|DESIGN\s+principle|\bprinciples?\s+\(?\d", re.I)
    bad = []
    for folder in CODE:
        for p in (ROOT / folder).rglob("*"):
            if not p.is_file() or p.suffix not in {".py", ".js", ".mjs", ".md", ".html", ".css"} \
                    or "node_modules" in p.parts or p == Path(__file__):
                continue
            text = p.read_text(encoding="utf-8", errors="replace")
            for m in cited.finditer(text):
                around = text[max(0, m.start() - 120): m.end() + 120]
                if "DESIGN" in m.group(0) or "architecture.md" not in around and p.name != "architecture.md":
                    bad.append(f"{p.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}: {m.group(0)}")
    assert not bad, "cite docs/architecture.md's principles by name:\n" + "\n".join(bad)


def test_every_cited_principle_exists():
    numbers = {int(n) for n in re.findall(r"^(\d+)\. \*\*", DOC.split("## Principles", 1)[1], re.M)}
    assert numbers == set(range(1, 9))
    for folder in CODE:
        for p in (ROOT / folder).rglob("*"):
            if p.is_file() and p.suffix in {".py", ".js", ".md"} and "node_modules" not in p.parts:
                for n in re.findall(r"[Pp]rinciples? (\d+)", p.read_text(encoding="utf-8", errors="replace")):
                    assert int(n) in numbers, f"{p.relative_to(ROOT)} cites principle {n}"
