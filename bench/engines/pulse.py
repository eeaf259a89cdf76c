"""A private PulseAudio server: its own runtime and config dirs, null sinks, stopped by PID.

Firefox needs a sound server (without one its AudioContext stays
``suspended`` forever, without an error); the acoustic benchmark records each
page's sink monitor. The daemon here touches nothing outside ``runtime_dir``:
``-n`` (no default.pa), runtime/state/config paths (``PULSE_RUNTIME_PATH``,
``PULSE_STATE_PATH``, ``PULSE_CONFIG`` -> its own ``daemon.conf`` with the sample
rate and ``exit-idle-time=-1``) and ``HOME`` all inside it, no PID file, no
autospawn; clients reach it only through :attr:`PulseServer.env` (which also
keeps their cookie inside ``runtime_dir``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ._proc import EngineMissing, spawn, stop, wait_until


class PulseServer:
    """``with PulseServer(dir) as pa:`` — a pulseaudio daemon on ``dir/pulse/native``.

    ``default_rate`` is the daemon's default sample rate (PulseAudio's own default is
    44100); a sink's rate is chosen per sink in :meth:`null_sink`.
    """

    def __init__(self, runtime_dir: str | os.PathLike, *, default_rate: int = 48000) -> None:
        self.runtime_dir = Path(runtime_dir)
        self.default_rate = default_rate
        self.socket = self.runtime_dir / "pulse" / "native"
        self._p = None
        self._log = None
        self._sinks: list[str] = []

    @property
    def env(self) -> dict[str, str]:
        """Environment variables a client (browser, parec, pactl) needs to use this server only."""
        return {"PULSE_SERVER": f"unix:{self.socket}", "XDG_RUNTIME_DIR": str(self.runtime_dir),
                "PULSE_CLIENTCONFIG": str(self.runtime_dir / "client.conf"),
                "PULSE_COOKIE": str(self.runtime_dir / "client-cookie")}

    @property
    def pid(self) -> int | None:
        return self._p.pid if self._p else None

    def __enter__(self) -> "PulseServer":
        exe = shutil.which("pulseaudio")
        if not exe or not shutil.which("pactl"):
            raise EngineMissing("pulseaudio/pactl are missing: run scripts/ensure-browsers.sh as root "
                                "(apt-get install pulseaudio pulseaudio-utils)")
        (self.runtime_dir / "pulse").mkdir(parents=True, exist_ok=True)
        os.chmod(self.runtime_dir, 0o700)
        conf = self.runtime_dir / "config" / "pulse"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "daemon.conf").write_text(
            f"exit-idle-time = -1\ndefault-sample-rate = {self.default_rate}\n"
            f"alternate-sample-rate = {self.default_rate}\navoid-resampling = no\nflat-volumes = no\n")
        (self.runtime_dir / "client.conf").write_text("autospawn = no\n")
        env = {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime_dir), "XDG_CONFIG_HOME": str(conf.parent),
               "HOME": str(self.runtime_dir), "PULSE_CONFIG": str(conf / "daemon.conf"),
               "PULSE_STATE_PATH": str(conf), "PULSE_RUNTIME_PATH": str(self.runtime_dir / "pulse")}
        env.pop("PULSE_SERVER", None)
        self._log = open(self.runtime_dir / "pulseaudio.log", "wb")
        self._p = spawn([exe, "-n", "--daemonize=no", "--use-pid-file=no", "--system=no", "--exit-idle-time=-1",
                         "--disallow-exit", "--log-target=stderr", "--log-level=warning",
                         f"--load=module-native-protocol-unix socket={self.socket} auth-anonymous=1",
                         "--load=module-always-sink"],
                        env=env, stderr=self._log)
        try:
            wait_until(lambda: self._p.poll() is not None or self._pactl_ok(), 15, "pulseaudio did not start")
            if self._p.poll() is not None:
                raise RuntimeError(f"pulseaudio exited ({self._p.returncode}): "
                                   f"{(self.runtime_dir / 'pulseaudio.log').read_text()[-600:]}")
        except BaseException:
            self.__exit__()
            raise
        return self

    def _pactl_ok(self) -> bool:
        return self.socket.exists() and subprocess.run(["pactl", "info"], env={**os.environ, **self.env},
                                                       capture_output=True).returncode == 0

    def pactl(self, *args: str) -> str:
        """Run ``pactl`` against this server; its stdout (RuntimeError with stderr on failure)."""
        r = subprocess.run(["pactl", *args], env={**os.environ, **self.env}, capture_output=True, text=True,
                           timeout=15)
        if r.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def null_sink(self, name: str, rate: int = 48000, channels: int = 2, fmt: str = "float32le") -> str:
        """A null sink called ``name``; its monitor source is ``name + ".monitor"``. Returns ``name``."""
        self.pactl("load-module", "module-null-sink", f"sink_name={name}", f"rate={rate}",
                   f"channels={channels}", f"format={fmt}", f"sink_properties=device.description={name}")
        self._sinks.append(name)
        return name

    def sink_inputs(self) -> list[dict]:
        """The playback streams now connected: ``[{"sink": name, "pid": ..., "app": ..., "rate": ...}]``."""
        import json

        sinks = {s["index"]: s["name"] for s in json.loads(self.pactl("--format=json", "list", "sinks"))}
        out = []
        for si in json.loads(self.pactl("--format=json", "list", "sink-inputs")):
            props = si.get("properties", {})
            out.append({"sink": sinks.get(si["sink"]), "pid": props.get("application.process.id"),
                        "app": props.get("application.name") or props.get("application.process.binary"),
                        "spec": si.get("sample_specification"), "corked": si.get("corked")})
        return out

    def __exit__(self, *exc) -> None:
        stop(self._p)
        self._p = None
        if self._log:
            self._log.close()
            self._log = None
