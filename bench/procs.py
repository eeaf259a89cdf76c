"""Processes of the benchmarks: the conductor, the relay, Node scripts.

Every process is started with a deadline of its own (it stops by itself) and
stopped by its pid at the end (:meth:`Proc.stop`: SIGTERM, then SIGKILL).
Only loopback addresses are used.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERS = ROOT / "bench" / "peers"
TOKEN = "bench-console-token-0123456789abcdef"


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so the ``finally`` blocks stop the children."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def log(msg: str) -> None:
    """Progress, on stderr (the tables go to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class PrerequisiteMissing(RuntimeError):
    """Something the benchmark needs is not installed (the message says how to get it)."""


class Proc:
    """A child process whose stdout is read line by line."""

    def __init__(self, cmd: list[str], *, env: dict | None = None, cwd: Path = ROOT, stdin_pipe: bool = True,
                 stderr=None) -> None:
        self.cmd = cmd
        self.p = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, text=True,
                                  stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=stderr)

    @property
    def pid(self) -> int:
        return self.p.pid

    def read_until(self, pattern: str, timeout: float = 30.0) -> re.Match:
        """Read stdout lines until one matches ``pattern``."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            line = self.p.stdout.readline()
            if not line:
                if self.p.poll() is not None:
                    break
                continue
            seen.append(line)
            m = re.search(pattern, line)
            if m:
                return m
        raise RuntimeError(f"{' '.join(self.cmd[:4])}: no line matching {pattern!r}; got {''.join(seen)[-800:]!r}")

    def read_json(self, timeout: float = 30.0) -> dict:
        return json.loads(self.read_until(r"^\{.*\}\s*$", timeout).group(0))

    def wait(self, timeout: float) -> int:
        return self.p.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        if self.p.poll() is None:
            try:
                if self.p.stdin:
                    self.p.stdin.close()
            except OSError:
                pass
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout)
        for f in (self.p.stdout, self.p.stdin):
            try:
                if f:
                    f.close()
            except OSError:
                pass


# --------------------------------------------------------------------------- conductor


def start_conductor(bundle: Path, db: Path, *, extra: list[str] = (), log_level: str = "warning",
                    ws_impl: str | None = None, loop: str | None = None,
                    gc_log: Path | None = None, ws_ping: float | None = None) -> tuple[Proc, int]:
    """The real CLI (``python -m flashmob.conductor serve``) on 127.0.0.1, a free port (or,
    with ``ws_impl``, ``loop``, ``gc_log`` or ``ws_ping``, bench/load/altserve.py); its
    stderr goes to ``conductor.log`` beside ``db`` (asyncio complains there about
    writes to sockets the load generator dropped)."""
    cmd = [sys.executable, "-m", "flashmob.conductor", "serve", str(bundle), "--host", "127.0.0.1", "--port", "0",
           "--no-qr", "--db", str(db), "--log-level", log_level, *extra]
    if ws_impl or loop or gc_log or ws_ping:  # bench/load/altserve.py: same app, another websocket implementation or loop
        cmd = [sys.executable, "-m", "bench.load.altserve", str(bundle), "--db", str(db),
               *(["--ws", ws_impl] if ws_impl else []), *(["--loop", loop] if loop else []),
               *(["--gc-log", str(gc_log)] if gc_log else []), *(["--ws-ping", str(ws_ping)] if ws_ping else [])]
    with open(db.parent / "conductor.log", "a") as log:
        proc = Proc(cmd, env={"FLASHMOB_TOKEN": TOKEN}, stderr=log)
    port = int(proc.read_until(r"listening on 127\.0\.0\.1:(\d+)").group(1))
    return proc, port


def epoch_offset_us() -> int:
    """Unix time minus CLOCK_MONOTONIC (µs): the conductor's server time is
    CLOCK_MONOTONIC plus this (conductor/clock.py, without --ntp)."""
    best = None
    for _ in range(5):
        a = time.monotonic_ns()
        w = time.time_ns()
        b = time.monotonic_ns()
        cand = (b - a, w // 1000 - (a + b) // 2000)
        best = min(best, cand) if best else cand
    return best[1]


# --------------------------------------------------------------------------- relay


def start_relay(routes: list[dict], workdir: Path, *, seconds: float, change_at_s: float) -> tuple[Proc, dict]:
    path = workdir / "routes.json"
    path.write_text(json.dumps(routes))
    stats = workdir / "relay-stats.json"
    proc = Proc([sys.executable, "-m", "bench.netlink", "--routes", str(path), "--seconds", str(seconds),
                 "--change-at", str(change_at_s), "--stdin", "--stats", str(stats)])
    info = proc.read_json()
    return proc, info["ports"]


def read_relay_stats(workdir: Path) -> list[dict]:
    path = workdir / "relay-stats.json"
    return json.loads(path.read_text()) if path.exists() else []


# --------------------------------------------------------------------------- node


def node() -> str:
    exe = shutil.which("node")
    if not exe:
        raise PrerequisiteMissing("node is not installed (Node 20 runs the simulated phones)")
    return exe


def ensure_peers(*, install: bool) -> None:
    """The pinned npm packages of bench/peers; with ``install``, run ``npm ci`` when missing."""
    wanted = [PEERS / "node_modules" / p / "package.json" for p in ("ws", "timesync", "@ircam/sync")]
    if all(p.exists() for p in wanted):
        return
    if not install:
        raise PrerequisiteMissing("the npm peers are not installed: run `npm ci` in bench/peers "
                                  "(or pass --install)")
    npm = shutil.which("npm")
    if not npm:
        raise PrerequisiteMissing("npm is not installed")
    print("bench: installing the pinned npm peers (npm ci in bench/peers) ...", file=sys.stderr, flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PEERS, check=True,
                   timeout=300)


def node_proc(script: Path, *args: str) -> Proc:
    return Proc([node(), str(script), *args])
