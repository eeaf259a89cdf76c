"""flashmob.contract.bundle: a bundle folder read through the one parser (the conductor's own
tests, tests/conductor/test_bundle.py, check the loader's refusals)."""

from __future__ import annotations

import hashlib
import json

import pytest

from flashmob.contract.bundle import BundleError, bundle_of, load_bundle


def write(root, manifest: dict, files: dict[str, bytes]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "manifest.json").write_text(json.dumps(manifest))


def manifest(mp3: bytes, seg: bytes) -> dict:
    return {"format": "flashmob-bundle", "version": 1, "show_id": "s1", "title": "T", "sample_rate": 44100,
            "duration": {"samples": 44100, "ms": 1000},
            "groups": [{"id": "red", "mp3": {"path": "red/./show.mp3", "bytes": len(mp3),
                                             "sha256": hashlib.sha256(mp3).hexdigest()},
                        "segments": [{"path": "red/seg.mp3", "first_sample": 0, "samples": 44100,
                                      "sha256": hashlib.sha256(seg).hexdigest()}],
                        "captions": "red/c.vtt"},
                       {"id": "blue", "share": 0}]}


def test_files_allow_list_and_group_views(tmp_path):
    mp3, seg = b"mp3 bytes", b"segment"
    write(tmp_path, manifest(mp3, seg), {"red/show.mp3": mp3, "red/seg.mp3": seg, "red/c.vtt": b"WEBVTT\n",
                                         "notes.txt": b"never served"})
    b = load_bundle(tmp_path)
    assert b.files == {"manifest.json": None, "red/show.mp3": hashlib.sha256(mp3).hexdigest(),
                       "red/seg.mp3": hashlib.sha256(seg).hexdigest(), "red/c.vtt": None}
    assert b.sizes == {"red/show.mp3": len(mp3)}
    assert b.mp3_path("red") == "red/show.mp3" and b.mp3_path("blue") is None and b.mp3_path("nope") is None
    assert [(g.id, g.name, g.colour, g.share) for g in b.groups] == [("red", "red", "#888888", 1),
                                                                      ("blue", "blue", "#888888", 0)]
    assert b.duration_us == 1_000_000 and b.manifest.duration_ms == 1000
    assert b.revision == hashlib.sha256((tmp_path / "manifest.json").read_bytes()).hexdigest()[:16]


def test_a_changed_file_is_named(tmp_path):
    mp3, seg = b"mp3 bytes", b"segment"
    write(tmp_path, manifest(mp3, seg), {"red/show.mp3": mp3, "red/seg.mp3": b"SEGMENT", "red/c.vtt": b""})
    with pytest.raises(BundleError, match="red/seg.mp3: its sha256 differs"):
        load_bundle(tmp_path)
    assert load_bundle(tmp_path, verify=False).show_id == "s1"


def test_bundle_of_reads_no_file(tmp_path):
    b = bundle_of(tmp_path / "absent", json.dumps(manifest(b"", b"")).encode())
    assert b.group_ids == ("red", "blue")
