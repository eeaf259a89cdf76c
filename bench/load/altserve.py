"""An experiment, not a server to deploy: the conductor app exactly as
``flashmob serve`` builds it (``conductor.app``), behind the same connection
gate (``conductor.gate.conductor_server``, default limits), run by uvicorn with
another websocket implementation or event loop, to measure what the transport costs.

    python -m bench.load.altserve BUNDLE --ws websockets --db STATE.sqlite

``--ws`` is uvicorn's option (``websockets-sansio``, which ``auto`` picks with
websockets >= 14 and pauses/resumes reading around every frame,
``websockets``, the legacy asyncio implementation, or ``wsproto``); ``--loop``
likewise (``uvloop`` or ``asyncio``); ``--ws-ping S`` another keepalive
ping interval; ``--gc-log FILE`` appends every garbage collection longer than
2 ms (time, generation, duration) to FILE.  ``bench.load``'s ``--uvicorn-ws``,
``--uvicorn-loop``, ``--ws-ping`` and ``--gc-log`` serve through it.  Prints
``listening on 127.0.0.1:PORT`` like ``flashmob serve``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flashmob.conductor.app import ServerConfig, build_conductor, create_app
from flashmob.conductor.connlimits import Limits, capacity_for_fds
from flashmob.conductor.gate import conductor_server
from flashmob.conductor.serve import bind, raise_fd_limit


def _log_gc(path: Path) -> None:
    import gc
    import time

    out = open(path, "a", buffering=1)
    started = {}

    def callback(phase, info):
        if phase == "start":
            started["t"] = time.perf_counter()
        elif "t" in started:
            ms = (time.perf_counter() - started.pop("t")) * 1000
            if ms > 2:
                out.write(f"{time.monotonic():.3f} gen {info['generation']} {ms:.1f} ms collected {info['collected']}\n")

    gc.callbacks.append(callback)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load.altserve")
    p.add_argument("bundle", type=Path)
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--ws", default="websockets-sansio", choices=["websockets", "websockets-sansio", "wsproto"])
    p.add_argument("--loop", default="uvloop", choices=["uvloop", "asyncio"])
    p.add_argument("--min-lead", type=float, default=1.0)
    p.add_argument("--ws-ping", type=float, help="websocket ping interval (s); default: the conductor's")
    p.add_argument("--gc-log", type=Path, help="append every garbage collection longer than 2 ms to this file")
    args = p.parse_args(argv)
    if args.gc_log:
        _log_gc(args.gc_log)
    sock = bind("127.0.0.1", 0)
    cfg = ServerConfig(bundle_dir=args.bundle, db_path=args.db, min_lead_s=args.min_lead,
                       public_url=f"http://127.0.0.1:{sock.getsockname()[1]}")
    conductor, clock, ntp = build_conductor(cfg)
    app = create_app(conductor, clock, ntp=ntp)
    print(f"listening on 127.0.0.1:{sock.getsockname()[1]}", flush=True)
    _, nofile = raise_fd_limit()
    extra = {"ws_ping_interval": args.ws_ping} if args.ws_ping else {}
    server, _gate = conductor_server(app, Limits(max_connections=capacity_for_fds(nofile)), log_level="warning",
                                     ws=args.ws, loop=args.loop, timeout_graceful_shutdown=3, **extra)
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
