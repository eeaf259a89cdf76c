"""``flashmob qr BUNDLE --url PUBLIC_URL -o DIR``: QR codes and printed matter for a show."""

from __future__ import annotations

import sys

from flashmob.contract.modes import MODES as ASSIGN_MODES  # the one list, shared with flashmob serve --assign

NAME = "qr"
HELP = ("write the join and download QR codes, an A4 poster, A6 flyers, download cards, "
        "a calendar file and badges for a rendered show")


def configure(parser) -> None:
    parser.add_argument("bundle", help="show bundle folder (with manifest.json), as made by flashmob render")
    parser.add_argument("--url", required=True, metavar="PUBLIC_URL",
                        help="the URL phones will open, as given to flashmob serve --public-url "
                             "(e.g. https://mob.example.org)")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write into (created)")
    parser.add_argument("--assign", choices=ASSIGN_MODES, default="balanced",
                        help="group assignment, as given to flashmob serve --assign (default balanced); "
                             "fixed prints one join QR, poster page and flyer page per group")
    parser.add_argument("--badges", metavar="CSV",
                        help="registrants (name, handle, optional group): writes badges.pdf with a personal "
                             "join QR each")
    parser.add_argument("--start", metavar="DATETIME",
                        help="start as 2026-12-05T18:00 (local time of the event), when the score's event "
                             "block has no date/time or to override it")
    parser.add_argument("--db", metavar="PATH",
                        help="the conductor's state file, as given to flashmob serve --db (default: "
                             ".flashmob-conductor.sqlite in the bundle); never opened: group tokens are signed "
                             "with the bundle's .flashmob-group-secret (or FLASHMOB_GROUP_SECRET), and a state "
                             "file with no secret file beside it (a conductor older than that file) is refused")
    parser.add_argument("--flyer-pages", type=int, default=1, metavar="N",
                        help="A4 pages of four flyers per join QR (default 1)")
    parser.add_argument("--qr-only", action="store_true",
                        help="only the QR images (and badges with --badges): no poster, flyers, download "
                             "cards or calendar, which need the score's event block")


def run(args) -> int:
    from pathlib import Path

    from flashmob.tools.print.errors import PrintError
    from flashmob.tools.print.kit import KitOptions, make_kit

    opts = KitOptions(public_url=args.url, assign=args.assign, start=args.start,
                      badges=Path(args.badges) if args.badges else None,
                      db=Path(args.db) if args.db else None, qr_only=args.qr_only,
                      flyer_pages=args.flyer_pages)
    try:
        kit = make_kit(Path(args.bundle), Path(args.output), opts)
    except PrintError as exc:
        print(f"flashmob qr: {exc}", file=sys.stderr)
        return 1
    for w in kit.warnings:
        print(f"warning: {w}", file=sys.stderr)
    links = kit.links
    if links.general:
        print(f"join: {links.general}")
    for g in links.groups:
        if g.join:
            print(f"join {g.id}: {g.join}")
    if kit.secret_source:
        print(f"group tokens signed with the secret of {kit.secret_source}", file=sys.stderr)
    print(f"{len(kit.files)} files written to {args.output}: "
          + ", ".join(p.name for p in kit.files if p.suffix != ".svg"))
    return 0
