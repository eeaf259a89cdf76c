"""Disk full mid-show, for real: the state file lives on a tiny tmpfs (mounted
here as root) that the test fills once the show is armed.  Where mounting is
not allowed the same test runs with ``prlimit --fsize`` on the server process
instead (writes then fail with EFBIG); under CI=true it fails if neither can run.

The show must start and end on time, known phones rejoin, newcomers are
refused (not counted), the console gets one clear alarm with the real error,
the log says it once, and the writes succeed once space is back."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conductor_testkit import TOKEN, WsClient, confirm_seat, write_bundle
from test_restart import hello, spawn, wait_http


class TmpfsFiller:
    """A tiny tmpfs on ``mount``; :meth:`fill` writes a file until ENOSPC."""

    kind = "tmpfs"

    def __init__(self, mount: Path) -> None:
        self.mount = mount
        self.filler = mount / "filler"

    def setup(self) -> bool:
        self.mount.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(self.mount)],
                           capture_output=True, text=True)
        return r.returncode == 0

    def attach(self, pid: int) -> None:
        pass

    def fill(self) -> None:
        chunk = b"\0" * 65536
        with open(self.filler, "wb") as f:
            try:
                while True:
                    f.write(chunk)
                    f.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        left = os.statvfs(self.mount)
        assert left.f_bavail == 0

    def free(self) -> None:
        self.filler.unlink()

    def teardown(self) -> None:
        subprocess.run(["umount", "-l", str(self.mount)], capture_output=True)


class FsizeFiller:
    """Fallback: cap the server process's file size at the state file's current size."""

    kind = "prlimit"

    def __init__(self, mount: Path) -> None:
        self.mount = mount
        self.pid: int | None = None

    def setup(self) -> bool:
        self.mount.mkdir()
        return shutil.which("prlimit") is not None

    def attach(self, pid: int) -> None:
        self.pid = pid

    def fill(self) -> None:
        size = max(p.stat().st_size for p in self.mount.iterdir())
        subprocess.run(["prlimit", f"--pid={self.pid}", f"--fsize={size}:unlimited"], check=True)

    def free(self) -> None:
        subprocess.run(["prlimit", f"--pid={self.pid}", "--fsize=unlimited:unlimited"], check=True)

    def teardown(self) -> None:
        pass


@pytest.fixture
def full_disk(tmp_path):
    kinds = (TmpfsFiller, FsizeFiller)
    if os.environ.get("FLASHMOB_TEST_DISKFULL") == "prlimit":  # exercise the fallback where tmpfs works
        kinds = (FsizeFiller,)
    for cls in kinds:
        filler = cls(tmp_path / f"fs-{cls.kind}")
        if filler.setup():
            break
    else:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: cannot mount a tmpfs (needs root) and prlimit is missing")
        pytest.skip("cannot mount a tmpfs (needs root) and prlimit is missing")
    yield filler
    filler.teardown()


def console(port):
    c = WsClient(f"ws://127.0.0.1:{port}/ws/console")
    c.send({"type": "console_hello", "token": TOKEN})
    c.expect("console_welcome")
    return c


def feed_until(c, predicate, timeout=8.0):
    deadline = time.monotonic() + timeout
    while True:
        feed = c.expect("feed", timeout=max(0.1, deadline - time.monotonic()))
        if predicate(feed):
            return feed


def confirmed_hello(port, **fields):
    c, w = hello(port, **fields)
    confirm_seat(c, f"http://127.0.0.1:{port}", w).expect("seat", state="confirmed")
    return c, w


def store_alarm(feed):
    return next((a for a in feed["alarms"] if a["key"] == "store.write"), None)


def test_disk_full_mid_show(tmp_path, full_disk):
    bundle = write_bundle(tmp_path / "bundle", duration_ms=4_000)
    db = full_disk.mount / "state.sqlite"
    proc, port = spawn(bundle, db)
    full_disk.attach(proc.pid)
    try:
        wait_http(port)
        known = [confirmed_hello(port) for _ in range(2)]
        cons = console(port)
        cons.send({"type": "arm", "in_ms": 1_500, "ref": "go"})
        armed = cons.expect("ack", ref="go")["show"]  # written durably before this broadcast
        full_disk.fill()

        # the show starts and is broadcast although nothing can be written
        running = known[0][0].expect("show", state="running", timeout=5)
        assert running["start_at_us"] == armed["start_at_us"] and running["revision"] == armed["revision"] + 1

        # a known phone rejoins (reads need no writes)
        known[1][0].close()
        again, w = hello(port, participant_id=known[1][1]["participant_id"])
        assert w["group"] == known[1][1]["group"] and w["show"]["state"] == "running"

        # a newcomer gets in (a hello writes nothing) but its seat cannot be stored: told to retry, not counted
        newcomer = WsClient(f"ws://127.0.0.1:{port}/ws")
        newcomer.send({"type": "hello"})
        confirm_seat(newcomer, f"http://127.0.0.1:{port}", newcomer.expect("welcome"))
        err = newcomer.expect("error")
        assert err["code"] == "unavailable" and err["fatal"]
        assert newcomer.closed_code() == 1013

        # an urgent announcement still goes out
        cons.send({"type": "announce", "text": "Stop. Medic to the fountain.", "level": "urgent", "ref": "medic"})
        cons.expect("ack", ref="medic")
        assert known[0][0].expect("announcement")["text"] == "Stop. Medic to the fountain."

        # one clear alarm with the real error
        feed = feed_until(cons, lambda f: store_alarm(f) is not None)
        alarm = store_alarm(feed)
        assert alarm["level"] == "critical" and alarm["resolved_at_us"] is None
        if full_disk.kind == "tmpfs":
            assert "database or disk is full" in alarm["message"] and "SQLITE_FULL" in alarm["message"]
            assert "the filesystem says: No space left on device (ENOSPC)" in alarm["message"]
            assert "0 bytes free" in alarm["message"]
        else:  # the file-size cap: SQLite sees EFBIG as an I/O error
            assert "SQLITE_IOERR" in alarm["message"] or "SQLITE_FULL" in alarm["message"], alarm["message"]
        assert "rollback" not in alarm["message"].lower()
        assert str(db) in alarm["message"]
        assert feed["participants_total"] == 2

        # the show ends on time, still broadcast
        ended = known[0][0].expect("show", state="ended", timeout=8)
        assert ended["revision"] == armed["revision"] + 2
        feed = feed_until(cons, lambda f: f["show"]["state"] == "ended" and store_alarm(f)["count"] > 1)
        assert store_alarm(feed)["detail"]["unsaved_transitions"] == 2  # retried, still pending
        assert store_alarm(feed)["detail"]["unsaved_announcements"] == 1

        # space comes back: the pending writes go through and the alarm resolves
        full_disk.free()
        feed = feed_until(cons, lambda f: store_alarm(f)["resolved_at_us"] is not None)
        late, w = confirmed_hello(port)
        assert w["show"]["state"] == "ended"
        feed = feed_until(cons, lambda f: f["participants_total"] == 3)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    log = "".join(proc.output)
    assert log.count("ALARM store.write") == 1, log  # one line per episode, not one per retry
    assert log.count("alarm store.write resolved") == 1, log
    assert "rollback" not in log.lower(), log
    with sqlite3.connect(db) as con:  # everything reached the state file in the end
        events = [r[0] for r in con.execute("SELECT event FROM transitions ORDER BY seq")]
        state = con.execute("SELECT state FROM show").fetchone()[0]
        participants = con.execute("SELECT COUNT(*) FROM participants").fetchone()[0]
        texts = [r[0] for r in con.execute("SELECT text FROM announcements")]
    assert events == ["arm", "started", "finished"] and state == "ended" and participants == 3
    assert texts == ["Stop. Medic to the fountain."]


def test_restart_while_the_disk_is_full_recomputes_the_running_show(tmp_path, full_disk):
    bundle = write_bundle(tmp_path / "bundle", duration_ms=60_000)
    db = full_disk.mount / "state.sqlite"
    proc, port = spawn(bundle, db)
    full_disk.attach(proc.pid)
    try:
        wait_http(port)
        phone, w = hello(port)
        cons = console(port)
        cons.send({"type": "arm", "in_ms": 600, "ref": "go"})
        armed = cons.expect("ack", ref="go")["show"]
        full_disk.fill()
        phone.expect("show", state="running", timeout=5)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    if full_disk.kind == "prlimit":
        pytest.skip("the file-size cap dies with the process: a restart on a full disk needs the tmpfs")
    proc2, port2 = spawn(bundle, db)  # the disk is still full
    try:
        wait_http(port2)
        again, w2 = hello(port2, participant_id=w["participant_id"])
        assert w2["group"] == w["group"]
        assert w2["show"]["state"] == "running" and w2["show"]["start_at_us"] == armed["start_at_us"]
        assert w2["show"]["revision"] == armed["revision"] + 1
    finally:
        proc2.send_signal(signal.SIGKILL)
        proc2.wait(10)
