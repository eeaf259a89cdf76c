"""``flashmob serve BUNDLE``: run the conductor for one show bundle.

This module reads the flags; the conductor's process shell (``conductor/serve.py``:
socket, open-file limit, banner, logging) and its app do the work. It binds the
listening socket first (so ``--port 0`` works and the printed URLs are right),
raises its open-file limit to the hard limit, prints the console URL with its
token, the join URL(s), a terminal QR code of the join URL and the connection
capacity it got, waits briefly for the first NTP answer when ``--ntp`` is given,
then runs uvicorn on that socket behind the connection gate
(``conductor/gate.py``, rules in ``conductor/connlimits.py``). The conductor's
FastAPI app is imported only when the command runs (``flashmob --help`` stays fast).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path

from flashmob.contract.modes import MODES
from flashmob.contract.urls import check_public_url, signup_url
from flashmob.conductor import connlimits, seats
from flashmob.conductor import serve as shell
from flashmob.conductor.clock import MAX_OFFSET_US
from flashmob.conductor.signups import SIGNUP_BURST, SIGNUP_RATE_PER_MIN
from flashmob.conductor.connlimits import (DEFAULT_HEADER_TIMEOUT_S, DEFAULT_HELLO_TIMEOUT_S, DEFAULT_MAX_CONNECTIONS,
                                           DEFAULT_MAX_PENDING_PER_ADDRESS, Limits, capacity_for_fds)

NAME = "serve"
HELP = "serve a rendered show bundle: phones join, sync and start together; the console runs the show"


def epilog() -> str:
    """The limits the conductor enforces (computed from their modules: it imports the app)."""
    from flashmob.conductor.limits import limits_text

    return (limits_text() + "\n\nAt start every bundle file is checked against its sha256 in the manifest; a "
            "damaged one is named and refused.\nAn existing state file (--db) that is empty, unreadable or "
            "not SQLite is refused (never replaced by a fresh show).")


def configure(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("bundle", type=Path, help="show bundle folder (with manifest.json)")
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--public-url", help="URL phones use (printed and put in QR codes), e.g. "
                                        "https://mob.example.org; default from host and port")
    p.add_argument("--ntp", action="append", default=[], metavar="HOST[:PORT]",
                   help="NTP server to discipline the clock with (repeatable)")
    p.add_argument("--ntp-interval", type=float, default=180.0, metavar="S", help="seconds between NTP rounds")
    p.add_argument("--ntp-max-offset", type=float, default=MAX_OFFSET_US / 1e6, metavar="S",
                   help=f"largest NTP correction applied (default {MAX_OFFSET_US / 1e6:g} s); a larger one is "
                        "refused and shown to the console as an alarm")
    p.add_argument("--db", type=Path, help="SQLite state file (default: .flashmob-conductor.sqlite in the bundle); "
                                          "locked for the life of the process: a second conductor on it refuses "
                                          "to start")
    p.add_argument("--redis", metavar="URL",
                   help="run as one of several conductor processes sharing the show through Redis at URL "
                        "(redis://HOST:PORT/DB; no state file then); every node needs the same bundle, group "
                        "secret and console token (docs/architecture.md, \"Backplane\"); default: the "
                        "environment variable FLASHMOB_REDIS (keeps a password in the URL out of the process list)")
    p.add_argument("--node-id", metavar="NAME",
                   help="this process's name among the nodes of --redis (the console lists them; default "
                        "host-pid)")
    p.add_argument("--capacity", type=int, help="seats: refuse participants beyond this number of confirmed ones "
                                               "(phones that proved they hold their group's files)")
    p.add_argument("--max-pending", type=int, default=seats.MAX_PENDING, metavar="N",
                   help="unconfirmed seats kept at most; beyond, the oldest is dropped "
                        f"(default {seats.MAX_PENDING})")
    p.add_argument("--confirm-timeout", type=float, default=float(seats.CONFIRM_TIMEOUT_S), metavar="S",
                   help="an unconfirmed seat is dropped this long after its last hello "
                        f"(default {seats.CONFIRM_TIMEOUT_S})")
    p.add_argument("--assign", choices=MODES, default="balanced", help="group assignment mode")
    p.add_argument("--min-lead", type=float, default=5.0, metavar="S",
                   help="minimum seconds between arming and the start (default 5)")
    p.add_argument("--client-dir", type=Path, help="web client folder (default: the one installed with flashmob, conductor/webclient.py)")
    p.add_argument("--tls-cert", type=Path, help="TLS certificate (PEM) for HTTPS")
    p.add_argument("--tls-key", type=Path, help="TLS private key (PEM)")
    p.add_argument("--forwarded-allow-ips", default=None,
                   help="trust X-Forwarded-* from these proxy addresses (behind a reverse proxy)")
    lim = p.add_argument_group(
        "connection limits",
        "Phones on mobile data sit behind carrier-grade NAT: thousands of honest phones can share\n"
        "one public address, so the per-address caps are generous (2,000 phones of one address\n"
        "reconnect at once with the defaults). What a hostile client gets for free - idle or\n"
        "half-sent requests - is capped per address and in time. Sockets beyond a cap get HTTP 503\n"
        "or websocket close 1013 (try again later). Details: docs/protocol.md, \"Connection limits\".")
    lim.add_argument("--max-connections", type=int, metavar="N",
                     help="sockets open at once (default: what the open-file limit allows, at most "
                          f"{DEFAULT_MAX_CONNECTIONS:,}; serve raises its soft limit to the hard one)")
    lim.add_argument("--max-per-address", type=int, metavar="N",
                     help="sockets of one address (IPv6: one /64) (default: --max-connections, since one "
                          "carrier-grade NAT address can carry thousands of phones)")
    lim.add_argument("--max-pending-per-address", type=int, default=DEFAULT_MAX_PENDING_PER_ADDRESS, metavar="N",
                     help="stalled sockets of one address (no complete request head 2 s after they "
                          "opened); beyond, a new socket evicts the oldest stalled ones "
                          f"(default {DEFAULT_MAX_PENDING_PER_ADDRESS:,}, at most half of --max-connections)")
    lim.add_argument("--header-timeout", type=float, default=DEFAULT_HEADER_TIMEOUT_S, metavar="S",
                     help="each request head must arrive within S seconds, the first within S of the "
                          f"connection (slowloris) (default {DEFAULT_HEADER_TIMEOUT_S:g})")
    lim.add_argument("--hello-timeout", type=float, default=DEFAULT_HELLO_TIMEOUT_S, metavar="S",
                     help=f"a /ws socket must send hello within S seconds (default {DEFAULT_HELLO_TIMEOUT_S:g})")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                   help="flashmob's own log lines (show transitions, alarms, refusals; default info), on stderr "
                        "with time and level; uvicorn's per-connection and access lines only at debug (a crowd "
                        "of phones would write several lines per socket)")
    p.add_argument("--no-qr", action="store_true", help="do not print QR codes")
    su = p.add_argument_group("sign-ups", "When the score has a signups block, the conductor serves a sign-up page at\n"
                                          "PUBLIC/signup before the show (docs/signups.md).")
    su.add_argument("--signup-code", metavar="CODE", default=os.environ.get("FLASHMOB_SIGNUP_CODE"),
                    help="the invitation code people must give to sign up (default: FLASHMOB_SIGNUP_CODE; none)")
    su.add_argument("--signup-burst", type=int, default=SIGNUP_BURST, metavar="N",
                    help=f"sign-up attempts one address (IPv6: one /64) may make at once (default {SIGNUP_BURST})")
    su.add_argument("--signup-rate", type=float, default=SIGNUP_RATE_PER_MIN, metavar="PER_MIN",
                    help=f"... then per minute (default {SIGNUP_RATE_PER_MIN:g})")


def public_url(args: argparse.Namespace, port: int) -> str:
    """``--public-url`` (checked: http(s), a host, no query), else from host and port."""
    if args.public_url:
        return check_public_url(args.public_url)
    scheme = "https" if args.tls_cert else "http"
    host = args.host
    if host in ("0.0.0.0", "::", ""):
        host = shell.guess_host()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def connection_limits(args: argparse.Namespace, nofile: int) -> tuple[Limits, list[str]]:
    """The limits from the flags and the open-file limit; plus warnings."""
    refusing = 256
    fit = capacity_for_fds(nofile, refusing=refusing)
    warnings = []
    cap = args.max_connections if args.max_connections is not None else min(DEFAULT_MAX_CONNECTIONS, fit)
    if cap > fit:
        warnings.append(f"--max-connections {cap:,} does not fit the open-file limit {nofile:,}: using {fit:,}")
        cap = fit
    exempt = frozenset()
    if args.forwarded_allow_ips:
        exempt = frozenset(connlimits.address_key(a.strip()) if a.strip() != "*" else "*"
                           for a in args.forwarded_allow_ips.split(",") if a.strip())
    limits = Limits(max_connections=cap, max_per_address=args.max_per_address,
                    max_pending_per_address=args.max_pending_per_address, header_timeout_s=args.header_timeout,
                    hello_timeout_s=args.hello_timeout, max_refusing=refusing, exempt=exempt)
    return limits, warnings


def run(args: argparse.Namespace) -> int:
    if bool(args.tls_cert) != bool(args.tls_key):
        print("flashmob serve: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    args.redis = args.redis or os.environ.get("FLASHMOB_REDIS") or None
    if args.redis and args.db:
        print("flashmob serve: --redis keeps the show in Redis: no --db state file with it", file=sys.stderr)
        return 2
    if args.node_id and not args.redis:
        print("flashmob serve: --node-id names this process among the nodes of --redis: give --redis too",
              file=sys.stderr)
        return 2
    shell.configure_logging(args.log_level)
    fd_before, nofile = shell.raise_fd_limit()
    try:
        limits, warnings = connection_limits(args, nofile)
    except ValueError as exc:
        print(f"flashmob serve: {exc}", file=sys.stderr)
        return 2
    for w in warnings:
        print(f"flashmob serve: {w}", file=sys.stderr)
    try:
        sock = shell.bind(args.host, args.port)
    except OSError as exc:
        print(f"flashmob serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    try:
        url = public_url(args, port)
    except ValueError as exc:
        print(f"flashmob serve: {exc}", file=sys.stderr)
        sock.close()
        return 2
    from flashmob.conductor.app import ServerConfig, build_conductor, build_signup_service, create_app
    from flashmob.conductor.gate import conductor_server
    from flashmob.conductor.statelock import StateFileInUse

    cfg = ServerConfig(bundle_dir=args.bundle, db_path=args.db, assign=args.assign, capacity=args.capacity,
                       max_pending=args.max_pending, confirm_timeout_s=args.confirm_timeout,
                       min_lead_s=args.min_lead, public_url=url, ntp_hosts=args.ntp,
                       ntp_interval_s=args.ntp_interval, client_dir=args.client_dir,
                       ntp_max_offset_s=args.ntp_max_offset, progress=shell.VerifyProgress(sys.stderr),
                       hello_timeout_s=limits.hello_timeout_s, signup_code=args.signup_code or None,
                       signup_burst=args.signup_burst, signup_rate_per_min=args.signup_rate,
                       redis_url=args.redis, node_id=args.node_id,
                       report=_report_renderer)
    try:
        conductor, clock, ntp = build_conductor(cfg)
    except (ValueError, OSError, sqlite3.Error, StateFileInUse) as exc:
        print(f"flashmob serve: {exc}", file=sys.stderr)
        sock.close()
        return 2
    cfg.signup_event, warning = signup_event(conductor.bundle.manifest)
    try:
        signups = build_signup_service(conductor, clock, cfg)
    except (ValueError, OSError, sqlite3.Error) as exc:
        print(f"flashmob serve: {exc}", file=sys.stderr)
        conductor.close()
        conductor.state_lock.release()
        sock.close()
        return 2
    if signups is not None and warning:
        print(f"flashmob serve: {warning}", file=sys.stderr)
    app = create_app(conductor, clock, ntp=ntp, client_dir=cfg.client_dir, hello_timeout_s=cfg.hello_timeout_s,
                     signups=signups, report=cfg.report)
    if ntp is not None:
        ntp.start()  # the first round runs now; lifespan's start() is then a no-op
        if not ntp.wait_first(cfg.ntp_wait_s):
            print("flashmob serve: no NTP answer yet; serving on the system clock meanwhile", file=sys.stderr)
    sockets = shell.capacity_line(limits, fd_before, nofile)
    print(shell.banner(conductor, qr=not args.no_qr, sockets=sockets), flush=True)
    if signups is not None:
        print(f"  sign-ups: {signup_url(url)} ({signups.summary().confirmed} signed up"
              f"{', invitation code required' if signups.gate.code else ''})", flush=True)
    print(f"listening on {args.host}:{port}", flush=True)
    server, _gate = conductor_server(app, limits, log_level=shell.uvicorn_log_level(args.log_level),
                                     access_log=args.log_level == "debug",
                                     ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
                                     ssl_keyfile=str(args.tls_key) if args.tls_key else None,
                                     proxy_headers=bool(args.forwarded_allow_ips),
                                     forwarded_allow_ips=args.forwarded_allow_ips, timeout_graceful_shutdown=3)
    server.run(sockets=[sock])
    return 0


def _report_renderer(bundle: Path, logs: list[Path]) -> str:
    """The console's report download (``GET /api/report``): tools/report, imported when asked."""
    from flashmob.tools.report.page import render_page

    return render_page(bundle, logs)


