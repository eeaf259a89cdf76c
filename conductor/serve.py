"""The conductor's process shell for ``flashmob serve`` (the flags are read in flashmob/cli/serve.py).

The pieces around the app that touch the process and the terminal: the
listening socket (:func:`bind`, so ``--port 0`` works and the printed URLs are
right), the open-file limit (:func:`raise_fd_limit`), the banner with the console
URL, the join URL(s) and their terminal QR codes (:func:`banner`), the bundle
verification progress, the capacity line and the logging set-up.
"""

from __future__ import annotations

import io
import ipaddress
import logging
import socket
import sys
import time

from .connlimits import Limits


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
    node_id = getattr(conductor, "node_id", None)
    if node_id is not None:
        lines.append(f"  backplane: Redis {conductor.follower.shown_url} as node {node_id} (the show is shared with "
                     "every node there)")
    surprise = conductor.bundle.manifest.surprise
    if surprise is not None:
        when = "never revealed" if surprise.reveal_ms is None else f"revealed at {surprise.reveal_ms / 1000:g} s"
        lines.append(f"  surprise: phones are not told their group ({when}); the bundle's files and any group "
                     "link are for organizers only")
    if sockets:
        lines.append(sockets)
    text = "\n".join(lines) + "\n"
    if qr:
        if conductor.options.assign == "fixed":
            for g in conductor.bundle.groups:
                mark = "ORGANIZERS ONLY - " if surprise is not None else ""
                text += f"\n{mark}{g.name} ({g.id}):\n" + qr_text(conductor.join_url(g.id))
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
