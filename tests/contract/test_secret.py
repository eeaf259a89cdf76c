"""flashmob.contract.secret: one rule finds the group secret; the file is created once,
atomically, 0600, never overwritten; an old state file's secret is migrated, never lost."""

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flashmob.contract.secret import (ENV, SECRET_FILE, STATE_FILE, SecretError, decode_key, encode_key,
                                      kept_across_renders, new_key, read_secret_file, resolve_group_secret,
                                      write_secret_file)

REPO = Path(__file__).resolve().parents[2]


def test_env_wins_and_writes_nothing(tmp_path):
    (tmp_path / SECRET_FILE).write_text(encode_key(new_key()) + "\n")
    got = resolve_group_secret(tmp_path, {ENV: "x" * 20}, legacy=lambda: b"y" * 32)
    assert got.key == b"x" * 20 and got.source == ENV  # the raw UTF-8 bytes, as before the secret file
    with pytest.raises(SecretError, match=f"{ENV} must have at least 16 bytes"):
        resolve_group_secret(tmp_path, {ENV: "short"})
    assert resolve_group_secret(tmp_path, {ENV: ""}).source == str(tmp_path / SECRET_FILE)  # empty: unset


def test_first_use_creates_the_file_once_0600_then_reads_it(tmp_path):
    first = resolve_group_secret(tmp_path, {})
    path = tmp_path / SECRET_FILE
    assert first.created and first.source == str(path) and len(first.key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == encode_key(first.key) + "\n"
    again = resolve_group_secret(tmp_path, {})
    assert again.key == first.key and not again.created
    assert [p.name for p in tmp_path.iterdir()] == [SECRET_FILE]  # no temporary file left


def test_never_overwritten(tmp_path):
    path = tmp_path / SECRET_FILE
    mine = write_secret_file(path, b"a" * 32)
    assert write_secret_file(path, b"b" * 32) == mine == b"a" * 32


def test_concurrent_creators_end_up_with_one_key(tmp_path):
    """Eight processes resolve the secret of an empty folder at the same instant."""
    code = textwrap.dedent(f"""
        import sys, time
        from flashmob.contract.secret import resolve_group_secret
        t = float(sys.argv[1])
        while time.time() < t: pass
        print(resolve_group_secret({str(tmp_path)!r}, {{}}).key.hex())
    """)
    import time
    start = str(time.time() + 1.5)
    procs = [subprocess.Popen([sys.executable, "-c", code, start], cwd=REPO, stdout=subprocess.PIPE, text=True)
             for _ in range(8)]
    keys = {p.communicate(timeout=30)[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert keys == {read_secret_file(tmp_path / SECRET_FILE).hex()}


def test_file_format_is_checked(tmp_path):
    assert decode_key(" " + encode_key(b"k" * 32) + "\n\n", "f") == b"k" * 32
    for bad, why in (("", "base64url"), ("abc def", "base64url"), ("a+b/", "base64url"),
                     (encode_key(b"k" * 8), "8 bytes, at least 16")):
        with pytest.raises(SecretError, match=why):
            decode_key(bad, "f")
    (tmp_path / SECRET_FILE).write_text("garbage!")
    with pytest.raises(SecretError, match=rf"{SECRET_FILE}: expected one line of base64url"):
        resolve_group_secret(tmp_path, {})


def test_the_conductor_migrates_an_old_state_files_secret_once(tmp_path):
    old = os.urandom(32)
    calls = []

    def legacy():
        calls.append(1)
        return old

    got = resolve_group_secret(tmp_path, {}, legacy=legacy)
    assert got.key == old and got.migrated and not got.created
    assert read_secret_file(tmp_path / SECRET_FILE) == old
    again = resolve_group_secret(tmp_path, {}, legacy=legacy)  # the file agrees with the state: fine
    assert again.key == old and not again.migrated
    assert resolve_group_secret(tmp_path, {}).key == old   # and the print kit reads the same


def test_a_secret_file_that_contradicts_the_old_state_is_refused(tmp_path):
    write_secret_file(tmp_path / SECRET_FILE, b"n" * 32)
    with pytest.raises(SecretError, match="differs from the one kept in the conductor's state file") as exc:
        resolve_group_secret(tmp_path, {}, legacy=lambda: b"o" * 32)
    assert "DELETE FROM meta WHERE key='secret:group'" in str(exc.value)


def test_the_print_kit_refuses_a_state_file_without_a_secret_file(tmp_path):
    state = tmp_path / STATE_FILE
    state.write_bytes(b"never opened")
    with pytest.raises(SecretError, match="Start flashmob serve on this bundle once"):
        resolve_group_secret(tmp_path, {})
    elsewhere = tmp_path / "elsewhere.sqlite"
    state.unlink()
    elsewhere.write_bytes(b"")
    with pytest.raises(SecretError, match="elsewhere.sqlite does"):
        resolve_group_secret(tmp_path, {}, state_file=elsewhere)
    assert not (tmp_path / SECRET_FILE).exists()
    assert resolve_group_secret(tmp_path, {}).created  # without a state file: a new show, a new secret
    new_show = tmp_path / "new"
    new_show.mkdir()
    (new_show / STATE_FILE).write_bytes(b"")  # a state without an old secret (made by a new conductor)
    assert resolve_group_secret(new_show, {}, legacy=lambda: None).created


def test_an_unwritable_place_names_the_way_out(tmp_path):
    missing = tmp_path / "no" / "such" / "folder"
    with pytest.raises(SecretError, match=rf"cannot create the group secret file .*set {ENV}"):
        resolve_group_secret(missing, {})


def test_render_keeps_the_show_files():
    assert kept_across_renders(SECRET_FILE) and kept_across_renders(STATE_FILE)
    assert kept_across_renders(STATE_FILE + "-wal") and kept_across_renders(".flashmob-conductor-x.sqlite.lock")
    assert not kept_across_renders("manifest.json") and not kept_across_renders(SECRET_FILE + ".tmp-1-ab")


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody can write into, for real: an empty read-only tmpfs (as root), else a
    folder without write permission (as another user)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_an_old_secret_is_kept_in_the_state_where_the_bundle_folder_cannot_be_written(read_only_folder, tmp_path):
    """Old posters keep working on a bundle nobody may write into (served from a read-only
    place, state elsewhere with --db): the conductor keeps the state file's key and says why."""
    got = resolve_group_secret(read_only_folder, {}, legacy=lambda: b"o" * 32, state_file=tmp_path / "s.sqlite")
    assert got.key == b"o" * 32 and not got.migrated and got.source == str(tmp_path / "s.sqlite")
    assert got.stays_in_state.startswith(f"cannot create {read_only_folder / SECRET_FILE}: ")
    with pytest.raises(SecretError, match="cannot create the group secret file .*make the bundle folder writable"):
        resolve_group_secret(read_only_folder, {}, legacy=lambda: None)   # no old key: nothing to serve with
    assert list(read_only_folder.iterdir()) == []
