"""flashmob.contract.schema: the manifest's JSON Schema, generated from the records.

The committed files (docs/manifest.schema.json, client_web/js/manifestschema.js) must be
what the records generate now; real manifests validate against the schema (jsonschema),
and the schema refuses what the parser refuses, naming the same field.
"""

from __future__ import annotations

import copy
import json
import sys

import jsonschema
import pytest

from flashmob.contract.manifest import ManifestError, parse_manifest_json
from flashmob.contract.schema import FILES, generated_files, manifest_schema

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "conductor"))


def test_committed_schema_files_are_not_stale():
    stale = [rel for rel, text in generated_files().items()
             if not (ROOT / rel).is_file() or (ROOT / rel).read_text(encoding="utf-8") != text]
    assert not stale, f"stale: {stale}: run `python -m flashmob.contract.schema` and commit the result"
    assert set(FILES) == set(generated_files())


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(manifest_schema())


def validator():
    return jsonschema.Draft202012Validator(json.loads((ROOT / FILES[0]).read_text(encoding="utf-8")))


def test_the_demo_manifest_and_the_docs_example_validate(demo):
    import re

    v = validator()
    v.validate(demo)
    doc = (ROOT / "docs" / "bundle-format.md").read_text(encoding="utf-8")
    v.validate(json.loads(re.search(r"```json\n(.*?)```", doc, re.S).group(1)))


def test_hand_made_test_bundles_validate(tmp_path):
    """What the conductor accepts, the schema accepts (the readers' defaults are optional keys)."""
    from conductor_testkit import write_bundle

    sys.path.insert(0, str(ROOT / "tests"))
    from client_web.conftest import write_real_bundle

    for root in (write_bundle(tmp_path / "a"), write_real_bundle(tmp_path / "b")):
        manifest = json.loads((root / "manifest.json").read_text())
        validator().validate(manifest)
        parse_manifest_json(manifest)


@pytest.mark.parametrize("change, where", [
    (lambda m: m["groups"][0].update(colour="#D32F2F"), ["groups", 0, "colour"]),
    (lambda m: m["groups"][0].update(id="a/b"), ["groups", 0, "id"]),
    (lambda m: m["groups"][0]["mp3"].update(path="../x.mp3"), ["groups", 0, "mp3", "path"]),
    (lambda m: m["groups"][0]["mp3"].update(path="a/../../x.mp3"), ["groups", 0, "mp3", "path"]),
    (lambda m: m["groups"][0]["mp3"].update(path="a\\x.mp3"), ["groups", 0, "mp3", "path"]),
    (lambda m: m["groups"][1]["cues"][0].update(start_ms=-1), ["groups", 1, "cues", 0, "start_ms"]),
    (lambda m: m.update(version=2), ["version"]),
    (lambda m: m.update(format="zip"), ["format"]),
    (lambda m: m.update(groups=[]), ["groups"]),
    (lambda m: m["groups"][0].update(name=""), ["groups", 0, "name"]),
    (lambda m: m.pop("show_id"), []),
])
def test_schema_and_parser_refuse_the_same(demo, change, where):
    m = copy.deepcopy(demo)
    change(m)
    errors = list(validator().iter_errors(m))
    assert errors, "the schema accepted it"
    best = jsonschema.exceptions.best_match(errors)  # descends into anyOf (a nullable record)
    assert list(best.absolute_path) == where, (list(best.absolute_path), best.message)
    with pytest.raises(ManifestError):
        parse_manifest_json(m)
