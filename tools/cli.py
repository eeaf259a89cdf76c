"""The ``flashmob`` command line: a thin dispatcher over ``tools.commands``.

Results go to stdout; errors, warnings, progress and timings go to stderr.
Exit codes: 0 success, 1 invalid input (e.g. score errors) or failure,
2 usage error, 130 interrupted (Ctrl-C). An unexpected exception is reported
on one line; ``--debug`` (before or after the command) shows its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# (module, where) — each module defines NAME, HELP, configure(parser), run(args)
COMMANDS = (
    "flashmob.tools.commands.check",
    "flashmob.tools.commands.plan",
    "flashmob.tools.commands.schema",
    "flashmob.tools.commands.render",
    "flashmob.tools.commands.voices",
    "flashmob.tools.commands.script",
    "flashmob.conductor.serve",
    "flashmob.tools.commands.qr",
)

DESCRIPTION = """\
flashmob — synchronized audio flashmobs.

Write the show as a YAML score, check it, draw its plan, render one MP3 per
group, and conduct it live: every phone starts at the same instant.
"""

EPILOG = """\
examples:
  flashmob check scores/demo.yaml
  flashmob plan scores/demo.yaml -o build/plan.svg
  flashmob schema -o score.schema.json
  flashmob render scores/demo.yaml -o build/demo
  flashmob serve build/demo --port 8000
  flashmob qr build/demo --url https://mob.example.org -o build/demo-print

score format: docs/score-format.md
"""


def _modules():
    for name in COMMANDS:
        try:
            yield importlib.import_module(name)
        except ImportError as exc:  # a command whose optional parts are missing
            print(f"flashmob: command module {name} unavailable: {exc}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flashmob", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from flashmob.tools import __version__

    parser.add_argument("--version", action="version", version=f"flashmob {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP[0].upper() + mod.HELP[1:] + ".",
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.configure(p)
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show Python tracebacks of unexpected errors")
        p.set_defaults(run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if getattr(args, "debug", False):
            raise
        from flashmob.tools.voices.synth import one_line

        print(f"flashmob {args.command}: internal error: {one_line(exc)} (run with --debug for details)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
