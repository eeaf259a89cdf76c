"""``python -m bench.netlink``: run the relay.

One route::

    python -m bench.netlink --profile wifi --target 127.0.0.1:8000 --port 9000 --seconds 60

Several routes (the benchmarks): ``--routes FILE`` with a JSON list of
``{"name", "target": "host:port", "profile", "seed"}``.  The relay prints one
JSON line ``{"ports": {route name: listening port}, "t0_monotonic": ...}`` on
stdout once it listens, runs until ``--seconds`` have passed, stdin is closed
(``--stdin``) or it gets SIGTERM/SIGINT, then writes what each connection
really got (``--stats FILE``, JSON) and exits.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

from .profiles import PROFILES
from .relay import Relay, Route


def _hostport(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.netlink", description=__doc__.split("\n\n")[0])
    p.add_argument("--profile", choices=sorted(PROFILES), help="profile of the single route")
    p.add_argument("--target", type=_hostport, help="HOST:PORT the single route forwards to")
    p.add_argument("--port", type=int, default=0, help="listening port of the single route (0: any)")
    p.add_argument("--seed", default="1", help="seed of the single route")
    p.add_argument("--routes", type=Path, help="JSON list of routes (instead of the single route)")
    p.add_argument("--seconds", type=float, default=300.0, help="stop after this many seconds (default 300)")
    p.add_argument("--change-at", type=float, default=15.0, help="route-change: when the route changes (s)")
    p.add_argument("--stdin", action="store_true", help="also stop when stdin is closed")
    p.add_argument("--stats", type=Path, help="write per-connection delay statistics here (JSON)")
    args = p.parse_args(argv)
    if args.routes:
        routes = [Route(r["name"], _hostport(r["target"]), r["profile"], str(r["seed"]))
                  for r in json.loads(args.routes.read_text())]
    elif args.profile and args.target:
        routes = [Route("main", args.target, args.profile, str(args.seed), ("127.0.0.1", args.port))]
    else:
        p.error("give --profile and --target, or --routes")
    for r in routes:
        if r.profile not in PROFILES:
            p.error(f"unknown profile {r.profile!r}")
    sys.setswitchinterval(0.0002)  # writer threads wake on time: do not wait 5 ms for the GIL
    relay = Relay(routes, change_at_s=args.change_at).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.stdin:
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    print(json.dumps({"ports": relay.ports, "t0_monotonic": relay.t0}), flush=True)
    stop.wait(args.seconds)
    relay.stop()
    time.sleep(0.05)
    if args.stats:
        args.stats.write_text(json.dumps([s.summary() for s in relay.stats], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
