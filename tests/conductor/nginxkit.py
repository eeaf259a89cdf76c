"""A real nginx for the tests, run with the configuration ``flashmob nginx`` generates.

:class:`NginxFront` writes :func:`flashmob.conductor.nginx.standalone_config`
(the documented configuration, in its complete form) into its own run folder,
starts Debian's ``nginx -p RUN -c RUN/nginx.conf -g 'daemon off;'`` on a free
loopback port (its error log in the run folder), waits until it answers, and
stops it by its PID.  :func:`nginx_binary` finds nginx; without it the test
skips, or fails under ``CI=true`` (``scripts/ensure-test-services.sh`` installs
it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from flashmob.conductor.nginx import Front, standalone_config
from flashmob.contract.bundle import load_bundle

REPO = Path(__file__).resolve().parents[2]


def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but nginx is missing (scripts/ensure-test-services.sh installs Debian's nginx)")
        pytest.skip("nginx is not installed (scripts/ensure-test-services.sh installs Debian's nginx)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NginxFront:
    """nginx on ``127.0.0.1:port`` in front of ``upstreams`` (``HOST:PORT`` of conductor nodes)."""

    def __init__(self, bundle_dir: Path, upstreams, run_dir: Path, *, client_dir: Path | None = None) -> None:
        self.binary = nginx_binary()
        self.run_dir = run_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.front = Front(bundle=load_bundle(bundle_dir, verify=False), upstreams=tuple(upstreams),
                           listen=f"127.0.0.1:{self.port}", bundle_root=str(Path(bundle_dir).resolve()),
                           client_root=str((client_dir or REPO / "client_web").resolve()))
        user = "root" if os.geteuid() == 0 else None  # the pytest tmp folders are private to this user
        self.conf = run_dir / "nginx.conf"
        self.conf.write_text(standalone_config(self.front, str(run_dir.resolve()), user=user, worker_processes="1",
                                               worker_connections=4096))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def error_log(self) -> str:
        path = self.run_dir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> "NginxFront":
        self.proc = subprocess.Popen([self.binary, "-p", str(self.run_dir), "-c", str(self.conf), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"nginx exited ({self.proc.returncode}): {self.proc.stderr.read()}"
                                     f"\n{self.error_log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError("nginx did not listen within 10 s:\n" + self.error_log)
                time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # fast shutdown: open websockets are closed, not waited for
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
