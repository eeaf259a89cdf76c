"""The output folder rules: render never swaps a bundle out from under a running conductor."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flashmob.tools.render.outdir import BundleDirError, check_output_dir

REPO = Path(__file__).resolve().parents[3]


def _bundle(tmp_path: Path) -> Path:
    d = tmp_path / "show"
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({"format": "flashmob-bundle"}))
    return d


def test_a_bundle_with_a_living_conductor_lock_is_refused_then_free_after_it_dies(tmp_path):
    d = _bundle(tmp_path)
    state = d / ".flashmob-conductor.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from conductor.statelock import lock_state_file; "
         f"lock = lock_state_file({str(state)!r}); print('locked', flush=True); time.sleep(60)"],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BundleDirError, match=rf"being served by a running conductor \(pid {holder.pid} since"):
            check_output_dir(str(d))
    finally:
        holder.kill()
        holder.wait(10)
    deadline = time.monotonic() + 5
    while True:  # the kernel drops the flock with the process; the stale lock file blocks nothing
        try:
            check_output_dir(str(d))
            break
        except BundleDirError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_a_folder_that_is_not_a_bundle_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(BundleDirError, match="holds no flashmob bundle"):
        check_output_dir(str(tmp_path))


def test_re_rendering_keeps_the_state_and_the_group_secret(tmp_path, monkeypatch):
    """The show's files (flashmob.contract.secret.kept_across_renders) survive the swap, with
    their mode; a secret created in the old bundle during the render is linked into the new one."""
    from flashmob.contract.secret import SECRET_FILE, read_secret_file, write_secret_file
    from flashmob.tools.render import outdir

    d = _bundle(tmp_path)
    (d / ".flashmob-conductor.sqlite").write_bytes(b"state")
    write_secret_file(d / SECRET_FILE, b"k" * 32)
    new = Path(outdir.partial_dir(str(d)))
    (new / "manifest.json").write_text(json.dumps({"format": "flashmob-bundle", "n": 2}))
    outdir.replace_bundle(str(new), str(d))
    assert json.loads((d / "manifest.json").read_text())["n"] == 2
    assert (d / ".flashmob-conductor.sqlite").read_bytes() == b"state"
    assert read_secret_file(d / SECRET_FILE) == b"k" * 32
    assert (d / SECRET_FILE).stat().st_mode & 0o777 == 0o600

    e = tmp_path / "late"
    e.mkdir()
    (e / "manifest.json").write_text(json.dumps({"format": "flashmob-bundle"}))
    exchange = outdir._exchange

    def qr_during_the_swap(a, b):  # flashmob qr creates the secret after the copy, before the swap
        write_secret_file(e / SECRET_FILE, b"q" * 32)
        return exchange(a, b)

    monkeypatch.setattr(outdir, "_exchange", qr_during_the_swap)
    new = Path(outdir.partial_dir(str(e)))
    (new / "manifest.json").write_text(json.dumps({"format": "flashmob-bundle", "n": 3}))
    outdir.replace_bundle(str(new), str(e))
    assert json.loads((e / "manifest.json").read_text())["n"] == 3
    assert read_secret_file(e / SECRET_FILE) == b"q" * 32
