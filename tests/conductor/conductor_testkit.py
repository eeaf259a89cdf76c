"""Test kit of the conductor tests: hand-made bundles, live servers, a sync client."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

DEFAULT_GROUPS = (("red", "Reds", "#d32f2f", 1), ("blue", "Blues", "#1976d2", 1))


def write_bundle(root: Path, *, groups=DEFAULT_GROUPS, duration_ms: int = 180_000, show_id: str = "3f9a0c1b2d4e5f60",
                 mp3_bytes: int = 50_000, segments: int = 2) -> Path:
    """Write manifest.json and dummy files under ``root``; returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    sr = 44100
    total = duration_ms * sr // 1000
    out_groups = []
    for gid, name, colour, share in groups:
        (root / gid).mkdir(exist_ok=True)
        data = bytes((i * 7 + len(gid)) % 251 for i in range(mp3_bytes))
        (root / gid / "show.mp3").write_bytes(data)
        segs = []
        per = total // segments
        for k in range(segments):
            seg = data[k * 1000:(k + 1) * 1000] + gid.encode()
            path = f"{gid}/seg-{k:04d}.mp3"
            (root / path).write_bytes(seg)
            segs.append({"path": path, "first_sample": k * per, "samples": per,
                         "sha256": hashlib.sha256(seg).hexdigest()})
        (root / gid / "captions.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:02.500\nWelcome\n")
        (root / gid / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
        out_groups.append({
            "id": gid, "name": name, "colour": colour, "share": share,
            "mp3": {"path": f"{gid}/show.mp3", "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                    "duration_ms": duration_ms},
            "segments": segs, "captions": f"{gid}/captions.vtt", "cover": f"{gid}/cover.png",
            "cues": [{"id": "c1", "start_ms": 0, "end_ms": 2500, "kind": "say", "text": "Welcome",
                      "vibrate": [200], "line": 12}],
            "silences": [{"start_ms": 2500, "end_ms": 4000}],
        })
    manifest = {
        "format": "flashmob-bundle", "version": 1, "show_id": show_id, "title": "Demo",
        "organizer": {"name": "Test", "contact": "test@example.org"}, "language": "en",
        "event": {"place": "Square", "starts": "2026-12-05T18:00:00+01:00", "meeting_point": "Fountain",
                  "safety": "Stay on the pavement"},
        "sample_rate": sr, "duration": {"samples": total, "ms": duration_ms}, "groups": out_groups,
    }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1))
    (root / "secret-notes.txt").write_text("not referenced by the manifest: never served")
    return root
