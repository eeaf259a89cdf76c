"""How fast the conductor takes sign-ups over HTTP, and what a flood from one address gets.

    python bench/signups.py [--people 500] [--clients 4] [--flood-s 10]

A real conductor (uvicorn on loopback, the state file on this machine's disk)
with a sign-up bundle; ``--clients`` threads sign ``--people`` up, each from
its own loopback address, on a conductor whose per-address limit is lifted
(``--signup-burst`` 10**6: the limit is not what is measured); then one address
tries as fast as it can for ``--flood-s`` seconds against a conductor with the default limits.  Prints a
Markdown table (docs/signups.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "conductor")]

import httpx  # noqa: E402

from bench.table import markdown  # noqa: E402
from conductor_testkit import TOKEN, LiveServer, write_bundle  # noqa: E402
from flashmob.conductor.app import ServerConfig, build_app  # noqa: E402
from flashmob.contract.signups import FORMAT, SIGNUP_FILE  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=500)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--flood-s", type=float, default=10.0, help="how long one address floods (default 10 s)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="flashmob-signups-"))
    b = write_bundle(tmp / "b")
    (b / SIGNUP_FILE).write_text(json.dumps({"format": FORMAT, "version": 1, "privacy": "bench",
                                             "capacity": args.people // 2}))
    server = LiveServer(build_app(ServerConfig(bundle_dir=b, token=TOKEN, client_dir=tmp / "none",
                                               signup_burst=10**6))).start()
    rows = []
    errors: list[BaseException] = []
    try:
        latencies: list[float] = []
        lock = threading.Lock()

        def worker(k: int) -> None:
            try:
                run(k)
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        def run(k: int) -> None:
            with httpx.Client(transport=httpx.HTTPTransport(local_address=f"127.0.0.{k + 2}")) as c:
                for i in range(k, args.people, args.clients):
                    t0 = time.perf_counter()
                    r = c.post(f"{server.url}/api/signup", json={"name": f"p{i}", "consent": True}, timeout=30)
                    assert r.status_code == 201, r.text
                    with lock:
                        latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        if errors:
            raise errors[0]
        q = statistics.quantiles(latencies, n=100)
        rows.append([f"{args.people} sign-ups, {args.clients} clients", round(args.people / wall, 1),
                     round(q[49] * 1000, 1), round(q[98] * 1000, 1)])
        summary = httpx.get(f"{server.url}/api/signups", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert summary["confirmed"] + summary["waiting"] == args.people, summary
    finally:
        server.stop()
    b2 = write_bundle(tmp / "b2")
    (b2 / SIGNUP_FILE).write_text(json.dumps({"format": FORMAT, "version": 1, "privacy": "bench"}))
    server = LiveServer(build_app(ServerConfig(bundle_dir=b2, token=TOKEN, client_dir=tmp / "none"))).start()
    try:
        ok = tried = 0
        end = time.monotonic() + args.flood_s
        with httpx.Client() as c:
            while time.monotonic() < end:
                tried += 1
                ok += c.post(f"{server.url}/api/signup", json={"name": "bot", "consent": True}).status_code == 201
        rows.append([f"flood: one address for {args.flood_s:g} s ({tried} attempts)", ok, None, None])
    finally:
        server.stop()
    print(markdown(["case", "sign-ups/s (flood: accepted)", "p50 ms", "p99 ms"], rows))


if __name__ == "__main__":
    main()
