"""tools/print/reach.py: the figures the dossier cites are those of docs/benchmarks.md."""

import re

from flashmob.tools.print import reach

from .conftest import ROOT


def _table() -> tuple[str, list[list[str]]]:
    doc = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    section = doc.split(f"\n## {reach.SECTION}\n", 1)[1].split("\n## ", 1)[0]
    part = section.split(f"**{reach.TABLE}**", 1)[1]
    all_lines = part.splitlines()
    first = next(i for i, ln in enumerate(all_lines) if ln.startswith("|"))
    lines = []
    for ln in all_lines[first:]:  # the first table after the title, and only it
        if not ln.startswith("|"):
            break
        lines.append(ln)
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = []
    for ln in lines[2:]:
        cells = [c.strip() for c in ln.strip("|").split("|")]
        if len(cells) != len(header):
            break
        rows.append(cells)
    return part, [header] + rows


def test_every_cited_figure_is_in_the_cited_table():
    part, (header, *rows) = _table()
    assert f"`{reach.COMMAND}`" in part  # the command printed above the table
    col, err = header.index("cue to last phone ms"), header.index("errors")
    measured = {int(r[0].replace(",", "")): (float(r[col].replace(",", "")), int(r[err].replace(",", "")))
                for r in rows}
    assert {f.phones: (f.last_phone_ms, f.errors) for f in reach.FIGURES} == measured


def test_the_healthy_size_is_the_documented_one():
    doc = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert re.search(r"holds about \*\*2,000 phones\*\*", doc) and reach.HEALTHY_PHONES == 2000


def test_the_figure_for_a_crowd():
    assert reach.reach_for(350).figure.phones == 1000 and not reach.reach_for(350).beyond_healthy
    assert reach.reach_for(2000).figure.phones == 2000
    r = reach.reach_for(2500)
    assert r.figure.phones == 3000 and r.beyond_healthy
    assert reach.reach_for(20000).figure is None
    assert reach.reach_for(None).figure is None
