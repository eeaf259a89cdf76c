"""``flashmob dossier BUNDLE -o DIR``: the file for the town hall / prefecture (docs/dossier.md)."""

from __future__ import annotations

import sys

NAME = "dossier"
HELP = ("write the file for the authorities (town hall, prefecture) of a rendered show: organizer, date, "
        "place, attendance, programme and plan, safety set-up, how a stop reaches every phone (PDF)")


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of phones, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def configure(parser) -> None:
    parser.add_argument("bundle", help="show bundle folder (with manifest.json), as made by flashmob render")
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="folder to write dossier.pdf into (created)")
    parser.add_argument("--lang", choices=("fr", "en"), default=None,
                        help="language of the dossier (default: the score's language; French or English)")
    parser.add_argument("--start", metavar="DATETIME",
                        help="start as 2026-12-05T18:00 (local time of the event), when the score's event "
                             "block has no date/time or to override it")
    parser.add_argument("--capacity", type=_positive, metavar="N",
                        help="the admission limit, as given to flashmob serve --capacity: the expected "
                             "attendance when there are no sign-ups")
    parser.add_argument("--signups", metavar="CSV",
                        help="the sign-ups the console exported (Export badges CSV, docs/signups.md): the "
                             "expected attendance is their number")


def run(args) -> int:
    from pathlib import Path

    from flashmob.tools.print.dossierkit import DossierOptions, make_dossier
    from flashmob.tools.print.errors import PrintError

    opts = DossierOptions(language=args.lang, start=args.start, capacity=args.capacity,
                          signups_csv=Path(args.signups) if args.signups else None)
    try:
        result = make_dossier(Path(args.bundle), Path(args.output), opts)
    except PrintError as exc:
        print(f"flashmob dossier: {exc}", file=sys.stderr)
        return 1
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if result.to_complete:
        print(f"{len(result.to_complete)} fact(s) to complete by hand or in the score "
              "(listed at the end of the dossier):", file=sys.stderr)
        for item in result.to_complete:
            print(f"  - {item}", file=sys.stderr)
    print(f"dossier written to {result.path}")
    return 0
