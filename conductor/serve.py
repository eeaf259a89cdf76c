"""``flashmob serve BUNDLE``: run the conductor for one show bundle.

It follows the ``tools.commands`` convention (``NAME``, ``HELP``,
``configure(parser)``, ``run(args)``), so ``tools/cli.py`` wires it by listing
``"flashmob.conductor.serve"`` in ``COMMANDS``; ``add_parser(subparsers)`` does the same
for another parser, and ``python -m flashmob.conductor serve BUNDLE`` (or
``serve.main(argv)``) works on its own.

It binds the listening socket first (so ``--port 0`` works and the printed
URLs are right), raises its open-file limit to the hard limit, prints the
console URL with its token, the join URL(s), a terminal QR code of the join
URL and the connection capacity it got, waits briefly for the first NTP answer
when ``--ntp`` is given, then runs uvicorn on that socket behind the
connection gate (``conductor/gate.py``, rules in ``conductor/connlimits.py``).
"""

from __future__ import annotations

import argparse
import io
import ipaddress
import logging
import socket
import sqlite3
import sys
import time
from pathlib import Path

from flashmob.contract.modes import MODES
from flashmob.contract.urls import check_public_url

from . import connlimits, seats
from .app import ServerConfig, build_conductor, create_app
from .clock import MAX_OFFSET_US
from .connlimits import (DEFAULT_HEADER_TIMEOUT_S, DEFAULT_HELLO_TIMEOUT_S, DEFAULT_MAX_CONNECTIONS,
                         DEFAULT_MAX_PENDING_PER_ADDRESS, Limits, capacity_for_fds)
from .gate import conductor_server
from .statelock import StateFileInUse

NAME = "serve"
HELP = "serve a rendered show bundle: phones join, sync and start together; the console runs the show"


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(NAME, help=HELP, description=__doc__.split("\n\n")[0])
    configure(p)
    p.set_defaults(func=run)
    return p


def configure(p: argparse.ArgumentParser) -> None:
    from .limits import limits_text

    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = (limits_text() + "\n\nAt start every bundle file is checked against its sha256 in the manifest; a "
                "damaged one is named and refused.\nAn existing state file (--db) that is empty, unreadable or "
                "not SQLite is refused (never replaced by a fresh show).")
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
    p.add_argument("--client-dir", type=Path, help="web client folder (default: client_web/ of this checkout)")
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


def guess_host() -> str:
    """An address of this machine that phones on the same network might reach."""
    try:
        addr = socket.gethostbyname(socket.gethostname())
        if not ipaddress.ip_address(addr).is_loopback:
            return addr
    except OSError:
        pass
    return "127.0.0.1"


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def public_url(args: argparse.Namespace, port: int) -> str:
    """``--public-url`` (checked: http(s), a host, no query), else from host and port."""
    if args.public_url:
        return check_public_url(args.public_url)
    scheme = "https" if args.tls_cert else "http"
    host = args.host
    if host in ("0.0.0.0", "::", ""):
        host = guess_host()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def qr_text(url: str) -> str:
    import qrcode

    qr = qrcode.QRCode(border=1)
    qr.add_data(url)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()


def banner(conductor, *, qr: bool, sockets: str | None = None) -> str:
    lines = [f"flashmob conductor - {conductor.bundle.title} (show {conductor.bundle.show_id})",
             f"  console : {conductor.console_url()}",
             "            (keep this URL secret: it controls the show)"]
    if conductor.options.assign == "fixed":
        for g in conductor.bundle.groups:
            lines.append(f"  join {g.id:<4}: {conductor.join_url(g.id)}")
    else:
        lines.append(f"  join    : {conductor.join_url()}")
    lines.append(f"  groups  : {conductor.options.assign} assignment; capacity "
                 f"{conductor.options.capacity or 'unlimited'}; state {conductor.record.state.value}")
    if sockets:
        lines.append(sockets)
    text = "\n".join(lines) + "\n"
    if qr:
        if conductor.options.assign == "fixed":
            for g in conductor.bundle.groups:
                text += f"\n{g.name} ({g.id}):\n" + qr_text(conductor.join_url(g.id))
        else:
            text += "\n" + qr_text(conductor.join_url())
    return text


