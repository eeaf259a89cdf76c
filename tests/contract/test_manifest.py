"""flashmob.contract.manifest: the one writer and the one parser of manifest.json."""

from __future__ import annotations

import copy
import json

import pytest

from flashmob.contract.manifest import (Cue, Manifest, ManifestError, Settings, manifest_json, parse_manifest_bytes,
                                        parse_manifest_json)


def test_writer_and_parser_round_trip_key_for_key(demo):
    record = parse_manifest_json(demo)
    assert isinstance(record, Manifest)
    again = manifest_json(record)
    assert json.dumps(again) == json.dumps(demo)  # values and key order
    assert record.group("red").name == "Reds" and record.duration_us == 175_000_000


def test_cues_carry_the_caption_spans(demo):
    record = parse_manifest_json(demo)
    cues = {c.id: c for c in record.group("red").cues}
    look = cues["look"]
    assert look.kind == "caption" and look.end_ms == look.start_ms == 25_000
    assert look.caption_end_ms == 30_000  # held until the next caption (at 30 s), not 1 ms
    assert cues["bed"].caption_end_ms is None  # music shows no caption
    end = next(c for c in cues.values() if c.kind == "end")
    assert end.caption_end_ms is None  # the end screen, not a caption


def test_manifests_written_before_caption_end_ms_still_parse(demo):
    old = copy.deepcopy(demo)
    for g in old["groups"]:
        for c in g["cues"]:
            del c["caption_end_ms"]
    record = parse_manifest_json(old)
    assert all(c.caption_end_ms is None for c in record.group("red").cues)
    assert "caption_end_ms" in manifest_json(record)["groups"][0]["cues"][0]


def test_hand_made_minimal_manifest_gets_the_readers_defaults():
    m = parse_manifest_json({"format": "flashmob-bundle", "version": 1, "show_id": "s", "title": "T",
                             "duration": {"ms": 1500}, "groups": [{"id": "red"}], "extra": {"x": 1}})
    g = m.groups[0]
    assert (g.name, g.colour, g.share, g.mp3, g.cues) == ("red", "#888888", 1, None, ())
    assert m.duration_us == 1_500_000 and m.settings == Settings() and m.event is None


def base(demo):
    return copy.deepcopy(demo)


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(format="zip"), 'manifest.json: format must be "flashmob-bundle"'),
    (lambda m: m.update(version=2), "manifest.json: version 2 is not supported"),
    (lambda m: m.update(version="1"), "manifest.json: version must be a whole number"),
    (lambda m: m.pop("title"), "manifest.json: title is missing"),
    (lambda m: m["groups"][0]["mp3"].update(sha256="XYZ"),
     r"manifest.json: groups\[0\].mp3.sha256 must be 64 lower-case hex digits, got 'XYZ'"),
    (lambda m: m["groups"][0]["mp3"].update(path="/etc/passwd"), r"groups\[0\].mp3.path escapes the bundle"),
    (lambda m: m["groups"][1]["cues"][2].update(end_ms=0), r"groups\[1\].cues\[2\] ends \(end_ms 0\) before"),
    (lambda m: m["groups"][0]["silences"][0].update(start_ms=5000), r"groups\[0\].silences\[0\] ends"),
    (lambda m: m["groups"][0]["cues"][0].update(vibrate=[1, -1]), r"groups\[0\].cues\[0\].vibrate\[1\]"),
    (lambda m: m["event"].update(place=["a"]), "manifest.json: event.place must be text, not list"),
    (lambda m: m.update(duration={"samples": 10}) or m.pop("sample_rate"), "duration.ms is missing"),
    (lambda m: m.update(sample_rate=8000, duration={"samples": 8000 * 3600 * 25}), "longer than 24 hours"),
    (lambda m: m.update(groups=[m["groups"][0]] * 1001), "groups: at most 1000 items"),
])
def test_errors_name_the_field(demo, change, message):
    m = base(demo)
    change(m)
    with pytest.raises(ManifestError, match=message):
        parse_manifest_json(m)


def test_bytes_errors():
    with pytest.raises(ManifestError, match="is not JSON"):
        parse_manifest_bytes(b"{")
    with pytest.raises(ManifestError, match="must hold an object"):
        parse_manifest_bytes(b"[]")
    with pytest.raises(ManifestError, match="nested too deeply"):
        parse_manifest_bytes(b"[" * 100_000 + b"]" * 100_000)


def test_records_are_frozen(demo):
    cue = parse_manifest_json(demo).groups[0].cues[0]
    assert isinstance(cue, Cue)
    with pytest.raises(AttributeError):
        cue.start_ms = 5  # type: ignore[misc]
