"""bench.render runs a one-minute show end to end and prints its table (seconds, not minutes)."""

from __future__ import annotations

import re

from .conftest import run_bench


def test_render_bench_prints_its_table():
    p = run_bench("bench.render", "--minutes", "1", "--cues", "10", timeout=300)
    assert p.returncode == 0
    out = p.stdout
    assert "| measure" in out and "3 groups x 1 min, 10 cues" in out
    rows = dict(re.findall(r"^\| (.+?)\s+\| (.+?) \|$", out, re.M))
    for key in ("warm render wall time", "ffmpeg CLI, same PCM, sequential"):
        assert re.fullmatch(r"\d+\.\d s", rows[key]), rows[key]
    assert re.fullmatch(r"\d+x", rows["realtime factor (show min / wall min)"])
    assert re.fullmatch(r"\d+ MiB", rows["peak RSS, whole process tree"])
    assert re.fullmatch(r"\d+\.\d\dx", rows["render / ffmpeg encode"])
