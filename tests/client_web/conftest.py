"""Fixtures of the real-browser tests: a real bundle (real gapless MP3 segments
with clicks at known samples), a real conductor (uvicorn on 127.0.0.1) serving
client_web/, and real pages in the three engines phones run (Chromium,
Firefox ESR, WebKitGTK) through ``bench.engines``: one browser process per
page, each behind its own loopback :class:`~bench.engines.gate.Gate` (so its
network can be cut in any engine) and playing into its own PulseAudio null
sink, on one private PulseAudio and one Xvfb started and stopped here by PID.

A missing engine skips its tests locally and FAILS them under CI=true
(``scripts/ensure-browsers.sh`` installs everything, as root).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "conductor"))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--autoplay-policy=no-user-gesture-required",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--disable-gpu"]
SR = 44100
SEGMENT_S = 3
DURATION_S = 30
CLICK_EVERY_S = 1.5
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
GROUPS = (("red", "Rouges", "#d32f2f"), ("blue", "Bleus", "#1976d2"))


def click_samples() -> list[int]:
    """Show samples where the bundle's audio has a click (the same in every group)."""
    return [round(k * CLICK_EVERY_S * SR) for k in range(int(DURATION_S / CLICK_EVERY_S) + 1)
            if k * CLICK_EVERY_S < DURATION_S - 0.5]


def _pcm(group_index: int) -> np.ndarray:
    n = DURATION_S * SR
    t = np.arange(n) / SR
    x = (0.04 * np.sin(2 * np.pi * (220 + 110 * group_index) * t)).astype(np.float32)
    for s in click_samples():
        x[s:s + 6] = 0.95
    return x


