"""flashmob.contract.recordschema: the JSON Schema and the wire tables say what the parser accepts."""

from __future__ import annotations

import jsonschema
import pytest

from flashmob.contract.records import RecordError, parse, record, spec
from flashmob.contract.recordschema import describe, nested, schema

from .test_records import Outer as ManifestLike
from .test_records_wire import Inner as WireLikeInner
from .test_records_wire import Outer as WireLike


def test_schema_agrees_with_the_parser():
    s = schema(ManifestLike, title="t")
    assert s["required"] == ["id"] and s["$defs"]["Inner"]["required"] == ["n"]
    good = {"id": "abc", "inner": {"n": 3}, "tags": [0, 3], "flag": None}
    jsonschema.validate(good, s)
    parse(ManifestLike, good)
    for bad in ({"id": "ABC"}, {"id": "a", "inner": {"n": 10}}, {"id": "a", "tags": [4]},
                {"id": "a", "items": [{"n": 1}] * 3}, {"id": "a", "flag": 1}, {"name": "x"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, s)
        with pytest.raises(RecordError):
            parse(ManifestLike, bad)


def test_a_str_enum_is_a_string_with_its_values():
    assert schema(WireLikeInner, title="t")["properties"]["colour"] == {"type": "string", "enum": ["red", "blue"],
                                                                      "default": "red"}


def test_describe_and_nested():
    d = describe(WireLike)
    assert list(d) == ["name", "inner", "tags", "maybe", "kept", "any_obj", "flag"]
    assert d["name"] == {"t": "str", "req": True, "nul": False, "minLen": 1, "maxLen": 5}
    assert d["inner"] == {"t": "Inner", "req": True, "nul": False}
    assert d["tags"] == {"t": "list", "req": False, "nul": False, "of": "str", "maxItems": 2}
    assert d["maybe"] == {"t": "Inner", "req": False, "nul": True}
    assert d["kept"]["req"] is True
    assert describe(WireLikeInner)["colour"] == {"t": "str", "req": False, "nul": False, "choices": ["red", "blue"]}
    assert nested(WireLike) == [WireLikeInner]


def test_describe_refuses_a_rule_the_browser_tables_cannot_check():
    @record
    class Patterned:
        s: str = spec(pattern=r"^[a-z]+$")

    with pytest.raises(TypeError, match="pattern"):
        describe(Patterned)


def test_describe_carries_a_maximum_the_browser_checks():
    @record
    class Capped:
        n: int = spec(minimum=-3, maximum=3)

    assert describe(Capped)["n"] == {"t": "int", "req": True, "nul": False, "min": -3, "max": 3}
