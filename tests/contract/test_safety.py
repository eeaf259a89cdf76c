"""flashmob.contract.safety: the bundle's private safety file, one writer and one reader."""

import json
import pathlib
import re

import pytest

from flashmob.contract.safety import (FORMAT, SAFETY_FILE, VERSION, SafetyFile, SafetyFileError, Stewards,
                                      read_safety_file, safety_json)

FULL = SafetyFile(format=FORMAT, version=VERSION, expected=300, stewards=Stewards(count=12, lead="Camille, 06",
                                                                                  note="Yellow vests"),
                  first_aid="Protection civile", water="Fountain", exits=("North", "East"), console="Alex, 07")


def write(tmp_path, obj) -> None:
    (tmp_path / SAFETY_FILE).write_text(json.dumps(obj), encoding="utf-8")


def test_written_and_read_back(tmp_path):
    assert list(safety_json(FULL)) == ["format", "version", "expected", "stewards", "first_aid", "water", "exits",
                                       "console"]
    write(tmp_path, safety_json(FULL))
    assert read_safety_file(tmp_path) == FULL


def test_absent_file_is_none_and_minimal_file_reads(tmp_path):
    assert read_safety_file(tmp_path) is None
    write(tmp_path, {"format": FORMAT, "version": 1})
    assert read_safety_file(tmp_path) == SafetyFile(format=FORMAT, version=1)


@pytest.mark.parametrize("obj, words", [
    ({"format": "other", "version": 1}, 'format must be "flashmob-safety"'),
    ({"format": FORMAT, "version": 2}, "version"),
    ({"format": FORMAT, "version": 1, "stewards": {"count": -3}}, "stewards.count"),
    ({"format": FORMAT, "version": 1, "exits": "north"}, "exits"),
    ([1, 2], "safety"),
])
def test_a_damaged_file_names_the_field(tmp_path, obj, words):
    write(tmp_path, obj)
    with pytest.raises(SafetyFileError) as e:
        read_safety_file(tmp_path)
    assert SAFETY_FILE in str(e.value) and words in str(e.value) and "render the show again" in str(e.value)


def test_not_json(tmp_path):
    (tmp_path / SAFETY_FILE).write_bytes(b"\xff{")
    with pytest.raises(SafetyFileError, match="render the show again"):
        read_safety_file(tmp_path)


def test_the_documented_example_reads(tmp_path):
    doc = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "bundle-format.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```jsonc\n(\{\"format\": \"flashmob-safety\".*?)```", doc, re.S).group(1))
    write(tmp_path, example)
    assert safety_json(read_safety_file(tmp_path)) == example
