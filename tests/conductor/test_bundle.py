"""flashmob.conductor.bundle: manifest loading and validation."""

import json

import pytest

from conductor_testkit import write_bundle
from flashmob.conductor.bundle import BundleError, load_bundle


def test_load_hand_made_bundle(bundle_dir):
    b = load_bundle(bundle_dir)
    assert b.show_id == "3f9a0c1b2d4e5f60"
    assert b.duration_us == 180_000_000
    assert b.group_ids == ("red", "blue")
    assert b.files["red/show.mp3"] and len(b.files["red/seg-0001.mp3"]) == 64
    assert b.files["red/captions.vtt"] is None and "blue/cover.png" in b.files
    assert "secret-notes.txt" not in b.files
    assert len(b.revision) == 16


def test_duration_from_samples_is_exact_integer(tmp_path):
    root = write_bundle(tmp_path / "b", duration_ms=1001)
    mf = json.loads((root / "manifest.json").read_text())
    mf["duration"]["samples"] = 44101
    (root / "manifest.json").write_text(json.dumps(mf))
    assert load_bundle(root).duration_us == 1_000_023  # ceil(44101 / 44100 s)


def mutate(root, fn):
    mf = json.loads((root / "manifest.json").read_text())
    fn(mf)
    (root / "manifest.json").write_text(json.dumps(mf))


@pytest.mark.parametrize("change, message", [
    (lambda mf: mf.update(format="zip"), "format"),
    (lambda mf: mf.update(version=2), "version 2"),
    (lambda mf: mf.pop("show_id"), "show_id is missing"),
    (lambda mf: mf.update(groups=[]), "groups is empty"),
    (lambda mf: mf["groups"][0].update(id="a/b"), "groups\\[0\\].id"),
    (lambda mf: mf["groups"][1].update(id="red"), "appears twice"),
    (lambda mf: mf["groups"][0]["mp3"].update(path="../../etc/passwd"), "escapes the bundle"),
    (lambda mf: mf["groups"][0]["mp3"].update(path="red/gone.mp3"), "missing"),
    (lambda mf: [g.update(share=0) for g in mf["groups"]], "positive share"),
    (lambda mf: mf["groups"][0].update(colour="red;background:url(//evil.example/x)"), "groups\\[0\\].colour"),
    (lambda mf: mf["groups"][1].update(colour="#d32f2f\"><script>"), "groups\\[1\\].colour"),
    (lambda mf: mf["groups"][0].update(colour="#D32F2F"), "lower case"),
    (lambda mf: mf["groups"][0].update(colour="red"), "colour must be"),
    (lambda mf: mf["groups"][0].update(colour=None), "colour must be"),
    (lambda mf: mf["groups"][0].update(name=["x"]), "groups\\[0\\].name"),
])
def test_invalid_manifests(bundle_dir, change, message):
    mutate(bundle_dir, change)
    with pytest.raises(BundleError, match=message):
        load_bundle(bundle_dir)


def test_not_a_bundle(tmp_path):
    with pytest.raises(BundleError, match="not a show bundle"):
        load_bundle(tmp_path)


def test_every_file_is_checked_against_its_sha256_at_load(bundle_dir):
    (bundle_dir / "blue" / "seg-0001.mp3").write_bytes(b"tampered")
    with pytest.raises(BundleError, match="blue/seg-0001.mp3"):
        load_bundle(bundle_dir)


def test_a_file_of_the_wrong_size_is_named(bundle_dir):
    with open(bundle_dir / "red" / "show.mp3", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(BundleError, match="red/show.mp3"):
        load_bundle(bundle_dir)


def test_verification_reports_progress(bundle_dir):
    seen = []
    load_bundle(bundle_dir, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0


@pytest.mark.parametrize("change, message", [
    (lambda mf: mf.update(sample_rate=0), "sample_rate"),
    (lambda mf: mf.update(sample_rate=10**12), "sample_rate"),
    (lambda mf: mf.update(sample_rate=44100.0), "sample_rate"),
    (lambda mf: mf["duration"].update(samples=-5), "duration"),
    (lambda mf: mf["duration"].update(samples=10**40), "duration"),
    (lambda mf: mf.update(duration={"ms": 10**30}), "duration"),
    (lambda mf: mf.update(duration={"ms": "long"}), "duration"),
    (lambda mf: mf["groups"][0].update(share=10**30), "share"),
    (lambda mf: mf.update(title=7), "title"),
    (lambda mf: mf.update(title="x" * 5000), "title"),
    (lambda mf: mf["groups"][0]["segments"][0].update(samples=-1), "segments\\[0\\].samples"),
    (lambda mf: mf["groups"][0]["segments"][0].update(first_sample=10**20), "segments\\[0\\].first_sample"),
    (lambda mf: mf["groups"][0]["cues"][0].update(start_ms=-1), "cues\\[0\\].start_ms"),
    (lambda mf: mf["groups"][0]["cues"][0].update(end_ms=10**15), "cues\\[0\\].end_ms"),
    (lambda mf: mf.update(extra=json.loads("[" * 500 + "]" * 500)), "nested"),
])
def test_out_of_range_manifest_values_get_a_clear_message(bundle_dir, change, message):
    mutate(bundle_dir, change)
    with pytest.raises(BundleError, match=message):
        load_bundle(bundle_dir)


def test_deep_nesting_in_the_raw_manifest_is_a_clear_error(bundle_dir):
    (bundle_dir / "manifest.json").write_text('{"format": "flashmob-bundle", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(BundleError, match="nested"):
        load_bundle(bundle_dir)


def test_unencodable_text_in_a_manifest_is_refused(bundle_dir):
    raw = (bundle_dir / "manifest.json").read_text().replace('"title": "Demo"', '"title": "Demo \\ud800"')
    (bundle_dir / "manifest.json").write_text(raw)
    with pytest.raises(BundleError, match="surrogate"):
        load_bundle(bundle_dir)
