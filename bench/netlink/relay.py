"""The TCP relay: one listening port per route, each connection forwarded to
the route's target with both directions delayed by the route's profile.

Threads, not asyncio: asyncio's timers wake up to 1 ms late (epoll's timeout
is in milliseconds), which is as large as the ``lan`` profile's jitter.  Each
direction of a connection has a reader thread (``recv`` -> schedule -> queue)
and a writer thread (sleeps until the head chunk is due -> ``sendall``);
delivery times never decrease within a direction, so a FIFO is enough.  The
writer records the delay each chunk really got (scheduled + wake-up lateness).

Connection ``k`` (0, 1, ...) accepted on a route with seed ``s`` uses the seed
``"s"`` for ``k == 0`` and ``"s/k"`` after, so the first connection of two
routes with the same seed sees the same delay sequence.
"""

from __future__ import annotations

import queue
import socket
import sys
import threading
import time
from dataclasses import dataclass, field

from .link import Direction
from .profiles import DOWN, UP, models

CHUNK = 65536


@dataclass(frozen=True)
class Route:
    name: str
    target: tuple[str, int]
    profile: str
    seed: str
    listen: tuple[str, int] = ("127.0.0.1", 0)


@dataclass
class ConnStats:
    """What one connection really got, per direction (seconds)."""

    route: str
    index: int
    seed: str
    delays: dict[str, list[float]] = field(default_factory=lambda: {UP: [], DOWN: []})
    lateness: dict[str, list[float]] = field(default_factory=lambda: {UP: [], DOWN: []})
    bytes: dict[str, int] = field(default_factory=lambda: {UP: 0, DOWN: 0})

    def summary(self) -> dict:
        out: dict = {"route": self.route, "index": self.index, "seed": self.seed}
        for d in (UP, DOWN):
            ds = self.delays[d]
            late = sorted(self.lateness[d])
            out[d] = {"chunks": len(ds), "bytes": self.bytes[d],
                      "min_ms": round(min(ds) * 1e3, 4) if ds else None,
                      "max_ms": round(max(ds) * 1e3, 4) if ds else None,
                      "late_p50_ms": round(late[len(late) // 2] * 1e3, 4) if late else None,
                      "late_max_ms": round(late[-1] * 1e3, 4) if late else None}
        return out


def _nodelay(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass


class _Ends:
    """Closes a connection's two sockets when both writers are done, or at
    once when one failed (which also wakes the readers)."""

    def __init__(self, close) -> None:
        self._close = close
        self._left = 2
        self._lock = threading.Lock()

    def end(self, failed: bool) -> None:
        with self._lock:
            self._left -= 1
            now = failed or self._left == 0
        if now:
            self._close()


class Relay:
    """Serve ``routes`` until :meth:`stop`; time 0 of every profile is the
    instant the relay was created (shared by all routes)."""

    def __init__(self, routes: list[Route], *, change_at_s: float = 15.0) -> None:
        self.routes = routes
        self.change_at_s = change_at_s
        self.t0 = time.monotonic()
        self.stats: list[ConnStats] = []
        self.ports: dict[str, int] = {}
        self._listeners: list[socket.socket] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._socks: set[socket.socket] = set()
        for r in routes:
            ls = socket.socket(socket.AF_INET6 if ":" in r.listen[0] else socket.AF_INET, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind(r.listen)
            ls.listen(512)
            self.ports[r.name] = ls.getsockname()[1]
            self._listeners.append(ls)

    def now_s(self) -> float:
        return time.monotonic() - self.t0

    def start(self) -> "Relay":
        for r, ls in zip(self.routes, self._listeners):
            threading.Thread(target=self._accept, args=(r, ls), daemon=True, name=f"accept-{r.name}").start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        for ls in self._listeners:
            try:
                ls.close()
            except OSError:
                pass
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    # -- plumbing ------------------------------------------------------------------------

    def _accept(self, route: Route, ls: socket.socket) -> None:
        k = 0
        while not self._stopping.is_set():
            try:
                client, _ = ls.accept()
            except OSError:
                return
            seed = route.seed if k == 0 else f"{route.seed}/{k}"
            try:
                server = socket.create_connection(route.target, timeout=5)
                server.settimeout(None)
            except OSError as exc:
                print(f"relay {route.name}: cannot reach {route.target}: {exc}", file=sys.stderr)
                client.close()
                continue
            for s in (client, server):
                _nodelay(s)
            stats = ConnStats(route.name, k, seed)
            with self._lock:
                self.stats.append(stats)
                self._socks.update((client, server))
            dirs = models(route.profile, seed, change_at_s=self.change_at_s)
            ends = _Ends(lambda c=client, s=server: self._close(c, s))
            for name, src, dst in ((UP, client, server), (DOWN, server, client)):
                self._pump(name, src, dst, Direction(dirs[name]), stats, ends)
            k += 1

    def _close(self, a: socket.socket, b: socket.socket) -> None:
        with self._lock:
            self._socks.discard(a)
            self._socks.discard(b)
        for s in (a, b):
            try:
                s.close()
            except OSError:
                pass

    def _pump(self, name: str, src: socket.socket, dst: socket.socket, direction: Direction,
              stats: ConnStats, ends: "_Ends") -> None:
        q: queue.SimpleQueue = queue.SimpleQueue()

        def reader() -> None:
            while True:
                try:
                    data = src.recv(CHUNK)
                except OSError:
                    data = b""
                arrival = self.now_s()
                if not data:
                    q.put((direction.last_s, arrival, None))
                    return
                q.put((direction.schedule(arrival), arrival, data))

        def writer() -> None:
            failed = False
            try:
                while True:
                    due, arrival, data = q.get()
                    wait = due - self.now_s()
                    if wait > 0:
                        time.sleep(wait)
                    if data is None:
                        try:
                            dst.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                        return
                    try:
                        dst.sendall(data)
                    except OSError:
                        failed = True
                        return
                    sent = self.now_s()
                    stats.delays[name].append(sent - arrival)
                    stats.lateness[name].append(sent - due)
                    stats.bytes[name] += len(data)
            finally:
                ends.end(failed)

        threading.Thread(target=reader, daemon=True, name=f"{stats.route}-{name}-r").start()
        threading.Thread(target=writer, daemon=True, name=f"{stats.route}-{name}-w").start()
