"""``flashmob schema``: print the JSON Schema of the score format."""

from __future__ import annotations

import json

NAME = "schema"
HELP = "print the JSON Schema of scores (for editor completion via yaml-language-server)"


def configure(parser) -> None:
    parser.add_argument("-o", "--output", help="write to this file instead of stdout")


def run(args) -> int:
    from flashmob.tools.score.jsonschema import score_schema

    text = json.dumps(score_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        print(text, end="")
    return 0
