"""Fixtures of the conductor tests.

* ``bundle_dir`` - a small hand-made bundle (two groups, 180 s) in a tmp dir.
* ``live_server`` - factory: a real uvicorn serving the app on 127.0.0.1, port 0,
  in a background thread; stopped at teardown.  See ``servers.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from conductor_testkit import write_bundle  # noqa: E402


@pytest.fixture
def bundle_dir(tmp_path):
    return write_bundle(tmp_path / "bundle")


@pytest.fixture
def live_server(tmp_path):
    """Factory: ``live_server(duration_ms=..., **ServerConfig fields)`` starts a
    real uvicorn on 127.0.0.1 with a fresh bundle; all are stopped at teardown."""
    from flashmob.conductor.app import ServerConfig, build_app
    from conductor_testkit import TOKEN, LiveServer

    started = []

    def start(*, duration_ms=180_000, groups=None, bundle=None, limits=None, **cfg):
        if bundle is None:
            kw = {"groups": groups} if groups else {}
            bundle = write_bundle(tmp_path / f"bundle{len(started)}", duration_ms=duration_ms, **kw)
        cfg.setdefault("token", TOKEN)
        cfg.setdefault("client_dir", tmp_path / "no-client")
        server = LiveServer(build_app(ServerConfig(bundle_dir=bundle, **cfg)), limits=limits).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def ntp_server():
    """An NTP responder on 127.0.0.1 (random port) running 2.5 s ahead of the system clock."""
    from conductor_testkit import FakeNtpServer

    server = FakeNtpServer(offset_s=2.5).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One private redis-server for the session (tests/conductor/redis_kit.py): flushed by ``redis_url``."""
    import os

    from redis_kit import RedisServer, redis_binary

    if redis_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but redis-server is missing (scripts/ensure-test-services.sh installs Debian's "
                        "redis-server)")
        pytest.skip("redis-server is not installed (Debian package redis-server; make test installs it as root)")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """The session's Redis, empty, running (a test that stopped it gets it restarted)."""
    if redis_server.proc is None or redis_server.proc.poll() is not None:
        redis_server.start()
    redis_server.flush()
    return redis_server.url
