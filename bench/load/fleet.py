"""``bench.load --processes 1,2,4 --redis``: K phones over N conductor processes sharing one show on Redis.

For each total K and each configuration -- first the single-process in-memory mode
(``flashmob serve``, SQLite state, the in-process hub: the default), then N nodes of
``flashmob serve --redis URL --node-id nI`` on one private ``redis-server`` (no
persistence, a free loopback port, started and stopped by PID) -- the load generator
(``bench/load/loadgen.mjs``, the same phones, schedule and console) spreads the
phones over the nodes, phone i on node i mod N (directly, or with ``--nginx``
through one nginx running ``flashmob nginx``'s configuration, ``least_conn``), and
the console on node 0 arms the show.  Measured (definitions: ``bench/load/fleetreport.py``):
phones held, sync service and round-trip p99, the armed ``show`` to the last phone
of every node and the start times the phones got, the conductors' CPU (all
processes) per 1,000 phones, Redis's CPU (``/proc/PID/stat``) and its operations
per second (``INFO stats`` ``total_commands_processed`` over the steady phase and
over the arm phase), all in one run, so the Redis rows compare with the in-memory
row of the same K.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .. import procs
from ..showbundle import write_stub_bundle
from . import fleetreport
from .loadgen import write_config
from .procstat import Sampler

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProc:
    """A private redis-server on a free loopback port (no persistence), stopped by PID."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.access(binary, os.X_OK):
            raise procs.PrerequisiteMissing("redis-server is missing (Debian redis-server; "
                                            "scripts/ensure-test-services.sh installs it)")
        folder.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.p = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                   "--appendonly", "no", "--dir", str(folder), "--daemonize", "no",
                                   "--loglevel", "warning"],
                                  stdout=open(folder / "redis.log", "ab"), stderr=subprocess.STDOUT)
        import redis

        self.client = redis.Redis(host="127.0.0.1", port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.p.poll() is not None:
                    self.stop()
                    raise RuntimeError("redis-server did not start: " + (folder / "redis.log").read_text()[-500:])
                time.sleep(0.02)

    @property
    def pid(self) -> int:
        return self.p.pid

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def commands(self) -> int:
        """``INFO stats`` ``total_commands_processed`` (the INFO call itself included)."""
        return int(self.client.info("stats")["total_commands_processed"])

    def stop(self) -> None:
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGKILL)
            self.p.wait(10)


