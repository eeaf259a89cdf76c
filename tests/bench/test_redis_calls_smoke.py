"""bench.redis_calls runs end to end on its own redis-server (a few calls: a smoke test, not a figure)."""

import os
import shutil

import pytest


def test_redis_calls_prints_its_table(capsys):
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but redis-server is missing (scripts/ensure-test-services.sh installs it)")
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    from bench import redis_calls

    assert redis_calls.main(["--calls", "20"]) == 0
    out = capsys.readouterr().out
    for call in ("assign_balanced", "seat_group", "add_participant", "save_transitions"):
        assert f"| {call}" in out
