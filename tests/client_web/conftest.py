"""Fixtures of the real-browser tests: a real bundle (real gapless MP3 segments
with clicks at known samples), a real conductor (uvicorn on 127.0.0.1) serving
client_web/, and headless Chromium driven by Playwright.

Chromium is Debian's /usr/bin/chromium (Playwright cannot download browsers
here). Without it the tests are skipped locally, and fail under CI=true.
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
DURATION_S = 20
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
    from tools.encode import EncodeSettings, encode_mp3
    from tools.segments import encode_segments, plan_segments

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


@pytest.fixture
def conductor_server(real_bundle, tmp_path):
    """Factory: a real conductor on 127.0.0.1 serving client_web/ and the real bundle."""
    from conductor.app import ServerConfig, build_app
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


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module (closed before other modules run their own event loops)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: the browser tests cannot run (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but the playwright package is missing")
        pytest.skip("the playwright package is missing")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
