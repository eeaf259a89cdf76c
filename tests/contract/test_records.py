"""flashmob.contract.records: one definition gives parser, writer and schema."""

from __future__ import annotations

from dataclasses import dataclass

import jsonschema
import pytest

from flashmob.contract.records import RecordError, parse, schema, spec, write


@dataclass(frozen=True, kw_only=True)
class Inner:
    n: int = spec("a count", minimum=1, maximum=9)


@dataclass(frozen=True, kw_only=True)
class Outer:
    id: str = spec("an id", pattern=r"^[a-z]+$", expected="lower-case letters")
    name: str = spec("defaults to the id", default_from="id", max_length=5)
    ratio: float = spec("a number", default=1.0)
    flag: bool | None = spec("maybe", default=None)
    inner: Inner | None = spec("nested", default=None)
    items: tuple[Inner, ...] = spec("nested list", default=(), max_items=2)
    tags: tuple[int, ...] = spec("whole numbers", default=(), minimum=0, maximum=3)
    note: str | None = spec("left out when None", default=None, omit_none=True)
    free: dict = spec("any object", default_factory=dict)


def test_parse_fills_defaults_and_ignores_unknown_keys():
    rec = parse(Outer, {"id": "abc", "items": [{"n": 2}], "unknown": [1]})
    assert rec == Outer(id="abc", name="abc", items=(Inner(n=2),))
    assert write(rec) == {"id": "abc", "name": "abc", "ratio": 1.0, "flag": None, "inner": None,
                          "items": [{"n": 2}], "tags": [], "free": {}}
    assert parse(Outer, write(rec)) == rec


@pytest.mark.parametrize("obj, message", [
    ({}, "^id is missing$"),
    ({"id": "ABC"}, "^id must be lower-case letters, got 'ABC'$"),
    ({"id": "a", "name": "toolong"}, "^name must be a text of at most 5 characters$"),
    ({"id": "a", "ratio": True}, "^ratio must be a number"),
    ({"id": "a", "flag": 1}, "^flag must be true or false"),
    ({"id": "a", "inner": {"n": 0}}, r"^inner\.n must be a whole number from 1 to 9, got 0$"),
    ({"id": "a", "inner": {"n": True}}, r"^inner\.n must be a whole number"),
    ({"id": "a", "items": [{"n": 1}, {"n": 1}, {"n": 1}]}, "^items: at most 2 items, got 3$"),
    ({"id": "a", "items": [{}, {"n": 1}]}, r"^items\[0\]\.n is missing$"),
    ({"id": "a", "tags": [1, 4]}, r"^tags\[1\] must be a whole number from 0 to 3, got 4$"),
    ({"id": "a", "tags": "1"}, "^tags must be a list, got str$"),
    ({"id": None}, "^id must be lower-case letters, got null$"),
    ({"id": "a", "free": []}, "^free must be an object, got list$"),
])
def test_errors_name_the_path_and_what_was_expected(obj, message):
    with pytest.raises(RecordError, match=message):
        parse(Outer, obj, "")


def test_schema_agrees_with_the_parser():
    s = schema(Outer, title="t")
    assert s["required"] == ["id"] and s["$defs"]["Inner"]["required"] == ["n"]
    good = {"id": "abc", "inner": {"n": 3}, "tags": [0, 3], "flag": None}
    jsonschema.validate(good, s)
    parse(Outer, good)
    for bad in ({"id": "ABC"}, {"id": "a", "inner": {"n": 10}}, {"id": "a", "tags": [4]},
                {"id": "a", "items": [{"n": 1}] * 3}, {"id": "a", "flag": 1}, {"name": "x"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, s)
        with pytest.raises(RecordError):
            parse(Outer, bad)
