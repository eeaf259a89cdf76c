"""A really rendered manifest validates against the committed JSON Schema (docs/manifest.schema.json)
and parses through the contract's parser to the same JSON (one writer, one parser)."""

import json
import pathlib

import jsonschema

from flashmob.contract.manifest import manifest_json, parse_manifest_json

ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_rendered_manifest_validates_and_round_trips(clicks_bundle):
    raw = (pathlib.Path(clicks_bundle) / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(raw)
    schema = json.loads((ROOT / "docs" / "manifest.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(manifest)
    assert json.dumps(manifest_json(parse_manifest_json(manifest)), ensure_ascii=False, indent=1) + "\n" == raw
    cues = {c["id"]: c for c in manifest["groups"][0]["cues"]}
    assert all("caption_end_ms" in c for c in cues.values())
