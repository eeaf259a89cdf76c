"""``flashmob report``: a show's logs -> one self-contained HTML page and its CSV tables.

:func:`make_report` reads the bundle (group names and colours; the manifest
only, no audio), merges the show logs (:mod:`.logs`), collects the facts
(:mod:`.facts`), draws the pictures (:mod:`.figures`, inline SVG) and writes
``report.html`` (no external file: the CSV tables are in it too, as download
links) and the CSV files (:mod:`.tables`) into the output folder.
:func:`render_page` is the page alone (the conductor's ``/api/report``).
Errors a user can fix are :class:`ReportError` (a ValueError) with a message
naming the file.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

from flashmob.contract import showlog as fmt
from flashmob.contract.bundle import BundleError, load_bundle

from . import figures, tables
from .facts import Facts, NoShow, collect
from .logs import find_logs, read_logs

STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}td.n{text-align:right}
.src{color:#666;font-size:.85em}figure{margin:1rem 0}svg{max-width:100%;height:auto}
.note{background:#fff8e1;padding:.5rem}"""


class ReportError(ValueError):
    """The report cannot be made: the message says why and what to give instead."""


@dataclass(frozen=True)
class Report:
    html: str
    tables: dict[str, str]
    facts: Facts


def build(bundle_dir: Path, logs: list[Path] | None = None) -> Report:
    try:
        bundle = load_bundle(bundle_dir, verify=False)
    except BundleError as exc:
        raise ReportError(str(exc)) from None
    paths = list(logs) if logs else find_logs(bundle.root)
    if not paths:
        raise ReportError(f"{bundle.root}: no show log (*{fmt.SUFFIX}) in the bundle folder; give the "
                          "conductor's log(s) with --log (one per node)")
    try:
        merged = read_logs(paths)
        facts = collect(merged.records, len(bundle.groups))
    except (fmt.ShowLogError, NoShow) as exc:
        raise ReportError(str(exc)) from None
    except OSError as exc:
        raise ReportError(f"cannot read a show log: {exc}") from None
    if merged.torn_bytes:
        facts.notes.append(f"{merged.torn_bytes} byte(s) of a partial last record were ignored")
    revisions = {int(w) for w in merged.records["who"][merged.records["kind"] == fmt.BOOT]}
    if revisions and fmt.revision_key(bundle.revision) not in revisions:
        facts.notes.append("the logs were written for another revision of this bundle: group names may not match")
    names = [g.name for g in bundle.groups]
    colours = [g.colour for g in bundle.groups]
    csvs = tables.all_tables(facts, names)
    return Report(_page(bundle.title, bundle.show_id, facts, names, colours, csvs, merged.paths), csvs, facts)


def render_page(bundle_dir: Path, logs: list[Path] | None = None) -> str:
    """The report's HTML (raises ReportError)."""
    return build(bundle_dir, logs).html


def make_report(bundle_dir: Path, out_dir: Path, logs: list[Path] | None = None) -> list[Path]:
    """Write report.html and the CSV tables into ``out_dir`` (created); returns the paths written."""
    rep = build(bundle_dir, logs)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "report.html"]
    written[0].write_text(rep.html, encoding="utf-8")
    for name, text in rep.tables.items():
        (out_dir / name).write_text(text, encoding="utf-8")
        written.append(out_dir / name)
    return written


def _page(title: str, show_id: str, facts: Facts, names: list[str], colours: list[str], csvs: dict[str, str],
          paths: tuple[Path, ...]) -> str:
    e = html.escape
    run = facts.run
    rows = "".join(f"<tr><td>{e(what)}</td><td class=n>{e(str(value))}</td><td class=src>{e(src)}</td></tr>"
                   for what, value, src in tables.summary_rows(facts))
    pictures = [
        ("Attendance", figures.attendance(facts, names, colours)),
        ("Ready at the arm, playing at the start", figures.readiness(facts, names, colours)),
        ("Sync error bounds", figures.sync_bounds(facts)),
        ("Drift", figures.drift(facts)),
        ("Dropouts", figures.dropouts(facts)),
        ("Engines and output latencies", figures.engines(facts)),
    ]
    figs = "".join(f"<h2>{e(h)}</h2><figure>{svg}</figure>" for h, svg in pictures)
    links = " · ".join(f'<a download="{e(name)}" href="data:text/csv;charset=utf-8;base64,'
                       f'{base64.b64encode(text.encode()).decode()}">{e(name)}</a>' for name, text in csvs.items())
    notes = "".join(f"<p class=note>{e(n)}</p>" for n in facts.notes)
    logs = ", ".join(e(p.name) for p in paths)
    return f"""<!doctype html><html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Report — {e(title)}</title>
<style>{STYLE}</style><body>
<h1>After the show: {e(title)}</h1>
<p>Show <code>{e(show_id)}</code>, {e(run.outcome)}. Times are seconds from the start. Participants are numbered
1..{len(facts.phones)} in the order they joined; no participant id or personal data is in this report.
<b>Conductor saw</b>: connections, confirmed seats, frames and their arrival times.
<b>Self-reported</b>: what the phones said about themselves in their status reports (verified files, sound,
engine, position, sync error bound, output latency).</p>
{notes}
<h2>Summary</h2><table><tr><th>what</th><th>value</th><th>source</th></tr>{rows}</table>
{figs}
<h2>Data</h2><p>The same data as CSV: {links}</p>
<p class=src>From the show log(s): {logs}.</p>
</body></html>
"""
