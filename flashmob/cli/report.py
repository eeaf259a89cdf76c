"""``flashmob report BUNDLE -o DIR``: after the show, how it went (docs/report.md)."""

from __future__ import annotations

import sys

NAME = "report"
HELP = ("write the after-show report of a served show: attendance, readiness at the arm, who played from the "
        "start, dropouts, sync and drift, engines (one HTML page with pictures, and CSV)")


def configure(parser) -> None:
    parser.add_argument("bundle", help="show bundle folder (with manifest.json) the conductor served")
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="folder to write report.html and the CSV tables into (created)")
    parser.add_argument("--log", action="append", default=[], metavar="FILE",
                        help="a conductor's show log (repeat: one per node, merged); default: the *.showlog "
                             "files in the bundle folder")


def run(args) -> int:
    from pathlib import Path

    from flashmob.tools.report.page import ReportError, make_report

    try:
        written = make_report(Path(args.bundle), Path(args.output), [Path(p) for p in args.log] or None)
    except ReportError as exc:
        print(f"flashmob report: {exc}", file=sys.stderr)
        return 1
    print(f"report written to {written[0]} (and {', '.join(p.name for p in written[1:])})")
    return 0
