"""The attacker of bench.attack: one process, one loopback source address.

    python -m bench.attack.attacker CONFIG.json

CONFIG: {host, port, source, idle, half_open, flood_sockets, flood_rate,
         flood_reconnects_per_s, hellos_per_s, reopen_per_s, out,
         flood_source?, hello_source?}  (the last two default to source)

Against ``host:port`` from ``source`` (e.g. 127.0.0.2), all at once, until
SIGTERM:

* holds ``idle`` TCP sockets that never send a byte;
* holds ``half_open`` HTTP requests whose head never ends (a header line
  every 2 s, slowloris);
  a socket the server closes is reopened, at most ``reopen_per_s`` a second
  over both kinds;
* floods ``flood_rate`` frames a second in total over ``flood_sockets``
  websockets on ``/ws`` (sync frames, never a hello), reconnecting at most
  ``flood_reconnects_per_s`` times a second when closed;
* sends ``hellos_per_s`` hellos a second on fresh ``/ws`` sockets, each
  reading its first answer and closing: participants that never confirm
  (never a ``status``, never a download).

Every second it writes what happened so far to ``out`` (JSON): sockets held,
opened, closed by the server, refused (503 / 1013), frames sent, close codes,
hello answers.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import sys
import time
from collections import Counter
from pathlib import Path

HALF_HEAD = b"GET / HTTP/1.1\r\nHost: conductor\r\nUser-Agent: bench-attack\r\n"


class Pacer:
    """At most ``rate`` permits a second (shared by several tasks)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / max(rate, 1e-3)
        self.next = time.monotonic()

    async def wait(self) -> None:
        now = time.monotonic()
        self.next = max(self.next + self.interval, now)
        delay = self.next - now
        if delay > 0:
            await asyncio.sleep(delay)


