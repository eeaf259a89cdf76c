"""``flashmob plan SCORE -o plan.svg|plan.png``: draw the score as lanes."""

from __future__ import annotations

import os
import sys

NAME = "plan"
HELP = "draw the score: one lane per group on a time axis (SVG, or PNG with -o plan.png)"


def configure(parser) -> None:
    parser.add_argument("score", help="the score (YAML)")
    parser.add_argument("-o", "--output", default=None,
                        help="output file, .svg or .png (default: SCORE name + .svg)")
    parser.add_argument("--lang", choices=("en", "fr"), default=None,
                        help="language of the legend and summary (default: the score's language, English if not fr)")


def run(args) -> int:
    from .common import compile_or_report

    out = args.output or os.path.splitext(args.score)[0] + ".plan.svg"
    if os.path.splitext(out)[1].lower() not in (".svg", ".png"):
        print(f"flashmob plan: cannot write '{out}': the plan is drawn as .svg or .png", file=sys.stderr)
        return 2
    loaded = compile_or_report(args.score)
    if isinstance(loaded, int):
        return loaded
    score, timeline, diags = loaded
    from flashmob.tools.plan import write_plan

    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    write_plan(timeline, score.title, out, language=args.lang or score.language)
    print(f"plan written to {out}", file=sys.stderr)
    return 0
