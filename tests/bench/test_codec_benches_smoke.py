"""bench.codec_headroom and bench.decoded_levels run on tiny inputs and print their tables."""

from __future__ import annotations

import re

from .conftest import run_bench


def test_codec_headroom_bench_prints_its_table():
    p = run_bench("bench.codec_headroom", "--minutes", "1", "--groups", "1", "--bitrates", "96",
                  "--qualities", "7", timeout=300)
    assert p.returncode == 0, p.stderr
    assert re.search(r"^\| 96 \| 7 \| [+-]\d+\.\d\d \| \d+ \|$", p.stdout, re.M), p.stdout


def test_decoded_levels_bench_reads_a_rendered_bundle(tmp_path):
    bundle = tmp_path / "bundle"
    assert run_bench("bench.render", "--minutes", "1", "--cues", "4", "--groups", "1", "--keep", str(bundle),
                     timeout=300).returncode == 0
    p = run_bench("bench.decoded_levels", str(bundle), timeout=120)
    assert p.returncode == 0, p.stderr
    row = re.search(r"^\| g0 \| (-\d+\.\d\d) / (-\d+\.\d\d) \|(( -?\d+\.\d{3} \|){5})$", p.stdout, re.M)
    assert row, p.stdout
    ebur128, _, ours, tp, tp_x4 = (float(v) for v in row.group(3).strip(" |").split(" | "))
    assert abs(float(row.group(1)) - ebur128) < 0.05 and abs(float(row.group(1)) - ours) < 0.01
    assert max(tp, tp_x4) <= -1.0