def write_real_bundle(root: Path) -> Path:
    from flashmob.tools.audio.encode import EncodeSettings, encode_mp3
    from flashmob.tools.audio.segments import encode_segments, plan_segments

    root.mkdir(parents=True, exist_ok=True)
    settings = EncodeSettings(sample_rate=SR, channels=1, bitrate_kbps=128, quality=7)
    total = DURATION_S * SR
    groups = []
    for gi, (gid, name, colour) in enumerate(GROUPS):
        pcm = _pcm(gi)
        (root / gid).mkdir(exist_ok=True)
        full = encode_mp3(pcm, settings)
        (root / gid / "show.mp3").write_bytes(full)
        segs = []
        for enc in encode_segments(pcm, plan_segments(total, SR, SEGMENT_S), settings, max_workers=2):
            path = f"{gid}/seg-{enc.segment.index:04d}.mp3"
            (root / path).write_bytes(enc.mp3)
            segs.append({"path": path, "first_sample": enc.segment.start, "samples": enc.segment.samples,
                         "bytes": len(enc.mp3), "sha256": enc.sha256, "encoder_delay": enc.encoder_delay,
                         "padding": enc.padding})
        (root / gid / "captions.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:04.000\nBienvenue\n")
        (root / gid / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
        groups.append({
            "id": gid, "name": name, "colour": colour, "share": 1,
            "mp3": {"path": f"{gid}/show.mp3", "bytes": len(full), "sha256": hashlib.sha256(full).hexdigest(),
                    "samples": total, "duration_ms": DURATION_S * 1000},
            "segments": segs, "captions": f"{gid}/captions.vtt", "cover": f"{gid}/cover.png",
            "cues": [
                {"id": "c1", "kind": "say", "start_ms": 0, "end_ms": 4000, "text": "Bienvenue. Levez la main droite.",
                 "vibrate": [200], "line": 3, "meeting": None},
                {"id": "c2", "kind": "say", "start_ms": 4000, "end_ms": 12000,
                 "text": f"Groupe {name} : marchez vers la fontaine", "vibrate": None, "line": 4, "meeting": None},
                {"id": "c3", "kind": "say", "start_ms": 12000, "end_ms": 20000, "text": "Applaudissez !",
                 "vibrate": [100, 50, 100], "line": 5, "meeting": None},
            ],
            "silences": [],
        })
    manifest = {
        "format": "flashmob-bundle", "version": 1, "show_id": "c11e47b0a1b2c3d4", "title": "La Place qui danse",
        "organizer": {"name": "Test", "contact": "test@example.org"}, "language": "fr",
        "event": None, "sample_rate": SR, "duration": {"samples": total, "ms": DURATION_S * 1000},
        "meetings_ms": [], "settings": {}, "groups": groups,
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return root


@pytest.fixture(scope="session")
def real_bundle(tmp_path_factory):
    return write_real_bundle(tmp_path_factory.mktemp("client-bundle") / "bundle")


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory):
    """scores/demo.yaml really rendered (speech, music, captions), once per session."""
    from flashmob.tools.render.bundle import RenderOptions, render_bundle

    out = tmp_path_factory.mktemp("demo-bundle") / "demo"
    render_bundle(str(Path(__file__).resolve().parents[2] / "scores" / "demo.yaml"), str(out), RenderOptions())
    return out


@pytest.fixture(scope="session")
def undecodable_segments_bundle(real_bundle, tmp_path_factory):
    """The real bundle whose segments are not audio (but verify: the manifest has their
    sha256); the full show.mp3 is intact, so the <audio> player can still play it."""
    import shutil

    root = tmp_path_factory.mktemp("bad-bundle") / "bundle"
    shutil.copytree(real_bundle, root)
    manifest = json.loads((root / "manifest.json").read_text())
    for g in manifest["groups"]:
        for seg in g["segments"]:
            junk = hashlib.sha256(seg["path"].encode()).digest() * (seg["bytes"] // 32 + 1)
            junk = junk[:seg["bytes"]]
            (root / seg["path"]).write_bytes(junk)
            seg["sha256"] = hashlib.sha256(junk).hexdigest()
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return root


@pytest.fixture
def conductor_server(real_bundle, tmp_path):
    """Factory: a real conductor on 127.0.0.1 serving client_web/ and the real bundle."""
    from flashmob.conductor.app import ServerConfig, build_app
    from conductor_testkit import TOKEN, LiveServer

    started = []

    def start(**cfg):
        cfg.setdefault("token", TOKEN)
        cfg.setdefault("min_lead_s", 1.0)
        cfg.setdefault("db_path", tmp_path / f"state{len(started)}.sqlite")
        cfg.setdefault("bundle_dir", real_bundle)
        server = LiveServer(build_app(ServerConfig(**cfg))).start()
        started.append(server)
        return server

    yield start
    for s in started:
        s.stop()


ENGINES = ("chromium", "firefox", "webkit")


def require_engine(engine: str) -> None:
    from bench.engines import EngineMissing, check

    try:
        check(engine)
    except EngineMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def rig(tmp_path_factory):
    """One Xvfb and one private PulseAudio (48 kHz) for the whole browser suite, stopped by PID."""
    from bench.engines import Display, EngineMissing, PulseServer

    try:
        with Display() as x, PulseServer(tmp_path_factory.mktemp("pulse"), default_rate=48000) as pa:
            yield x, pa
    except EngineMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {exc}")
        pytest.skip(str(exc))


class Phone:
    """One page ("a phone") in its own browser process, behind its own gate, into its own sink."""

    _n = 0

    def __init__(self, engine, server, rig, *, path="/", locale="fr-FR", env_extra=None, pulse=True, holds=(),
                 microphone_delay_ms=None):
        from bench.engines import open_page
        from bench.engines.gate import Gate

        x, pa = rig
        Phone._n += 1
        self.engine = engine
        self.pulse = pa
        self.gate = Gate(server.port).__enter__()
        for pattern, seconds in holds:  # slow responses from the very first load on
            self.gate.hold(pattern, seconds)
        self.sink = pa.null_sink(f"phone{Phone._n}_{engine}") if pulse else None
        self.mic_sink = self.microphone = None
        if microphone_delay_ms is not None:  # its microphone hears its own output, later (Phone.loop_microphone)
            self.loop_microphone(pa, microphone_delay_ms)
        try:
            self.page = open_page(engine, self.gate.url + path, sink=self.sink, pulse=pa if pulse else None, display=x,
                                  viewport=(PHONE["width"], PHONE["height"]), locale=locale, env_extra=env_extra,
                                  microphone=self.microphone)
        except BaseException:
            self.gate.close()
            raise

    def loop_microphone(self, pa, delay_ms):
        """The phone's microphone is its own sink's sound, ``delay_ms`` later: the sink's monitor
        -> ``module-loopback latency_msec`` -> a second null sink (``mic_sink``, recorded by the
        tests to measure the loop's real delay) -> ``module-remap-source`` (a source that is not
        a monitor: Chromium lists no monitors) = ``microphone``, also made the server's default
        source (Firefox records the default source, not ``PULSE_SOURCE``)."""
        self.mic_sink = pa.null_sink(f"{self.sink}_air")
        pa.pactl("load-module", "module-loopback", f"source={self.sink}.monitor", f"sink={self.mic_sink}",
                 f"latency_msec={delay_ms}", "source_dont_move=true", "sink_dont_move=true")
        self.microphone = f"{self.sink}_mic"
        pa.pactl("load-module", "module-remap-source", f"master={self.mic_sink}.monitor",
                 f"source_name={self.microphone}", "channels=1", "channel_map=mono",
                 f"source_properties=device.description={self.microphone}")
        pa.pactl("set-default-source", self.microphone)

    def report(self):
        return self.page.evaluate("window.flashmob && window.flashmob.report()")

    def close(self):
        try:
            self.page.close()
        finally:
            self.gate.close()


@pytest.fixture
def phones(rig):
    """Factory: ``phones(engine, server, path=..., locale=...)`` -> Phone; all closed at teardown."""
    opened = []

    def open_phone(engine, server, **kw):
        require_engine(engine)
        ph = Phone(engine, server, rig, **kw)
        opened.append(ph)
        return ph

    yield open_phone
    for ph in opened:
        ph.close()


@pytest.fixture(scope="module")
def browser():
    """A plain Playwright Chromium (one process, many contexts), for tests that need Playwright's
    own tools (init scripts, request interception); it shares bench.engines' Playwright driver."""
    require_engine("chromium")
    from bench.engines.chromium import ARGS, CHROMIUM, acquire_playwright, release_playwright

    api = acquire_playwright()
    try:
        b = api.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
    finally:
        release_playwright()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
