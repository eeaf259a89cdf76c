"""One conductor per state file: conductor.statelock, then real ``serve`` processes."""

import os
import signal
import subprocess
import sys

import pytest

from flashmob.conductor.statelock import StateFileInUse, lock_path, lock_state_file
from conductor_testkit import TOKEN, write_bundle
from test_restart import REPO, spawn, wait_http


def test_second_lock_is_refused_naming_the_file_and_holder(tmp_path):
    state = tmp_path / "state.sqlite"
    first = lock_state_file(state)
    assert first.held and lock_path(state).read_text().startswith(f"pid {os.getpid()} ")
    with pytest.raises(StateFileInUse) as err:
        lock_state_file(state)  # even from the same process: flock is per open file
    assert str(state) in str(err.value) and f"pid {os.getpid()}" in str(err.value)
    first.release()
    again = lock_state_file(state)
    again.release()
    assert not state.exists()  # the state database itself is never touched


def test_a_stale_lock_file_does_not_block(tmp_path):
    state = tmp_path / "state.sqlite"
    lock_path(state).write_text("pid 999999 since long ago\n")
    with lock_state_file(state) as lock:
        assert lock.held and lock_path(state).read_text().startswith(f"pid {os.getpid()} ")


def run_second(bundle, db):
    env = {**os.environ, "FLASHMOB_TOKEN": TOKEN}
    return subprocess.run([sys.executable, "-m", "flashmob.conductor", "serve", str(bundle), "--host", "127.0.0.1",
                           "--port", "0", "--db", str(db), "--no-qr", "--log-level", "warning"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=30)


def test_second_serve_on_the_same_state_file_refuses_then_starts_after_sigkill(tmp_path):
    bundle = write_bundle(tmp_path / "bundle")
    db = tmp_path / "state.sqlite"
    first, port = spawn(bundle, db)
    try:
        wait_http(port)
        second = run_second(bundle, db)
        assert second.returncode == 2, second.stdout + second.stderr
        assert f"the state file {db} is in use by another conductor (pid {first.pid} " in second.stderr
        assert "listening on" not in second.stdout
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert lock_path(db).exists()  # the dead holder's lock file is still there ...
    third, port3 = spawn(bundle, db)  # ... and does not block a restart
    try:
        wait_http(port3)
        assert lock_path(db).read_text().startswith(f"pid {third.pid} ")
    finally:
        third.send_signal(signal.SIGTERM)
        try:
            third.wait(10)
        except subprocess.TimeoutExpired:
            third.kill()


def test_build_conductor_holds_the_lock_until_the_app_stops(tmp_path, live_server):
    from flashmob.conductor.app import ServerConfig, build_conductor

    bundle = write_bundle(tmp_path / "b")
    db = tmp_path / "state.sqlite"
    srv = live_server(bundle=bundle, db_path=db)
    with pytest.raises(StateFileInUse, match=str(db)):
        build_conductor(ServerConfig(bundle_dir=bundle, db_path=db, token=TOKEN))
    srv.stop()  # lifespan end: store closed, lock released
    conductor, _, _ = build_conductor(ServerConfig(bundle_dir=bundle, db_path=db, token=TOKEN))
    conductor.state_lock.release()