def signup_event(manifest, *, start: str | None = None):
    """``(SignupEvent, warning or None)``: the event's dates and the sign-ups' ``.ics`` (docs/signups.md).

    ``conductor/`` never imports ``tools/`` (docs/architecture.md); the CLI, which
    may import both, gives the conductor the start and end the print kit reads
    from the score's event block (:func:`flashmob.tools.print.event.event_info`;
    ``start`` overrides it) and a personal ``.ics`` made by the print kit's own
    calendar writer (:func:`flashmob.tools.print.ics.event_ics`), so the calendar
    file of a sign-up is the one ``flashmob qr`` prints, with the person's join URL."""
    from flashmob.conductor.signupapi import SignupEvent
    from flashmob.tools.print.errors import PrintError
    from flashmob.tools.print.event import event_info
    from flashmob.tools.print.ics import event_ics

    try:
        info = event_info(manifest, start)
    except PrintError as exc:
        return SignupEvent(), f"sign-ups: no calendar file and no erasure date from the event block ({exc})"
    if info.start is None:
        return SignupEvent(), None

    def calendar(url: str, now_us: int) -> str:
        return event_ics(info, url, now=_utc(now_us), uid_suffix="signup")

    if info.start.tzinfo is None:  # a wall-clock time, no instant: the calendar floats, erasure follows the record
        return SignupEvent(calendar=calendar), ("sign-ups: the event has no timezone; sign-ups are deleted "
                                                "keep_days after the show record ends rather than after its date")
    return SignupEvent(start_us=_us(info.start), end_us=_us(info.end), calendar=calendar), None


def _us(t: dt.datetime) -> int:
    return round(t.timestamp() * 1_000_000)


def _utc(now_us: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(now_us / 1e6, dt.timezone.utc)


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add ``serve`` to another parser's subparsers, as the ``flashmob`` parser does."""
    from . import add_command

    return add_command(subparsers, sys.modules[__name__])


def main(argv: list[str] | None = None) -> int:
    """``serve.main(["serve", BUNDLE, ...])``: the ``flashmob`` command line."""
    from . import main as cli_main

    return cli_main(argv)
