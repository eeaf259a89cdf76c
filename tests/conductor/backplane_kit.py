"""Several real conductor processes (``flashmob serve --redis``) on one Redis, for the tests.

:func:`start_nodes` starts them in parallel (each a ``python -m flashmob serve``
subprocess: real uvicorn behind the connection gate, ``--port 0`` on
127.0.0.1) and waits until each printed its port.  Every process is stopped
by its PID (:meth:`Node.stop`, :meth:`Node.kill`).

One node can run with its own flags or environment, e.g. a clock offset by
libfaketime to see the console's ``nodes.clock`` alarm (conductor/nodes.py; it
needs a proven difference above 2 ms plus half of both nodes' Redis round trips)::

    start_nodes(2, bundle, redis_url, folder, per_node={1: {"env": {
        "LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME": "+0.05"}}})

The node's server time (``ServerClock``: the wall clock at start plus the
monotonic clock) then runs 50 ms ahead; its heartbeat's ``skew_us`` (server
time minus the Redis host's ``TIME``; Redis must not run under faketime) says
so, and every node's feed carries ``nodes[].skew_us`` and the alarm.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from conductor_testkit import TOKEN, WsClient, confirm_seat

REPO = Path(__file__).resolve().parents[2]


class Node:
    def __init__(self, bundle: Path, redis_url: str, node_id: str, folder: Path, *, args=(), env=None) -> None:
        self.bundle, self.redis_url, self.node_id = bundle, redis_url, node_id
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.args = list(args)
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None

    def launch(self) -> "Node":
        env = {**os.environ, "FLASHMOB_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1", **(self.env or {})}
        cmd = [sys.executable, "-m", "flashmob", "serve", str(self.bundle), "--redis", self.redis_url,
               "--node-id", self.node_id, "--host", "127.0.0.1", "--port", "0", "--no-qr", "--min-lead", "1",
               "--log-level", "info", *self.args]
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                     stderr=open(self.folder / f"{self.node_id}.log", "ab"))
        return self

    def wait_ready(self, timeout: float = 30.0) -> "Node":
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"node {self.node_id} exited {self.proc.returncode}: {self.log()[-3000:]}")
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                buf += chunk
                for line in buf.decode(errors="replace").splitlines():
                    if line.startswith("listening on "):
                        self.port = int(line.rsplit(":", 1)[1])
                        return self
        raise TimeoutError(f"node {self.node_id} did not start within {timeout} s: {self.log()[-3000:]}")

    def log(self) -> str:
        try:
            return (self.folder / f"{self.node_id}.log").read_text(errors="replace")
        except OSError:
            return ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ws(self, path="/ws", **kw) -> WsClient:
        return WsClient(f"ws://127.0.0.1:{self.port}{path}", **kw)

    def phone(self, **hello):
        c = self.ws("/ws")
        c.send({"type": "hello", **hello})
        return c, c.expect("welcome")

    def confirmed_phone(self, **hello):
        """A phone that joined here and proved its seat (its files fetched from this node)."""
        c, welcome = self.phone(**hello)
        if welcome["seat"] != "confirmed":
            confirm_seat(c, self.url, welcome)
            c.expect("seat", state="confirmed")
        return c, welcome

    def console(self) -> WsClient:
        c = self.ws("/ws/console")
        c.send({"type": "console_hello", "token": TOKEN})
        c.expect("console_welcome")
        return c

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.alive:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.alive:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()


def start_nodes(n: int, bundle: Path, redis_url: str, folder: Path, *, args=(), env=None,
                per_node: dict | None = None) -> list[Node]:
    """``n`` nodes ``n1``..``nN`` started together; all stopped if one fails to start.
    ``per_node``: index -> ``{"args": [...], "env": {...}}`` added for that node only."""
    per_node = per_node or {}
    nodes = [Node(bundle, redis_url, f"n{i + 1}", folder, args=[*args, *per_node.get(i, {}).get("args", ())],
                  env={**(env or {}), **per_node.get(i, {}).get("env", {})}) for i in range(n)]
    try:
        for node in nodes:
            node.launch()
        for node in nodes:
            node.wait_ready()
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    return nodes


def wait_feed(console: WsClient, pred, timeout: float = 10.0):
    """The first feed for which ``pred(feed)`` holds (TimeoutError with the last one otherwise)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            msg = console.recv(timeout=max(0.05, deadline - time.monotonic()))
        except TimeoutError:
            break
        if msg.get("type") == "feed":
            last = msg
            if pred(msg):
                return msg
    raise TimeoutError(f"no matching feed within {timeout} s; the last: {last}")
