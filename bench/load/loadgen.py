"""The load generator's configuration (``loadgen.mjs`` reads it): one definition for every mode."""

from __future__ import annotations

import json
from pathlib import Path

from .. import procs


def write_config(workdir: Path, args, *, urls: list[str], console_url: str, phones: int, epoch_us: int) -> Path:
    """Write ``loadgen.json`` for ``phones`` phones over ``urls`` (phone i on ``urls[i % len]``),
    the console on ``console_url``, timings from the command line ``args``; returns its path."""
    cfg = {"url": urls[0], "urls": urls, "consoleUrl": console_url,
           "token": procs.TOKEN, "phones": phones, "concurrency": args.concurrency, "epochOffsetUs": epoch_us,
           "joinTimeoutS": args.join_timeout, "steadyS": args.steady, "leadMs": int(args.lead * 1000),
           "afterS": 1.0, "burst": 12, "burstSpacingMs": 50, "periodicBurst": 4, "periodMs": args.period_ms,
           "statusMs": args.status_ms, "consoleProbeMs": args.console_probe_ms,
           "out": str(workdir / "load.json")}
    path = workdir / "loadgen.json"
    path.write_text(json.dumps(cfg))
    return path
