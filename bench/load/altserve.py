"""An experiment, not a server to deploy: the conductor app exactly as
``flashmob serve`` builds it (``conductor.app``), run by uvicorn with another
websocket implementation, to measure what the transport costs.

    python -m bench.load.altserve BUNDLE --ws websockets --db STATE.sqlite

``--ws`` is uvicorn's option (``websockets-sansio``, which ``auto`` picks with
websockets >= 14 and pauses/resumes reading around every frame, or
``websockets``, the legacy asyncio implementation).  Prints ``listening on
127.0.0.1:PORT`` like ``flashmob serve``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import uvicorn

from flashmob.conductor.app import WS_MAX_SIZE, ServerConfig, build_conductor, create_app
from flashmob.conductor.serve import bind


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.load.altserve")
    p.add_argument("bundle", type=Path)
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--ws", default="websockets", choices=["websockets", "websockets-sansio", "wsproto"])
    p.add_argument("--min-lead", type=float, default=1.0)
    args = p.parse_args(argv)
    sock = bind("127.0.0.1", 0)
    cfg = ServerConfig(bundle_dir=args.bundle, db_path=args.db, min_lead_s=args.min_lead,
                       public_url=f"http://127.0.0.1:{sock.getsockname()[1]}")
    conductor, clock, ntp = build_conductor(cfg)
    app = create_app(conductor, clock, ntp=ntp)
    print(f"listening on 127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, log_level="warning", ws=args.ws, ws_max_size=WS_MAX_SIZE, lifespan="on",
                            timeout_graceful_shutdown=3)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
