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
