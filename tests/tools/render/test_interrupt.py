"""Ctrl-C during a real render: prompt exit, no partial bundle, the previous bundle intact,
no process left behind. And the output folder is swapped in only when complete."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from flashmob.tools.render import bundle as bundle_module
from flashmob.tools.render.bundle import RenderOptions, render_bundle

ROOT = Path(__file__).resolve().parents[3]
LONG = """flashmob: 1
title: Long enough to interrupt
groups: {red: {}, blue: {}}
assets:
  bed: bed.wav
cues:
  - at: 0
    music: bed
    loop: true
  - at: 1
    say: Hello.
  - at: 20:00
    end: true
"""


def _session_processes(sid: int) -> list[int]:
    """PIDs of every live (non-zombie) process of session ``sid``."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                out.append(int(entry))
    return out


def _names(pids) -> set[str]:
    names = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/comm") as fh:
                names.add(fh.read().strip())
        except OSError:
            pass
    return names


def _encoding(sid: int) -> bool:
    """An ffmpeg (imageio-ffmpeg's binary is "ffmpeg-linux-x86_64-v...") runs in the session."""
    return any(n.startswith("ffmpeg") for n in _names(_session_processes(sid)))


def _previous_bundle(path: Path) -> dict:
    path.mkdir()
    (path / "manifest.json").write_text(json.dumps({"format": "flashmob-bundle", "show_id": "previous"}))
    (path / "red").mkdir()
    (path / "red" / "show-red.mp3").write_bytes(b"previous mp3")
    return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}


def _snapshot(path: Path) -> dict:
    return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}


@pytest.mark.parametrize("when", ["mixing", "starting"])
def test_sigint_stops_a_real_render_at_once_and_keeps_the_previous_bundle(tmp_path, when):
    sf.write(tmp_path / "bed.wav", (0.2 * np.sin(np.arange(44100) / 7)).astype(np.float32), 44100)
    (tmp_path / "long.yaml").write_text(LONG, encoding="utf-8")
    before = _previous_bundle(tmp_path / "out")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "flashmob", "render", "long.yaml", "-o", "out"], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        first = proc.stderr.readline()
        assert first.startswith("rendering 2 groups x 20:00 (40:00 of audio), 1 spoken line: about ")
        if when == "mixing":   # wait until a worker is encoding (its ffmpeg runs)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not _encoding(proc.pid):
                time.sleep(0.05)
            assert _encoding(proc.pid)
            assert list(tmp_path.glob(".out.partial-*")), "the render writes into a hidden folder beside 'out'"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        took = time.monotonic() - sent
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert took < 2.0                       # typically 0.05 s; generous for a loaded machine
    assert "Traceback" not in err and "Warning" not in err
    assert err.splitlines()[-1] == "flashmob render: interrupted; nothing written to out (the previous bundle there is unchanged)"
    assert proc.stdout.read() == ""
    assert _snapshot(tmp_path / "out") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bed.wav", "long.yaml", "out"]
    deadline = time.monotonic() + 5          # workers, ffmpeg, fork server: all gone
    while _session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session_processes(proc.pid) == []


def test_a_failed_render_leaves_the_previous_bundle_and_no_temporary_folder(clicks_score, tmp_path, monkeypatch):
    before = _previous_bundle(tmp_path / "out")

    def broken_manifest(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bundle_module, "build_manifest", broken_manifest)
    with pytest.raises(OSError):
        render_bundle(clicks_score, str(tmp_path / "out"), RenderOptions(workers=1))
    assert _snapshot(tmp_path / "out") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_complete_render_replaces_the_previous_bundle_keeping_the_conductor_state(clicks_score, tmp_path):
    _previous_bundle(tmp_path / "out")
    (tmp_path / "out" / ".flashmob-conductor.json").write_text("{\"state\": 1}")
    render_bundle(clicks_score, str(tmp_path / "out"), RenderOptions(workers=1))
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [".flashmob-conductor.json", "a", "b", "manifest.json"]
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["show_id"] != "previous"
    assert (tmp_path / "out" / ".flashmob-conductor.json").read_text() == "{\"state\": 1}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert oct((tmp_path / "out").stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_temporary_folders_of_a_killed_render_are_removed_by_the_next(clicks_score, tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f".out.partial-{dead.pid}-abc123"
    stale.mkdir()
    (stale / "half.mp3").write_bytes(b"half")
    alive = tmp_path / f".out.partial-{os.getppid()}-def456"   # a render still running: left alone
    alive.mkdir()
    render_bundle(clicks_score, str(tmp_path / "out"), RenderOptions(workers=1))
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "out"]
