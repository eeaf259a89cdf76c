"""The ``flashmob`` command line: one module per command, this package is their one home.

Each command module defines ``NAME``, ``HELP``, ``configure(parser)`` and
``run(args) -> int``, and may define ``epilog() -> str`` (help text computed
only when that command's ``--help`` is shown). Command modules import their
heavy dependencies (the renderer, the conductor's FastAPI app) inside ``run``,
so ``flashmob --help`` and ``flashmob check`` stay fast. Entry points: the
``flashmob`` console script, ``python -m flashmob`` and
``python -m flashmob.conductor serve`` (an alias) all call :func:`main`.

Results go to stdout; errors, warnings, progress and timings go to stderr.
Exit codes: 0 success, 1 invalid input (e.g. score errors) or failure,
2 usage error, 130 interrupted (Ctrl-C). An unexpected exception is reported
on one line; ``--debug`` (before or after the command) shows its traceback.
"""

from __future__ import annotations

import argparse
import sys

from . import check, dossier, plan, qr, render, report, schema, script, serve, voices

COMMANDS = (check, plan, schema, render, voices, script, serve, qr, dossier, report)

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
  flashmob dossier build/demo -o build/demo-print
  flashmob report build/demo -o build/demo-report

score format: docs/score-format.md
"""


class CommandParser(argparse.ArgumentParser):
    """A command's parser: its ``epilog()``, if any, is computed when its help is shown."""

    epilog_fn = None

    def format_help(self) -> str:
        if self.epilog_fn is not None:
            self.epilog, self.epilog_fn = self.epilog_fn(), None
        return super().format_help()


def add_command(sub, mod) -> argparse.ArgumentParser:
    """Add command module ``mod`` to the subparsers ``sub`` (of any parser); returns its parser."""
    p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP[0].upper() + mod.HELP[1:] + ".",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    if hasattr(mod, "epilog"):
        if isinstance(p, CommandParser):
            p.epilog_fn = mod.epilog
        else:  # another program's parser: compute it now
            p.epilog = mod.epilog()
    mod.configure(p)
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show Python tracebacks of unexpected errors")
    p.set_defaults(run=mod.run)
    return p


def build_parser() -> argparse.ArgumentParser:
    from flashmob import __version__

    parser = argparse.ArgumentParser(prog="flashmob", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"flashmob {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    for mod in COMMANDS:
        add_command(sub, mod)
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
