"""bench/acoustic's pure parts: onsets to a fraction of a sample, the anchor line, the tables."""

from __future__ import annotations

import numpy as np
import pytest

from bench.acoustic.onsets import onsets, reference_offset
from bench.acoustic.recorder import AnchorLine
from bench.acoustic import report


def _clicks(rate: int, at: list[float], n: int, *, smear: bool = False) -> np.ndarray:
    x = (0.01 * np.sin(np.arange(n) * 0.05)).astype(np.float64)
    for t in at:
        i = int(t)
        x[i:i + 6] = 0.9
    if smear:  # a band-limited click: what a decoder and a resampler leave
        k = np.hanning(5)
        x = np.convolve(x, k / k.sum(), mode="same")
    return x


def test_onsets_find_each_click_within_a_sample():
    rate = 48000
    at = [1000, 49000, 97000.0]
    found = onsets(_clicks(rate, at, 120000), rate=rate)
    assert len(found) == 3
    for f, a in zip(found, at):
        assert abs(f - a) < 1.0, (f, a)


def test_onsets_of_a_smeared_click_stay_within_two_samples_and_reference_offset_measures_it():
    rate = 44100
    x = _clicks(rate, [44100], 90000, smear=True)
    off = reference_offset(x, 44100, rate)
    assert -2.0 < off < 2.0
    with pytest.raises(ValueError):
        reference_offset(x, 10000, rate)


def test_onsets_ignore_the_bed_and_the_ringing_after_a_click():
    rate = 48000
    x = _clicks(rate, [5000], 20000)
    x[5006:5100] = 0.3 * np.cos(np.arange(94))  # ringing above the threshold, inside the gap
    assert len(onsets(x, rate=rate)) == 1


def test_anchor_line_times_frames_inside_steady_runs_only():
    rate = 48000
    # reads every 10 ms: a 1 s backlog of disagreeing reads, then a steady run, a 5 ms jump, a steady run
    anchors = [(i * 480, 1e6 + i * 4000.0) for i in range(100)]  # backlog: 4 ms of clock per 10 ms of audio
    t0 = 5e6
    anchors += [(48000 + i * 480, t0 + i * 10000.0 + (i % 3)) for i in range(100)]
    anchors += [(96000 + i * 480, t0 + 1e6 + 5000 + i * 10000.0) for i in range(100)]
    line = AnchorLine(anchors, rate)
    assert len(line.segments()) == 2
    assert line.at(1000) is None  # in the backlog
    assert abs(line.at(48000 + 24000) - (t0 + 500000)) < 5
    assert abs(line.at(96000 + 24000) - (t0 + 1e6 + 5000 + 500000)) < 5
    assert line.spread_us() <= 3


def test_report_tables_count_targets_and_bounds():
    rs = [report.PageRound(48000, r, e, f"{e}{i}", 0.0, a, s, b, 1.0, "timestamp", {"timestamp": s})
          for r in range(2) for i, (e, a, s, b) in enumerate([("chromium", 1000.0, 1500.0, 1000.0),
                                                              ("firefox", 4000.0, 0.0, 2000.0)])]
    t = report.engine_table(rs)
    assert "| 48k  | chromium | 2/2   | +1.00" in t
    assert "| 48k  | firefox  | 2/2   | +4.00" in t
    # chromium: within ±3 ms, self-report 0.5 ms off, the 1 ms bound holds; firefox: 4 ms late, 4 ms unknown
    chrom = next(line for line in t.splitlines() if "| chromium" in line)
    fire = next(line for line in t.splitlines() if "| firefox" in line)
    assert "| 2/2          |" in chrom and "| 0/2          |" in fire
    assert chrom.rstrip().endswith("| 2/2         | 1.00      |")
    assert fire.rstrip().endswith("| 0/2         | 1.00      |")
    s = report.spread_table(rs)
    assert "| 48k  | 2     | 2      | 3.00" in s
    c = report.crosscheck_table(rs)
    assert "timestamp" in c and "yes" in c