class VerifyProgress:
    """Prints bundle verification progress to ``out`` once it has taken a second (big bundles only)."""

    def __init__(self, out, *, after_s: float = 1.0, every_s: float = 0.5) -> None:
        self.out, self.after_s, self.every_s = out, after_s, every_s
        self.t0 = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic() - self.t0
        final = done >= total
        if now < self.after_s or (not final and now - self.last < self.every_s):
            return
        self.last, self.shown = now, True
        print(f"\rchecking the bundle's files (sha256): {done / 2**20:.0f} / {total / 2**20:.0f} MiB"
              f"{' - all match' if final else ''}", end="\n" if final else "", file=self.out, flush=True)


def raise_fd_limit() -> tuple[int, int]:
    """Raise RLIMIT_NOFILE's soft limit to the hard one; returns (before, after)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if want > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):
            return soft, soft
    return soft, resource.getrlimit(resource.RLIMIT_NOFILE)[0]


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
    configure_logging(args.log_level)
    fd_before, nofile = raise_fd_limit()
    try:
        limits, warnings = connection_limits(args, nofile)
    except ValueError as exc:
        print(f"flashmob serve: {exc}", file=sys.stderr)
        return 2
    for w in warnings:
        print(f"flashmob serve: {w}", file=sys.stderr)
    try:
        sock = bind(args.host, args.port)
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
    cfg = ServerConfig(bundle_dir=args.bundle, db_path=args.db, assign=args.assign, capacity=args.capacity,
                       max_pending=args.max_pending, confirm_timeout_s=args.confirm_timeout,
                       min_lead_s=args.min_lead, public_url=url, ntp_hosts=args.ntp,
                       ntp_interval_s=args.ntp_interval, client_dir=args.client_dir,
                       ntp_max_offset_s=args.ntp_max_offset, progress=VerifyProgress(sys.stderr),
                       hello_timeout_s=limits.hello_timeout_s)
    try:
        conductor, clock, ntp = build_conductor(cfg)
    except (ValueError, OSError, sqlite3.Error, StateFileInUse) as exc:
        print(f"flashmob serve: {exc}", file=sys.stderr)
        sock.close()
        return 2
    app = create_app(conductor, clock, ntp=ntp, client_dir=cfg.client_dir, hello_timeout_s=cfg.hello_timeout_s)
    if ntp is not None:
        ntp.start()  # the first round runs now; lifespan's start() is then a no-op
        if not ntp.wait_first(cfg.ntp_wait_s):
            print("flashmob serve: no NTP answer yet; serving on the system clock meanwhile", file=sys.stderr)
    print(banner(conductor, qr=not args.no_qr, sockets=capacity_line(limits, fd_before, nofile)), flush=True)
    print(f"listening on {args.host}:{port}", flush=True)
    server, _gate = conductor_server(app, limits, log_level=uvicorn_log_level(args.log_level),
                                     access_log=args.log_level == "debug",
                                     ssl_certfile=str(args.tls_cert) if args.tls_cert else None,
                                     ssl_keyfile=str(args.tls_key) if args.tls_key else None,
                                     proxy_headers=bool(args.forwarded_allow_ips),
                                     forwarded_allow_ips=args.forwarded_allow_ips, timeout_graceful_shutdown=3)
    server.run(sockets=[sock])
    return 0


def configure_logging(level: str) -> None:
    """Send the ``flashmob.*`` loggers to stderr with time, level and name (once per process)."""
    lg = logging.getLogger("flashmob")
    lg.setLevel(level.upper())
    if not any(getattr(h, "_flashmob", False) for h in lg.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._flashmob = True  # type: ignore[attr-defined]
        lg.addHandler(handler)
    lg.propagate = False


def uvicorn_log_level(level: str) -> str:
    """uvicorn logs every websocket's open and close at info: keep it to warnings unless debugging."""
    return "debug" if level == "debug" else ("warning" if level == "info" else level)


def capacity_line(limits: Limits, fd_before: int, nofile: int) -> str:
    raised = f"raised from {fd_before:,} to {nofile:,}" if nofile > fd_before else f"{nofile:,}"
    exempt = f"; not counted per address: {', '.join(sorted(limits.exempt))}" if limits.exempt else ""
    return (f"  sockets : connection capacity {limits.max_connections:,} (open-file limit {raised}); "
            f"per address {limits.per_address:,}, stalled per address "
            f"{limits.pending_per_address:,}; header deadline {limits.header_timeout_s:g} s, "
            f"hello deadline {limits.hello_timeout_s:g} s{exempt}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="flashmob")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)

