"""``flashmob script SCORE -o lines.csv``: the recording script of a score.

One row per spoken line (countdown numbers included), so a human voice can
replace text-to-speech line by line: record each file, then give the cue a
``clip:`` with that file name (or use a ``clips`` voice).
"""

from __future__ import annotations

import csv
import io
import sys

NAME = "script"
HELP = "export every spoken line (cue id, group, time, text, file to record) as CSV"

COLUMNS = ("cue", "groups", "time", "line", "voice", "text", "record_as")


def configure(parser) -> None:
    parser.add_argument("score", help="the score (YAML)")
    parser.add_argument("-o", "--output", help="CSV file (default: stdout)")


def rows(score, timeline):
    """One dict per distinct spoken line, in time order (shared lines once)."""
    from flashmob.tools.render.group import slug
    from flashmob.tools.score.timecode import format_time

    seen = {}
    for gt in timeline.groups:
        for e in gt.events:
            if e.kind != "say" or e.clip is not None:
                continue
            key = (e.id, e.text)
            if key in seen:
                continue
            seen[key] = {"cue": e.id, "groups": " ".join(e.groups), "time": format_time(e.start_us),
                         "line": e.loc.line, "voice": e.voice.id if e.voice else "", "text": e.text,
                         "_t": e.start_us}
    ordered = sorted(seen.values(), key=lambda r: r["_t"])
    for n, row in enumerate(ordered, 1):
        row["record_as"] = f"{n:03d}-{slug(row['text'])[:30]}.wav"
    return ordered


def run(args) -> int:
    from .common import compile_or_report

    loaded = compile_or_report(args.score)
    if isinstance(loaded, int):
        return loaded
    score, timeline, diags = loaded
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    table = rows(score, timeline)
    for row in table:
        writer.writerow(row)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(buf.getvalue())
        print(f"{len(table)} lines written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(buf.getvalue())
    return 0
