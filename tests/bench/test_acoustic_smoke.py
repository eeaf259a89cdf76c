"""bench.acoustic for one round with one Chromium page at 48 kHz: the tables come out and the sound was heard."""

from __future__ import annotations

import shutil

import pytest

from .conftest import missing, run_bench


@pytest.fixture(scope="module")
def acoustic_tools(browser_tools):
    for exe in ("pulseaudio", "pactl", "Xvfb"):
        if not shutil.which(exe):
            missing(f"{exe} is missing (scripts/ensure-browsers.sh)")
    from bench.engines import EngineMissing, check

    try:
        check("chromium")
    except EngineMissing as exc:
        missing(str(exc))


def test_acoustic_bench_times_one_chromium_page_by_its_sound(acoustic_tools):
    p = run_bench("bench.acoustic", "--pages", "chromium", "--rates", "48000", "--rounds", "1", "--sync", "2",
                  "--lead", "2", "--cal-clicks", "8", timeout=300)
    assert p.returncode == 0, "no click was heard from the page"
    out = p.stdout
    assert "Recording chain" in out and "| 48k" in out
    assert "| 48k  | chromium | 1/1" in out  # heard: its first click was found in the sink's recording
    assert "Cross-check of the readings" in out and "Spread of the acoustic errors" in out
