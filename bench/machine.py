"""One line describing the machine a benchmark ran on (CPU, cores, memory, load, versions)."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _mem_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _version(cmd: list[str]) -> str:
    if not shutil.which(cmd[0]):
        return "-"
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def loadavg() -> tuple[float, float, float]:
    return os.getloadavg()


def describe(*, chromium: bool = False) -> str:
    la = loadavg()
    parts = [f"{_cpu_model()}, {os.cpu_count()} cores, {_mem_gib():.0f} GiB",
             f"Linux {platform.release()}", f"Python {sys.version.split()[0]}", f"Node {_version(['node', '-v'])}",
             f"load average {la[0]:.2f} / {la[1]:.2f} / {la[2]:.2f} (1/5/15 min) at start"]
    if chromium:
        parts.append(_version(["/usr/bin/chromium", "--version"]))
    return "; ".join(parts)