class NginxProc:
    """nginx in front of the nodes with ``flashmob nginx --standalone``'s configuration."""

    def __init__(self, bundle: Path, upstreams: list[str], folder: Path) -> None:
        from flashmob.conductor.nginx import Front, standalone_config
        from flashmob.contract.bundle import load_bundle

        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.access(binary, os.X_OK):
            raise procs.PrerequisiteMissing("nginx is missing (Debian nginx; scripts/ensure-test-services.sh)")
        folder.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        front = Front(bundle=load_bundle(bundle, verify=False), upstreams=tuple(upstreams),
                      listen=f"127.0.0.1:{self.port}", bundle_root=str(bundle.resolve()),
                      client_root=str((procs.ROOT / "client_web").resolve()))
        conf = folder / "nginx.conf"
        conf.write_text(standalone_config(front, str(folder.resolve()), user="root" if os.geteuid() == 0 else None,
                                          worker_processes="1", worker_connections=65536))
        self.p = subprocess.Popen([binary, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.p.poll() is not None:
                    self.stop()
                    raise RuntimeError("nginx did not start: " + (folder / "error.log").read_text()[-500:])
                time.sleep(0.02)

    def pids(self) -> list[int]:
        """The master and its workers."""
        try:
            kids = Path(f"/proc/{self.p.pid}/task/{self.p.pid}/children").read_text().split()
        except OSError:
            kids = []
        return [self.p.pid, *map(int, kids)]

    def stop(self) -> None:
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(5)


def start_node(bundle: Path, redis_url: str, name: str, log: Path, *, proxied: bool) -> tuple[procs.Proc, int]:
    """One ``--redis`` node; ``proxied``: behind nginx (``--forwarded-allow-ips``, which also makes the
    endpoint stamp ``t1`` itself instead of taking the gate's socket read: conductor/endpoint.py)."""
    cmd = [sys.executable, "-m", "flashmob.conductor", "serve", str(bundle), "--host", "127.0.0.1", "--port", "0",
           "--no-qr", "--redis", redis_url, "--node-id", name, "--min-lead", "1", "--log-level", "warning",
           *(["--forwarded-allow-ips", "127.0.0.1"] if proxied else [])]
    with open(log, "a") as f:
        proc = procs.Proc(cmd, env={"FLASHMOB_TOKEN": procs.TOKEN}, stderr=f)
    return proc, int(proc.read_until(r"listening on 127\.0\.0\.1:(\d+)").group(1))


def run_one(k: int, processes: int, use_redis: bool, args, workdir: Path) -> fleetreport.FleetRow:
    bundle = write_stub_bundle(workdir / "bundle")
    epoch = procs.epoch_offset_us()
    started: list = []
    redis = nginx = None
    try:
        if use_redis:
            redis = RedisProc(workdir / "redis")
            started.append(redis)
            nodes = [start_node(bundle, redis.url, f"n{i}", workdir / f"node{i}.log", proxied=bool(args.nginx))
                     for i in range(processes)]
        else:
            nodes = [procs.start_conductor(bundle, workdir / "state.sqlite", extra=[
                "--min-lead", "1", *(["--forwarded-allow-ips", "127.0.0.1"] if args.nginx else [])])]
        started += [p for p, _ in nodes]
        ports = [port for _, port in nodes]
        if args.nginx:
            nginx = NginxProc(bundle, [f"127.0.0.1:{p}" for p in ports], workdir / "nginx")
            started.append(nginx)
            urls = [f"ws://127.0.0.1:{nginx.port}/ws"]
        else:
            urls = [f"ws://127.0.0.1:{p}/ws" for p in ports]
        time.sleep(0.5)
        cfg = write_config(workdir, args, urls=urls, console_url=f"ws://127.0.0.1:{ports[0]}/ws/console",
                           phones=k, epoch_us=epoch)
        gen = procs.node_proc(HERE / "loadgen.mjs", str(cfg))
        started.append(gen)
        pids = {f"conductor{i}": p.pid for i, (p, _) in enumerate(nodes)}
        pids["loadgen"] = gen.pid
        if redis is not None:
            pids["redis"] = redis.pid
        if nginx is not None:
            pids.update({f"nginx{i}": pid for i, pid in enumerate(nginx.pids())})
        sampler = Sampler(pids).start()
        marks: dict[str, float] = {}
        ops: dict[str, int] = {}
        deadline = time.monotonic() + args.join_timeout + args.steady + args.lead + 60
        while "done" not in marks and time.monotonic() < deadline:
            line = gen.p.stdout.readline()
            if not line:
                break
            if line.startswith('{"mark"'):
                mk = json.loads(line)
                marks[mk["mark"]] = (mk["t"] - epoch) / 1e6
                if redis is not None:
                    ops[mk["mark"]] = redis.commands()
        rc = gen.wait(90)
        sampler.stop()
        if not (workdir / "load.json").exists():
            raise RuntimeError(f"loadgen exited with {rc} and wrote nothing")
        out = json.loads((workdir / "load.json").read_text())
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(workdir / "load.json", args.keep / f"fleet-{k}-{processes}-{'redis' if use_redis else 'memory'}.json")
    finally:
        for p in reversed(started):
            p.stop()
    return fleetreport.row(out, processes=processes, redis=use_redis, nginx=bool(args.nginx), marks=marks, ops=ops,
                           sampler=sampler)


def sweep(args, sizes: list[int]) -> int:
    """Every K: the in-memory single process, then Redis with each N of ``--processes``; table, targets,
    projection."""
    import tempfile

    from .. import machine

    counts = [int(x) for x in args.processes.split(",") if x]
    if not args.redis and counts != [1]:
        print("bench.load: several --processes share one show only through --redis", file=sys.stderr)
        return 2
    configs = [(1, False)] + ([(n, True) for n in counts] if args.redis else [])
    rows = []
    for k in sizes:
        for n, use_redis in configs:
            with tempfile.TemporaryDirectory(prefix=f"bench-fleet-{k}-{n}-") as tmp:
                r = run_one(k, n, use_redis, args, Path(tmp))
            rows.append(r)
            print(f"  {k:,} phones, {r.mode}: {'healthy' if r.healthy else 'NOT healthy'}: held {r.held}, "
                  f"service p99 {r.service_p99_ms} ms, cue to last {r.cue_last_ms} ms, starts {r.starts}, "
                  f"conductor CPU {r.conductor_core}, Redis CPU {r.redis_core}, errors: {r.error_detail}; "
                  f"load average {machine.loadavg()[0]:.2f}", flush=True)
    print()
    print(fleetreport.table(rows))
    print()
    for line in fleetreport.targets(rows):
        print(f"- {line}")
    print()
    for target in (20_000, 100_000):
        for line in fleetreport.projection(rows, target, cores_per_machine=args.cores_per_machine):
            print(f"- {line}")
    if args.json:
        args.json.write_text(json.dumps([r.as_dict() for r in rows], indent=1))
    return 0
