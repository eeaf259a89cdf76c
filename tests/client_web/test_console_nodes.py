"""The console's nodes panel in real Chromium, on two ``flashmob serve --redis`` processes:
every node listed with its phones (this one first), the whole show's sums, and the
panel hidden for a single conductor (tests/client_web/test_console_alarms.py's console)."""

from __future__ import annotations

import os
import time

import pytest

from backplane_kit import start_nodes
from conductor_testkit import TOKEN, write_bundle
from redis_kit import RedisServer, redis_binary


def test_the_console_lists_every_node_and_the_whole_show(browser, tmp_path, artifacts):
    if redis_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but redis-server is missing (scripts/ensure-test-services.sh installs it)")
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    redis = RedisServer(tmp_path / "redis").start()
    nodes = []
    try:
        nodes = start_nodes(2, write_bundle(tmp_path / "bundle"), redis.url, tmp_path / "logs")
        phones = [nodes[1].confirmed_phone()[0] for _ in range(2)]
        ctx = browser.new_context(viewport={"width": 1100, "height": 900}, device_scale_factor=1)
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{nodes[0].url}/console#token={TOKEN}")
        page.wait_for_selector("#nodes-panel:not([hidden]) tr[data-node='n2']", timeout=20_000)
        deadline = time.monotonic() + 20
        while True:  # the page's CSP allows no eval: poll the table from here
            rows = page.eval_on_selector_all("#nodes tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))")
            if (len(rows) == 3 and rows[1][1] == "2") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert [r[0] for r in rows] == ["n1 (this one)", "n2", "whole show"]
        assert rows[1][1:3] == ["2", "2"] and rows[2][1:3] == ["2", "2"]
        page.screenshot(path=str(artifacts / "console-nodes.png"), full_page=True)
        assert not errors, errors
        ctx.close()
        for p in phones:
            p.close()
    finally:
        for node in nodes:
            node.stop()
        redis.stop()
