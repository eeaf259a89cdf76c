"""docs/bundle-format.md: its example manifest has the shape of a real one."""

import json
import pathlib
import re

from flashmob.conductor.bundle import parse_manifest

ROOT = pathlib.Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "bundle-format.md").read_text(encoding="utf-8")
EXAMPLE = json.loads(re.search(r"```json\n(.*?)```", DOC, re.S).group(1))


def shape(value):
    """Keys and value types, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def test_example_has_exactly_the_shape_of_a_rendered_manifest(clicks_bundle):
    real = json.loads((pathlib.Path(clicks_bundle) / "manifest.json").read_text(encoding="utf-8"))
    ex, rl = shape(EXAMPLE), shape(real)
    assert list(ex) == list(rl)
    assert ex["groups"][0].keys() == rl["groups"][0].keys()
    for key in ("mp3", "loudness"):
        assert ex["groups"][0][key] == rl["groups"][0][key]
    assert ex["groups"][0]["segments"] == rl["groups"][0]["segments"]
    assert set(ex["groups"][0]["cues"][0]) == set(rl["groups"][0]["cues"][0])
    assert ex["duration"] == rl["duration"] and ex["settings"].keys() == rl["settings"].keys()


def test_conductor_reads_the_example(tmp_path):
    bundle = parse_manifest(tmp_path, json.dumps(EXAMPLE).encode())
    assert bundle.show_id == EXAMPLE["show_id"] and bundle.duration_us == 175_000_000
    assert EXAMPLE["groups"][0]["segments"][0]["path"] in bundle.files


def test_example_segments_tile_from_zero():
    segs = EXAMPLE["groups"][0]["segments"]
    assert segs[0]["first_sample"] == 0 and segs[1]["first_sample"] == segs[0]["samples"]
