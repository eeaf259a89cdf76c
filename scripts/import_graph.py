#!/usr/bin/env python3
"""Draw who imports whom among flashmob's packages: docs/architecture-imports.svg.

    python scripts/import_graph.py            rewrite docs/architecture-imports.svg
    python scripts/import_graph.py --check    exit 1 if the file is stale (tests/test_architecture.py)
    python scripts/import_graph.py --edges    print the edges, forbidden ones marked

The graph is read from the code, not drawn by hand: every ``import`` and
``from ... import`` (at any depth, lazy ones too) of the Python files in the
folders the wheel installs under ``flashmob/`` (pyproject.toml's
``[tool.flashmob.wheel]`` packages) and of ``flashmob/`` itself, relative
imports resolved. Entry-point files (``__main__.py``) are left out: an alias
such as ``python -m flashmob.conductor`` may call the CLI. A node is a package:
``flashmob/cli/``, ``conductor/``, ``contract/``, each subpackage of ``tools/``
and ``tools/`` own loose modules. Layers come from the edges (a package sits
above everything it imports); edges that break the layering rule of
docs/architecture.md ("Who imports whom") are drawn red and dashed. The web
client (``client_web/``) imports no Python: it is drawn apart, joined to the
conductor by HTTP and the websocket. Stdlib only, deterministic output.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "architecture-imports.svg"


# ---------------------------------------------------------------- reading the code

def package_folders(root: Path = ROOT) -> list[str]:
    rules = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["flashmob"]["wheel"]
    return ["flashmob", *(n for n in rules["packages"] if (root / n / "__init__.py").is_file())]


def module_name(path: Path, root: Path = ROOT) -> str:
    """``conductor/app.py`` -> ``flashmob.conductor.app``; ``flashmob/cli/__init__.py`` -> ``flashmob.cli``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts if parts[0] == "flashmob" else ["flashmob", *parts])


def modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for folder in package_folders(root):
        for path in sorted((root / folder).rglob("*.py")):
            if "__pycache__" not in path.parts and path.name != "__main__.py":
                found[module_name(path, root)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The flashmob modules that module ``name`` (file ``path``) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{a.name}" for a in node.names} & known
            out.update(subs)
            if len(subs) < len(node.names):  # names defined in the module itself
                out.add(target)
    return {m for m in out if m.split(".")[0] == "flashmob" and m != "flashmob"}


def node_of(module: str, root: Path = ROOT) -> str | None:
    """The package a module belongs to, as the graph draws it."""
    parts = module.split(".")[1:]
    if not parts:
        return None
    if parts[0] == "tools":
        if len(parts) > 1 and (root / "tools" / parts[1]).is_dir():
            return f"tools/{parts[1]}/"
        return "tools/*.py"
    return "flashmob/cli/" if parts[0] == "cli" else f"{parts[0]}/"


def edges(root: Path = ROOT) -> dict[tuple[str, str], list[str]]:
    """(importer, imported) -> the importing files (relative paths), for every edge between two nodes."""
    mods = modules(root)
    known = set(mods)
    out: dict[tuple[str, str], list[str]] = {}
    for name, path in mods.items():
        src = node_of(name, root)
        for target in sorted(imports_of(name, path, known)):
            dst = node_of(target, root)
            if src and dst and dst != src:
                out.setdefault((src, dst), [])
                rel = path.relative_to(root).as_posix()
                if rel not in out[(src, dst)]:
                    out[(src, dst)].append(rel)
    return dict(sorted(out.items()))


def area(node: str) -> str:
    return node.split("/")[0]


def forbidden(src: str, dst: str) -> bool:
    """The layering rule: the CLI imports anything; tools/ and conductor/ import contract/ (and tools/
    its own packages), never each other; contract/ imports nothing of flashmob; nothing imports the CLI."""
    a, b = area(src), area(dst)
    if b == "flashmob":
        return True
    if a == "flashmob":
        return False
    if a == "contract":
        return b != "contract"
    if a == "tools":
        return b == "conductor"
    if a == "conductor":
        return b == "tools"
    return False


# ---------------------------------------------------------------- drawing

NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 150, 40, 30, 60, 20
COLOURS = {"flashmob": "#ede7f6", "tools": "#e3f2fd", "conductor": "#fff3e0", "contract": "#e8f5e9"}
ORDER = ("flashmob", "tools", "contract", "conductor")
WIDTH_MIN = 820


def reduced(graph: dict[tuple[str, str], list[str]]) -> dict[tuple[str, str], list[str]]:
    """The edges to draw: an allowed edge implied by a chain of other edges is left out (the chain
    shows it); forbidden edges are always drawn."""
    succ: dict[str, set[str]] = {}
    for s, d in graph:
        if not forbidden(s, d):  # a chain through a forbidden edge implies nothing
            succ.setdefault(s, set()).add(d)

    def reachable(a: str, b: str, skip: tuple[str, str]) -> bool:
        seen, todo = set(), [a]
        while todo:
            n = todo.pop()
            for d in succ.get(n, ()):
                if (n, d) != skip and d not in seen:
                    if d == b:
                        return True
                    seen.add(d)
                    todo.append(d)
        return False

    return {e: f for e, f in graph.items() if forbidden(*e) or not reachable(e[0], e[1], e)}


def depths(nodes: list[str], graph: dict[tuple[str, str], list[str]]) -> dict[str, int]:
    """Length of each node's longest chain of allowed imports inside its own area (cycles cut)."""
    out = {n: [d for (s, d) in graph if s == n and area(d) == area(n) and not forbidden(s, d)] for n in nodes}
    depth: dict[str, int] = {}

    def visit(n: str, stack: tuple[str, ...]) -> int:
        if n not in depth:
            depth[n] = 1 + max((visit(d, stack + (n,)) for d in out[n] if d not in stack), default=-1)
        return depth[n]

    for n in nodes:
        visit(n, ())
    return depth


def place(nodes: list[str], graph: dict[tuple[str, str], list[str]]) -> tuple[dict[str, tuple[float, float]], float]:
    """Positions: the CLI on top; tools/ on the left, its packages layered by their imports; the
    conductor on the right under the CLI; contract/ at the bottom, between them. Returns (positions, width)."""
    depth = depths(nodes, graph)
    tools = [n for n in nodes if area(n) == "tools"]
    levels = max((depth[n] for n in tools), default=0) + 1
    rows: list[list[str]] = [[] for _ in range(levels)]
    for n in tools:
        rows[levels - 1 - depth[n]].append(n)
    tools_w = max((len(r) for r in rows), default=1) * (NODE_W + GAP_X) - GAP_X
    right_x = MARGIN + tools_w + 2 * GAP_X
    width = max(WIDTH_MIN, right_x + 2 * NODE_W + 60 + MARGIN)
    row_y = [MARGIN + (i + 1) * (NODE_H + GAP_Y) for i in range(levels)]
    pos: dict[str, tuple[float, float]] = {}
    for i, row in enumerate(rows):
        row_w = len(row) * (NODE_W + GAP_X) - GAP_X
        x0 = MARGIN + (tools_w - row_w) / 2
        for j, n in enumerate(sorted(row)):
            pos[n] = (x0 + j * (NODE_W + GAP_X), row_y[i])
    for n in nodes:
        if area(n) == "flashmob":
            pos[n] = (MARGIN + (tools_w + GAP_X + NODE_W) / 2 - NODE_W / 2, MARGIN)
        elif area(n) == "conductor":
            pos[n] = (right_x, row_y[0])
        elif area(n) == "contract":
            pos[n] = (MARGIN + tools_w + GAP_X - NODE_W / 2, MARGIN + (levels + 1) * (NODE_H + GAP_Y))
    return pos, width


def svg(graph: dict[tuple[str, str], list[str]], root: Path = ROOT) -> str:
    nodes = sorted({n for e in graph for n in e} | {node_of(m, root) for m in modules(root)} - {None},
                   key=lambda n: (ORDER.index(area(n)), n))
    pos, total_w = place(nodes, graph)
    legend_h = 56
    total_h = max(y for _, y in pos.values()) + NODE_H + GAP_Y / 2 + legend_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w:.0f}" height="{total_h:.0f}" '
           f'viewBox="0 0 {total_w:.0f} {total_h:.0f}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" '
           'font-size="13">',
           '<!-- generated by scripts/import_graph.py from the code: do not edit -->',
           '<defs><marker id="a" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#546e7a"/></marker>'
           '<marker id="r" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker></defs>',
           f'<rect width="{total_w:.0f}" height="{total_h:.0f}" fill="#ffffff"/>']
    for (src, dst) in reduced(graph):
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        ax, bx = x1 + NODE_W / 2, x2 + NODE_W / 2
        if y2 > y1:
            ay, by = y1 + NODE_H, y2
        elif y2 < y1:
            ay, by = y1, y2 + NODE_H
        else:  # same row: leave by a side
            ay = by = y1 + NODE_H / 2
            ax, bx = (x1 + NODE_W, x2) if x2 > x1 else (x1, x2 + NODE_W)
        mid = (ay + by) / 2
        bad = forbidden(src, dst)
        title = escape(f"{src} -> {dst}")  # the files: --edges (kept out so that the picture changes rarely)
        style = 'stroke="#c62828" stroke-dasharray="6 4" marker-end="url(#r)"' if bad else \
            'stroke="#546e7a" marker-end="url(#a)"'
        path = (f"M{ax:.0f},{ay:.0f} L{bx:.0f},{by:.0f}" if ay == by else
                f"M{ax:.0f},{ay:.0f} C{ax:.0f},{mid:.0f} {bx:.0f},{mid:.0f} {bx:.0f},{by:.0f}")
        out.append(f'<path d="{path}" fill="none" stroke-width="1.5" {style}><title>{title}</title></path>')
    for n, (x, y) in pos.items():
        out.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="6" '
                   f'fill="{COLOURS[area(n)]}" stroke="#37474f"/>')
        out.append(f'<text x="{x + NODE_W / 2:.0f}" y="{y + NODE_H / 2 + 5:.0f}" text-anchor="middle">'
                   f'{escape(n)}</text>')
    cx, wy = pos.get("conductor/", (MARGIN, MARGIN))
    web_x = cx + NODE_W + 60
    out.append(f'<rect x="{web_x:.0f}" y="{wy:.0f}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="#fce4ec" '
               'stroke="#37474f" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{web_x + NODE_W / 2:.0f}" y="{wy + NODE_H / 2 + 5:.0f}" text-anchor="middle">'
               'client_web/ (JS)</text>')
    out.append(f'<path d="M{cx + NODE_W:.0f},{wy + NODE_H / 2:.0f} L{web_x:.0f},{wy + NODE_H / 2:.0f}" '
               'stroke="#ad1457" stroke-width="1.5" stroke-dasharray="2 3" fill="none"/>')
    out.append(f'<text x="{cx + NODE_W + 30:.0f}" y="{wy + NODE_H / 2 - 6:.0f}" text-anchor="middle" '
               'font-size="11" fill="#ad1457">HTTP, ws</text>')
    ly = total_h - legend_h + 14
    out.append(f'<text x="{MARGIN}" y="{ly:.0f}" font-size="12" fill="#37474f">A → B: a module of A imports one of '
               'B (the files: --edges); arrows implied by a chain are left out. Red dashed: against the rule</text>')
    out.append(f'<text x="{MARGIN}" y="{ly + 17:.0f}" font-size="12" fill="#37474f">tools → contract ← conductor. '
               'Generated by scripts/import_graph.py; tests/test_architecture.py fails when it is stale.</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    graph = edges()
    if "--edges" in argv:
        for (src, dst), files in graph.items():
            print(f"{'FORBIDDEN ' if forbidden(src, dst) else ''}{src} -> {dst}: {', '.join(files)}")
        return 0
    text = svg(graph)
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python scripts/import_graph.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)} written ({len(graph)} edges)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
