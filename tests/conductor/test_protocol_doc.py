"""docs/protocol.md: every JSON example parses, names only real fields, and
every message type has an example.  (The JS side checks the same examples.)"""

import dataclasses
import json
import re
from pathlib import Path

import pytest

from flashmob.conductor import messages as m

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def examples():
    text = DOC.read_text(encoding="utf-8")
    return re.findall(r"```json\n(.*?)\n```", text, flags=re.S)


def direction_of(kind):
    if kind in m.SERVER_OUT:
        return "server"
    return "participant" if kind in m.PARTICIPANT_IN else "console"


def check_fields(obj, cls, where):
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(obj) - names - {"type"}
    assert not unknown, f"{where}: fields not in {cls.__name__}: {unknown}"


@pytest.mark.parametrize("example", examples(), ids=lambda e: json.loads(e)["type"])
def test_example_parses(example):
    obj = json.loads(example)
    kind = obj["type"]
    msg = m.parse(example, direction_of(kind))
    check_fields(obj, type(msg), kind)
    if kind in m.SERVER_OUT:  # server examples show every field, exactly as serialized
        assert m.to_dict(msg) == obj


def test_every_type_has_an_example():
    documented = {json.loads(e)["type"] for e in examples()}
    assert documented == set(m.ALL_TYPES)


def test_every_error_code_is_documented():
    text = DOC.read_text(encoding="utf-8")
    for code in m.ERROR_CODES:
        assert f"`{code}`" in text, code


def test_api_info_row_lists_the_record_fields():
    row = next(line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `GET /api/info`"))
    listed = re.findall(r'"(\w+)"', row.split("|")[2])
    assert listed == [f.name for f in dataclasses.fields(m.ApiInfo)]
