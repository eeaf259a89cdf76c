"""An X server of our own: Xvfb on a free display, stopped by its PID.

WebKitGTK's MiniBrowser has no headless mode; it runs on this display.
Xvfb picks the free display number itself (``-displayfd``), so two test runs
never race for the same ``:N``.
"""

from __future__ import annotations

import os
import shutil

from ._proc import EngineMissing, spawn, stop


class Display:
    """``with Display() as d:`` — ``d.display`` is ``":N"``; Xvfb is killed by PID on exit."""

    def __init__(self, size: tuple[int, int] = (1280, 1024)) -> None:
        self.size = size
        self.display: str | None = None
        self._p = None

    def __enter__(self) -> "Display":
        xvfb = shutil.which("Xvfb")
        if not xvfb:
            raise EngineMissing("Xvfb is missing: run scripts/ensure-browsers.sh as root (apt-get install xvfb)")
        r, w = os.pipe()
        try:
            self._p = spawn([xvfb, "-displayfd", str(w), "-screen", "0", f"{self.size[0]}x{self.size[1]}x24",
                             "-nolisten", "tcp", "-noreset"], env=dict(os.environ), pass_fds=(w,))
            os.close(w)
            w = -1
            num = b""
            with os.fdopen(r, "rb") as f:
                r = -1
                num = f.readline().strip()  # Xvfb writes the display number once it accepts clients
            if not num.isdigit():
                raise RuntimeError(f"Xvfb did not report a display (exit code {self._p.poll()})")
            self.display = f":{num.decode()}"
        except BaseException:
            stop(self._p)
            raise
        finally:
            for fd in (r, w):
                if fd >= 0:
                    os.close(fd)
        return self

    @property
    def pid(self) -> int | None:
        return self._p.pid if self._p else None

    def __exit__(self, *exc) -> None:
        stop(self._p)
        self._p = None
