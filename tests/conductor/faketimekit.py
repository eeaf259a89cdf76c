"""Start a process with its clock offset by a few milliseconds: libfaketime (Debian ``faketime``).

:func:`faketime_env` gives the environment that makes a child process's wall clock
run ``offset_s`` ahead (negative: behind) of this machine's, through
``LD_PRELOAD`` of ``libfaketimeMT.so.1`` (the thread-safe build: the conductor
runs threads) with a relative ``FAKETIME`` ("+0.005": fractions of a second work,
measured to 1 µs here) and ``FAKETIME_DONT_FAKE_MONOTONIC=1`` (the conductor's
server time is CLOCK_MONOTONIC plus the wall clock's offset read at start,
``conductor/clock.py``; a faked monotonic clock would shift it by the same amount
anyway, but timers and asyncio stay on the real one).  Without libfaketime the
test skips, or fails under ``CI=true`` (``scripts/ensure-test-services.sh``
installs it).
"""

from __future__ import annotations

import glob
import os

import pytest


def libfaketime() -> str:
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketimeMT.so.1") + glob.glob("/usr/lib/faketime/libfaketimeMT.so.1"))
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but libfaketime is missing (scripts/ensure-test-services.sh installs Debian's "
                        "faketime)")
        pytest.skip("libfaketime is not installed (scripts/ensure-test-services.sh installs Debian's faketime)")
    return found[0]


def faketime_env(offset_s: float) -> dict[str, str]:
    """Environment variables for a child whose clock is ``offset_s`` seconds off (e.g. 0.005)."""
    return {"LD_PRELOAD": libfaketime(), "FAKETIME": f"{offset_s:+.6f}", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