class Attacker:
    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.stats: Counter[str] = Counter()
        self.closes: Counter[str] = Counter()
        self.hello_answers: Counter[str] = Counter()
        self.held = Counter()  # kind -> sockets open now
        self.stop = asyncio.Event()
        self.reopen = Pacer(cfg["reopen_per_s"])
        self.flood_reconnect = Pacer(cfg["flood_reconnects_per_s"])
        self.t0 = time.monotonic()

    @property
    def ws_url(self) -> str:
        return f"ws://{self.cfg['host']}:{self.cfg['port']}/ws"

    # -- raw sockets --------------------------------------------------------------------

    async def hold(self, kind: str) -> None:
        """One slot of ``kind`` (idle | half_open), reopened whenever it closes."""
        first = True
        while not self.stop.is_set():
            if not first:
                await self.reopen.wait()
            first = False
            try:
                reader, writer = await asyncio.open_connection(self.cfg["host"], self.cfg["port"],
                                                               local_addr=(self.cfg["source"], 0))
            except OSError:
                self.stats[f"{kind} connect failed"] += 1
                await asyncio.sleep(0.5)
                continue
            self.stats[f"{kind} opened"] += 1
            self.held[kind] += 1
            try:
                if kind == "half_open":
                    writer.write(HALF_HEAD)
                answer = b""
                while not self.stop.is_set():
                    try:
                        data = await asyncio.wait_for(reader.read(4096), 2.0)
                    except asyncio.TimeoutError:
                        if kind == "half_open":
                            writer.write(b"X-Slow: 1\r\n")
                        continue
                    if not data:
                        break
                    answer += data[:64]
                if answer.startswith(b"HTTP/1.1 503"):
                    self.stats[f"{kind} refused 503"] += 1
                elif not self.stop.is_set():
                    self.stats[f"{kind} closed by server"] += 1
            except OSError:
                self.stats[f"{kind} reset by server"] += 1
            finally:
                self.held[kind] -= 1
                writer.close()

    # -- websockets ---------------------------------------------------------------------

    async def flood(self, rate: float) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidStatus

        while not self.stop.is_set():
            await self.flood_reconnect.wait()
            try:
                async with connect(self.ws_url, local_addr=(self.cfg.get("flood_source") or self.cfg["source"], 0),
                                   open_timeout=5, ping_interval=None, max_size=None) as ws:
                    self.stats["flood connected"] += 1
                    self.held["flood"] += 1

                    async def drain():
                        async for _ in ws:
                            pass

                    drainer = asyncio.create_task(drain())
                    try:
                        n = 0
                        pace = Pacer(rate)
                        while not self.stop.is_set():
                            await pace.wait()
                            n += 1
                            await ws.send(json.dumps({"type": "sync", "id": n, "t0": n}))
                            self.stats["flood frames sent"] += 1
                    finally:
                        self.held["flood"] -= 1
                        drainer.cancel()
            except ConnectionClosed as exc:
                self.closes[str(exc.rcvd.code if exc.rcvd else "none")] += 1
            except InvalidStatus as exc:
                self.closes[f"http {exc.response.status_code}"] += 1
            except (OSError, asyncio.TimeoutError):
                self.closes["connect failed"] += 1
            except Exception as exc:  # e.g. InvalidMessage: reset during the handshake
                self.closes[type(exc).__name__] += 1

    async def one_hello(self) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidStatus

        try:
            async with connect(self.ws_url, local_addr=(self.cfg.get("hello_source") or self.cfg["source"], 0),
                               open_timeout=5, ping_interval=None) as ws:
                await ws.send(json.dumps({"type": "hello", "participant_id": None, "client": "bench-attack"}))
                msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
                self.hello_answers[msg.get("code") if msg.get("type") == "error" else msg.get("type")] += 1
        except ConnectionClosed as exc:
            self.hello_answers[f"close {exc.rcvd.code if exc.rcvd else 'none'}"] += 1
        except InvalidStatus as exc:
            self.hello_answers[f"http {exc.response.status_code}"] += 1
        except (OSError, asyncio.TimeoutError):
            self.hello_answers["connect failed or timed out"] += 1
        except Exception as exc:  # e.g. InvalidMessage: reset during the handshake
            self.hello_answers[type(exc).__name__] += 1

    async def hellos(self) -> None:
        pace = Pacer(self.cfg["hellos_per_s"])
        inflight: set[asyncio.Task] = set()
        while not self.stop.is_set():
            await pace.wait()
            if len(inflight) >= 500:
                self.hello_answers["skipped: 500 in flight"] += 1
                continue
            self.stats["hellos sent"] += 1
            t = asyncio.create_task(self.one_hello())
            inflight.add(t)
            t.add_done_callback(inflight.discard)

    # -- report -------------------------------------------------------------------------

    def snapshot(self) -> dict:
        return {"t": time.monotonic() - self.t0, "held": dict(self.held), "stats": dict(self.stats),
                "flood_closes": dict(self.closes), "hello_answers": dict(self.hello_answers)}

    async def reporter(self) -> None:
        out = Path(self.cfg["out"])
        while not self.stop.is_set():
            out.write_text(json.dumps(self.snapshot()))
            try:
                await asyncio.wait_for(self.stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass
        out.write_text(json.dumps(self.snapshot()))

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        cfg = self.cfg
        tasks = [asyncio.create_task(self.hold("idle")) for _ in range(cfg["idle"])]
        tasks += [asyncio.create_task(self.hold("half_open")) for _ in range(cfg["half_open"])]
        per = cfg["flood_rate"] / max(1, cfg["flood_sockets"])
        if per > 0:
            tasks += [asyncio.create_task(self.flood(per)) for _ in range(cfg["flood_sockets"])]
        if cfg["hellos_per_s"] > 0:
            tasks.append(asyncio.create_task(self.hellos()))
        report = asyncio.create_task(self.reporter())
        await self.stop.wait()
        await report
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def main() -> int:
    cfg = json.loads(Path(sys.argv[1]).read_text())
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(Attacker(cfg).run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
