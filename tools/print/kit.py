"""``flashmob qr``'s work: every printed file of one show, written to a folder.

:func:`make_kit` loads the bundle (``flashmob.contract.bundle.load_bundle``: the same
checks as the conductor), reads the event from its manifest, works out the
links (:mod:`tools.print.links`) and writes:

==========================  ==================================================
``join.png`` / ``.svg``     the general join QR (not in ``fixed`` mode)
``join-GROUP.png`` / ``.svg``  each group's join QR with its signed token (``fixed``)
``download-GROUP.png`` / ``.svg``  each group's direct MP3 download QR
``signup.png`` / ``.svg``   the sign-up page's QR, when the score takes sign-ups
``poster.pdf``              A4 poster(s): one page per join QR
``flyers.pdf``              A6 flyers, four per A4 page with cut marks, per join QR
``downloads.pdf``           direct-download cards with the offline instructions
``event.ics``               the calendar event (``event-GROUP.ics`` in ``fixed``)
``badges.pdf``              name badges with personal join QRs (``--badges``)
``links.txt``               every URL, what it is for, and how to serve the show
==========================  ==================================================

A **surprise** show (the manifest's ``surprise``: phones are not told their group
before the reveal) gets nothing that gives a group away: no download cards and
no ``download-GROUP`` QR codes (a card names its group; ``/download/GROUP``
answers only the console), no per-group poster, flyers or calendar in
``fixed`` mode — its per-group join QR codes are written as
``organizers-only-join-GROUP.png``/``.svg``, to be handed out face down — and
no badge whose QR code would carry a group (``fixed`` mode without sign-up
ids), and no group name nor colour on any badge. The
warnings say what was left out and why.

Contract: invalid input raises :class:`PrintError` *before* anything is
written, with a message naming what to fix (a bundle that is not one, a bad
public URL, missing event facts, a bad CSV row...). Absent-but-defaultable
facts become ``warnings`` in the :class:`Kit` returned. ``qr_only`` skips the
poster, flyers, download cards and calendar (which need the event facts).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flashmob.contract.bundle import Bundle, BundleError, load_bundle
from flashmob.contract.secret import ENV as SECRET_ENV
from flashmob.contract.secret import SECRET_FILE
from flashmob.contract.signups import SignupFileError, read_signup_settings
from flashmob.contract.urls import check_public_url, signup_url

from . import pdfkit
from .badges import Badge, badges_pdf
from .downloads import download_card, downloads_pdf
from .errors import PrintError
from .event import EventInfo, advice, event_info, missing_for_print
from .flyers import flyers_pdf
from .ics import event_ics
from .links import GROUP_MODES, ShowLinks, group_signer, show_links, usable_hint
from .poster import poster_pdf
from .qr import qr_png, qr_svg
from .registrants import Registrant, fill_groups, read_registrants
from .texts import labels, long_date
from .wording import wording


@dataclass
class KitOptions:
    public_url: str
    assign: str = "balanced"
    start: str | None = None            # ISO 8601, overrides the event's date and time
    badges: Path | None = None          # registrants CSV
    db: Path | None = None              # the conductor's state file (--db): only tested for existence
    qr_only: bool = False
    flyer_pages: int = 1
    now: dt.datetime | None = None      # for the calendar's DTSTAMP and PDF dates (default: the clock)


@dataclass
class Kit:
    bundle: Bundle
    info: EventInfo
    links: ShowLinks
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    secret_source: str | None = None
    registrants: list[Registrant] = field(default_factory=list)
    signup_url: str | None = None       # the sign-up page, when the show takes sign-ups


def load_print_bundle(bundle_dir: Path) -> Bundle:
    """The bundle, checked as the conductor checks it; PrintError saying why it is not one."""
    try:
        return load_bundle(bundle_dir)
    except BundleError as exc:
        text = str(exc)
        if " is not a show bundle" in text:
            raise PrintError(text) from None
        raise PrintError(f"{bundle_dir} is not a usable show bundle: {text}") from None
    except OSError as exc:
        raise PrintError(f"{bundle_dir}: cannot read the bundle: {exc}") from None


def _url_warnings(url: str) -> list[str]:
    parts = urlsplit(url)
    out = []
    if parts.hostname in ("localhost", "127.0.0.1", "::1", "0.0.0.0"):
        out.append(f"the public URL {url} only works on this machine: phones cannot reach it")
    elif parts.scheme == "http":
        out.append("the public URL is plain http: phones need HTTPS for wake lock and offline caching "
                   "(docs/protocol.md, Deployment)")
    return out


def _glyph_warnings(texts: Mapping[str, str]) -> list[str]:
    out = []
    for where, text in texts.items():
        missing = pdfkit.missing_glyphs(text) | pdfkit.missing_glyphs(text, bold=True)
        if missing:
            out.append(f"{where}: the bundled font cannot draw {''.join(sorted(missing))!r}; "
                       "those characters will be blank on the PDFs")
    return out


def _check_registrants(regs: list[Registrant], bundle: Bundle, assign: str, source: str,
                       warnings: list[str]) -> list[Registrant]:
    grouped = [r for r in regs if r.group is not None and r.participant is None]  # an id carries its group
    if grouped and assign not in GROUP_MODES:
        r = grouped[0]
        raise PrintError(f"{source}:{r.line}: {r.name} has group {r.group!r}, but a conductor in {assign} "
                         "assignment ignores the group of a join URL — pass --assign fixed (and serve with "
                         "--assign fixed), or leave the group column empty")
    if assign == "fixed":
        without = {r.line for r in regs if r.group is None and r.participant is None}
        regs = fill_groups(regs, bundle.groups)
        if without:
            counts = Counter(r.group for r in regs if r.line in without)
            spread = ", ".join(f"{counts[g.id]} to {g.name}" for g in bundle.groups if counts[g.id])
            warnings.append(f"{len(without)} registrant(s) without a group were given one, balanced by "
                            f"share ({spread}): in fixed assignment every badge needs a group")
    return regs


def make_kit(bundle_dir: Path, out_dir: Path, opts: KitOptions, env: Mapping[str, str] | None = None) -> Kit:
    now = opts.now or dt.datetime.now(dt.timezone.utc)
    bundle = load_print_bundle(Path(bundle_dir))
    try:
        public = check_public_url(opts.public_url)
    except ValueError as exc:
        raise PrintError(f"--url: {exc}") from None
    if opts.flyer_pages < 1:
        raise PrintError("--flyer-pages must be at least 1")
    info = event_info(bundle.manifest, opts.start)
    warnings = _url_warnings(public)
    if not opts.qr_only:
        missing = missing_for_print(info)
        if missing:
            raise PrintError("cannot print the poster, flyers and calendar of this show:\n"
                             + "\n".join(f"  - {m}" for m in missing)
                             + "\n(--qr-only writes the QR codes alone)")
        warnings += advice(info, now)
    regs: list[Registrant] = []
    if opts.badges is not None:
        regs = read_registrants(opts.badges, bundle.groups)
        regs = _check_registrants(regs, bundle, opts.assign, Path(opts.badges).name, warnings)
    long_hints = [r for r in regs if r.handle and usable_hint(r.handle) is None]
    if long_hints:
        lines = ", ".join(str(r.line) for r in long_hints[:10])
        warnings.append(f"{len(long_hints)} handle(s) too long for a compact badge QR once URL-encoded "
                        f"(line(s) {lines}): printed on the badge, left out of its join URL")
    surprise = bundle.manifest.surprise is not None
    carrying = [r for r in regs if r.participant is None and (r.group is not None or opts.assign == "fixed")]
    if surprise and carrying:
        r = carrying[0]
        raise PrintError(f"{Path(opts.badges).name}:{r.line}: the groups of this show are a surprise: "
                         f"{r.name}'s badge QR code would carry the group; print badges without groups with "
                         "--assign balanced or random (the conductor assigns the group, revealed at the reveal), "
                         "or from the sign-up export (its participant ids say nothing of the group)")
    if surprise:
        warnings.append("the groups of this show are a surprise: no download cards nor download QR codes "
                        "(a card names its group; /download/GROUP is for the console only)")
        if opts.assign == "fixed":
            warnings.append("the groups of this show are a surprise: the per-group join QR codes are written as "
                            "organizers-only-join-GROUP.* (hand them out face down); no per-group poster, "
                            "flyers or calendar")
    sign, source = None, None
    if opts.assign == "fixed" or any(r.group and not r.participant for r in regs):
        sign, source = group_signer(bundle, opts.db, env)
    links = show_links(bundle, public, opts.assign, sign)
    texts = {"title": info.title, "place": info.place or "", "meeting point": info.meeting_point or "",
             "organizer": f"{info.organizer_name or ''} {info.organizer_contact or ''}"}
    texts.update({f"{Path(opts.badges).name}:{r.line}": f"{r.name} {r.handle or ''}" for r in regs})
    warnings += _glyph_warnings(texts)
    kit = Kit(bundle=bundle, info=info, links=links, warnings=warnings, secret_source=source, registrants=regs,
              signup_url=_signup_url(bundle, public))

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PrintError(f"cannot create the output folder {out}: {exc.strerror or exc}") from None

    def write(name: str, data: bytes | str) -> None:
        path = out / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8", newline="")
        else:
            path.write_bytes(data)
        kit.files.append(path)

    joins = _join_targets(links)
    for stem, url, g in joins:
        stem = f"{ORGANIZERS_ONLY}{stem}" if surprise and g is not None else stem
        write(f"{stem}.png", qr_png(url))
        write(f"{stem}.svg", qr_svg(url))
    if surprise:  # nothing printed for participants may name a group
        joins = [j for j in joins if j[2] is None]
    for g in () if surprise else links.groups:
        write(f"download-{g.id}.png", qr_png(g.download))
        write(f"download-{g.id}.svg", qr_svg(g.download))
    if kit.signup_url:  # the show takes sign-ups (docs/signups.md): the page's code, for invitations
        write("signup.png", qr_png(kit.signup_url))
        write("signup.svg", qr_svg(kit.signup_url))
    created = now
    if not opts.qr_only and joins:
        pages = [wording(info, url, group_name=g.name if g else None, group_colour=g.colour if g else None)
                 for _, url, g in joins]
        write("poster.pdf", poster_pdf(pages, created=created))
        flyers = [wording(info, url, group_name=g.name if g else None, group_colour=g.colour if g else None,
                          scan_key="flyer_scan") for _, url, g in joins]
        write("flyers.pdf", flyers_pdf(flyers, pages_each=opts.flyer_pages, created=created))
        cards = [download_card(info, group_name=g.name, colour=g.colour, url=g.download,
                               file_name=g.mp3_path.rsplit("/", 1)[-1], n_bytes=g.mp3_bytes) for g in links.groups]
        if not surprise:
            write("downloads.pdf", downloads_pdf(cards, created=created))
        for _, url, g in joins:
            name = "event.ics" if g is None else f"event-{g.id}.ics"
            write(name, event_ics(info, url, now=now, uid_suffix=g.id if g else "event"))
    if regs:
        write("badges.pdf", badges_pdf(_badges(regs, info, links, hide_groups=surprise), info.title, info.language,
                                       created=created))
    write("links.txt", links_text(kit, Path(bundle_dir)))
    return kit


def _signup_url(bundle: Bundle, public: str) -> str | None:
    """The sign-up page's URL when the bundle has sign-up settings (a damaged file: PrintError)."""
    try:
        settings = read_signup_settings(bundle.root)
    except SignupFileError as exc:
        raise PrintError(str(exc)) from None
    return signup_url(public) if settings is not None else None


