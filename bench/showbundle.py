"""Show bundles for the benchmarks.

* :func:`write_stub_bundle` - a manifest and small placeholder files: enough
  for the conductor (sync and load benchmarks never play audio);
* :func:`write_audio_bundle` - real gapless MP3 segments (the renderer's
  encoder) of a short tone with clicks, for the browsers, which decode and play.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

GROUPS = (("red", "Reds", "#d32f2f"), ("blue", "Blues", "#1976d2"))
SR = 44100


def _manifest(groups: list[dict], duration_s: int, title: str) -> dict:
    return {
        "format": "flashmob-bundle", "version": 1, "show_id": "be0c4b3e0c4b3e00", "title": title,
        "organizer": {"name": "bench", "contact": "bench@example.org"}, "language": "en", "event": None,
        "sample_rate": SR, "duration": {"samples": duration_s * SR, "ms": duration_s * 1000},
        "meetings_ms": [], "settings": {}, "groups": groups,
    }


def _group(gid: str, name: str, colour: str, mp3: bytes, segs: list[dict], duration_s: int) -> dict:
    return {
        "id": gid, "name": name, "colour": colour, "share": 1,
        "mp3": {"path": f"{gid}/show.mp3", "bytes": len(mp3), "sha256": hashlib.sha256(mp3).hexdigest(),
                "samples": duration_s * SR, "duration_ms": duration_s * 1000},
        "segments": segs, "captions": f"{gid}/captions.vtt", "cover": f"{gid}/cover.png",
        "cues": [{"id": "c1", "kind": "say", "start_ms": 0, "end_ms": 2000, "text": "Go", "vibrate": None,
                  "line": 1, "meeting": None}],
        "silences": [],
    }


def _extras(root: Path, gid: str) -> None:
    (root / gid / "captions.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nGo\n")
    (root / gid / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)


def write_stub_bundle(root: Path, *, duration_s: int = 600) -> Path:
    """A bundle whose audio files are placeholders (the conductor never decodes)."""
    root.mkdir(parents=True, exist_ok=True)
    groups = []
    for gid, name, colour in GROUPS:
        (root / gid).mkdir(exist_ok=True)
        mp3 = bytes((i * 7 + len(gid)) % 251 for i in range(4000))
        (root / gid / "show.mp3").write_bytes(mp3)
        seg = mp3[:1000]
        (root / gid / "seg-0000.mp3").write_bytes(seg)
        segs = [{"path": f"{gid}/seg-0000.mp3", "first_sample": 0, "samples": duration_s * SR,
                 "sha256": hashlib.sha256(seg).hexdigest()}]
        _extras(root, gid)
        groups.append(_group(gid, name, colour, mp3, segs, duration_s))
    (root / "manifest.json").write_text(json.dumps(_manifest(groups, duration_s, "Bench"), indent=1))
    return root


def write_audio_bundle(root: Path, *, duration_s: int = 12, segment_s: int = 3) -> Path:
    """Real MP3 segments: a quiet tone with a click at the start of every second."""
    import numpy as np

    from flashmob.tools.audio.encode import EncodeSettings, encode_mp3
    from flashmob.tools.audio.segments import encode_segments, plan_segments

    root.mkdir(parents=True, exist_ok=True)
    settings = EncodeSettings(sample_rate=SR, channels=1, bitrate_kbps=128, quality=7)
    total = duration_s * SR
    groups = []
    for gi, (gid, name, colour) in enumerate(GROUPS):
        t = np.arange(total) / SR
        pcm = (0.04 * np.sin(2 * np.pi * (220 + 110 * gi) * t)).astype(np.float32)
        for k in range(duration_s):
            pcm[k * SR:k * SR + 6] = 0.95
        (root / gid).mkdir(exist_ok=True)
        mp3 = encode_mp3(pcm, settings)
        (root / gid / "show.mp3").write_bytes(mp3)
        segs = []
        for enc in encode_segments(pcm, plan_segments(total, SR, segment_s), settings, max_workers=1):
            path = f"{gid}/seg-{enc.segment.index:04d}.mp3"
            (root / path).write_bytes(enc.mp3)
            segs.append({"path": path, "first_sample": enc.segment.start, "samples": enc.segment.samples,
                         "bytes": len(enc.mp3), "sha256": enc.sha256, "encoder_delay": enc.encoder_delay,
                         "padding": enc.padding})
        _extras(root, gid)
        groups.append(_group(gid, name, colour, mp3, segs, duration_s))
    (root / "manifest.json").write_text(json.dumps(_manifest(groups, duration_s, "Bench"), indent=1))
    return root
