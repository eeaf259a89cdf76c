"""A real ``python -m flashmob.conductor serve`` process killed with SIGKILL while the
show runs, restarted on the same database: phones get back the same group and
the same start time, and the show is still running."""

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from conductor_testkit import TOKEN, WsClient, write_bundle

REPO = Path(__file__).resolve().parents[2]


def spawn(bundle, db, extra=(), *, preexec_fn=None, env=None):
    """A real ``serve`` on a free loopback port (``env``: more environment variables; ``db`` None: no
    ``--db``, for ``--redis`` nodes): ``(proc, port)``. ``proc.output`` collects every
    line it prints, ``proc.lines`` (a queue) hands them out one by one, ``proc.seen`` those up to
    "listening on"."""
    env = {**os.environ, "FLASHMOB_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1", **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "flashmob.conductor", "serve", str(bundle), "--host", "127.0.0.1",
                             "--port", "0", *(["--db", str(db)] if db else []), "--min-lead", "0.3", "--no-qr",
                             "--log-level", "warning", *extra],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=preexec_fn)
    lines = proc.lines = queue.Queue()
    proc.output = []  # every line the process printed (the drain thread appends)
    threading.Thread(target=lambda: [(lines.put(x), proc.output.append(x)) for x in proc.stdout],
                     daemon=True).start()
    deadline = time.monotonic() + 20
    seen = proc.seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if line.startswith("listening on"):
            port = int(line.rsplit(":", 1)[1])
            assert any(f"/console#token={TOKEN}" in s for s in seen), seen
            return proc, port
    proc.kill()
    raise AssertionError("server did not start:\n" + "".join(seen))


def wait_http(port):
    import httpx

    deadline = time.monotonic() + 10
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/api/info", timeout=1).json()
        except httpx.HTTPError:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def hello(port, **fields):
    c = WsClient(f"ws://127.0.0.1:{port}/ws")
    c.send({"type": "hello", **fields})
    return c, c.expect("welcome")


def test_sigkill_while_running_then_restart(tmp_path):
    bundle = write_bundle(tmp_path / "bundle", duration_ms=120_000)
    db = tmp_path / "state.sqlite"
    proc, port = spawn(bundle, db, ("--log-level", "info"))
    try:
        wait_http(port)
        phones = [hello(port) for _ in range(3)]
        console = WsClient(f"ws://127.0.0.1:{port}/ws/console")
        console.send({"type": "console_hello", "token": TOKEN})
        console.expect("console_welcome")
        console.send({"type": "arm", "in_ms": 400, "ref": "go"})
        start = console.expect("ack", ref="go")["show"]["start_at_us"]
        running = phones[0][0].expect("show", state="running")
        revision = running["revision"]
        # serve's own log lines reach stderr with time and level; uvicorn's per-socket lines do not
        deadline = time.monotonic() + 5
        while not any(" INFO flashmob.conductor: show " in x and "-> running" in x for x in proc.output):
            assert time.monotonic() < deadline, proc.output
            time.sleep(0.05)
        line = next(x for x in proc.output if "-> running" in x)
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO flashmob\.conductor: show ", line), line
        assert not any("connection open" in x or "[accepted]" in x for x in proc.output), proc.output
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    proc2, port2 = spawn(bundle, db)
    try:
        wait_http(port2)
        for _, before in phones:
            c, after = hello(port2, participant_id=before["participant_id"])
            assert after["participant_id"] == before["participant_id"]
            assert after["group"] == before["group"]
            assert after["show"]["state"] == "running"
            assert after["show"]["start_at_us"] == start
            assert after["show"]["revision"] == revision
            # the phone can compute where the show is
            assert 0 < after["server_time_us"] - start < 60_000_000
            c.close()
        newcomer, w = hello(port2)
        assert w["show"]["start_at_us"] == start  # a latecomer joins the same running show
    finally:
        proc2.send_signal(signal.SIGTERM)
        try:
            proc2.wait(10)
        except subprocess.TimeoutExpired:
            proc2.kill()