ORGANIZERS_ONLY = "organizers-only-"
"""File-name prefix of a surprise show's per-group join QR codes (never shown to participants)."""


def _join_targets(links: ShowLinks):
    """``(file stem, join URL, group or None)`` for each join QR of the show."""
    if links.general is not None:
        return [("join", links.general, None)]
    return [(f"join-{g.id}", g.join, g) for g in links.groups]


def _badges(regs: list[Registrant], info: EventInfo, links: ShowLinks, *, hide_groups: bool = False) -> list[Badge]:
    t = labels(info.language)
    footer = info.title
    if info.start is not None:
        footer += " · " + long_date(info.start.date(), info.language)
    out = []
    for r in regs:
        g = links.group(r.group) if r.group and not hide_groups else None  # a surprise: no group on a badge
        out.append(Badge(name=r.name, handle=r.handle, group_name=g.name if g else None,
                         colour=g.colour if g else None, url=links.personal(r.group, r.handle, r.participant),
                         caption=t["badge_scan"] if g or r.participant else t["badge_scan_nogroup"], footer=footer,
                         language=info.language))
    return out


def links_text(kit: Kit, bundle_dir: Path) -> str:
    """``links.txt``: every URL of the kit and the serve command that matches it."""
    links, b = kit.links, kit.bundle
    lines = [f"flashmob qr — {b.title}", f"show {b.show_id}, bundle revision {b.revision}", "",
             f"public URL : {links.public_url}", f"assignment : {links.assign}", ""]
    if links.general:
        lines.append(f"join (general)      {links.general}")
        lines.append("    join.png, join.svg, poster.pdf, flyers.pdf")
    surprise = b.manifest.surprise is not None
    for g in links.groups:
        if g.join and surprise:
            lines.append(f"ORGANIZERS ONLY (the groups are a surprise): join {g.id} ({g.name})  {g.join}")
            lines.append(f"    {ORGANIZERS_ONLY}join-{g.id}.png, {ORGANIZERS_ONLY}join-{g.id}.svg")
        elif g.join:
            lines.append(f"join {g.id} ({g.name})  {g.join}")
            lines.append(f"    join-{g.id}.png, join-{g.id}.svg, poster.pdf, flyers.pdf")
    for g in () if surprise else links.groups:
        lines.append(f"download {g.id} ({g.name})  {g.download}")
        lines.append(f"    download-{g.id}.png, download-{g.id}.svg, downloads.pdf")
    if kit.signup_url:
        lines.append(f"sign-up page        {kit.signup_url}")
        lines.append("    signup.png, signup.svg")
    if kit.registrants:
        lines.append(f"badges: {len(kit.registrants)} personal join URLs in badges.pdf")
    lines.append("")
    if kit.secret_source == SECRET_ENV:
        lines.append(f"group tokens signed with the secret of {SECRET_ENV}: give flashmob serve the same one.")
    elif kit.secret_source:
        lines.append(f"group tokens signed with the secret in {kit.secret_source}: flashmob serve reads it there; "
                     f"keep {SECRET_FILE} in the bundle folder (copy it with the bundle).")
    lines.append("Download links name this bundle revision: print them again after re-rendering.")
    lines.append(f"serve with: flashmob serve {bundle_dir} --public-url {links.public_url} --assign {links.assign}")
    return "\n".join(lines) + "\n"
