"""``flashmob check SCORE``: validate a score and summarise it."""

from __future__ import annotations

import sys

NAME = "check"
HELP = "validate a score; print a one-line summary, or every error as file:line:col"


def configure(parser) -> None:
    parser.add_argument("score", help="the score (YAML)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _meetings(n: int) -> str:
    return f", {n} meeting point{'s' if n != 1 else ''}" if n else ""


def _written_cues(score) -> int:
    return len(score.cues) + sum(len(s.cues) for s in score.sections.values())


def run(args) -> int:
    from flashmob.tools.score.timecode import format_time

    from .common import compile_or_report

    loaded = compile_or_report(args.score)
    if isinstance(loaded, int):
        return loaded
    score, timeline, diags = loaded
    names = ", ".join(g.name for g in score.groups)
    n_groups = len(score.groups)
    print(f"{args.score}: ok — {n_groups} group{'s' if n_groups != 1 else ''} ({names}), "
          f"{_written_cues(score)} cues ({timeline.cue_count} timed events), "
          f"{format_time(timeline.duration_us)}"
          + _meetings(len(timeline.meetings_us)))
    if args.strict and diags.warnings:
        print(f"{len(diags.warnings)} warning(s) with --strict", file=sys.stderr)
        return 1
    return 0
