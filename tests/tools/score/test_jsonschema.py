"""The editor schema accepts the example scores and rejects obvious mistakes."""

import json
import pathlib

import jsonschema
import pytest

from flashmob.tools.score.jsonschema import score_schema
from flashmob.tools.score.source import parse_yaml, to_plain

ROOT = pathlib.Path(__file__).resolve().parents[3]


def validator():
    schema = score_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", ["demo.yaml", "agitato.yaml"])
def test_schema_validates_example_scores(name):
    data = to_plain(parse_yaml((ROOT / "scores" / name).read_text(encoding="utf-8")))
    errors = [f"{e.json_path}: {e.message}" for e in validator().iter_errors(data)]
    assert errors == []


def test_schema_rejects_unknown_keys_and_bad_engines():
    data = to_plain(parse_yaml((ROOT / "scores" / "demo.yaml").read_text(encoding="utf-8")))
    data["tittle"] = "x"
    data["voices"]["robot"]["engine"] = "festival"
    data["cues"][0]["at"] = "soon"
    paths = sorted(e.json_path for e in validator().iter_errors(data))
    assert paths == ["$", "$.cues[0]", "$.voices.robot.engine"]


def test_committed_schema_file_is_up_to_date():
    committed = json.loads((ROOT / "docs" / "score.schema.json").read_text(encoding="utf-8"))
    assert committed == score_schema(), "run: flashmob schema -o docs/score.schema.json"


def test_schema_rejects_control_characters_and_overlong_lines():
    v = validator()
    base = {"flashmob": 1, "title": "T", "groups": {"r": {}}, "cues": [{"at": 0, "say": "hi"}]}
    assert list(v.iter_errors(base)) == []
    assert list(v.iter_errors({**base, "title": "tab\tand\nline break, é"})) == []
    assert [e.json_path for e in v.iter_errors({**base, "title": "Show\x00"})] == ["$.title"]
    assert list(v.iter_errors({**base, "cues": [{"at": 0, "say": "x" * 5000}]})) == []
    assert list(v.iter_errors({**base, "cues": [{"at": 0, "say": "x" * 5001}]})) != []
