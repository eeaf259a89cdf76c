"""flashmob.contract.records with the wire's conventions (moved from tests/conductor/test_strictjson.py when
conductor/strictjson.py became this one mechanism): str-Enum choices, required-with-default, ±2**53,
the EXPECTED wording (client_web/js/protocol.js repeats it), lone surrogates (contract/jsonshape.py)."""

from enum import Enum

import pytest

from flashmob.contract.jsonshape import JsonShapeError, may_hold_lone_surrogate, refuse_lone_surrogates
from flashmob.contract.records import EXPECTED, RecordError, dumps, parse, record, spec, write


class Colour(str, Enum):
    RED = "red"
    BLUE = "blue"


@record
class Inner:
    n: int = spec(minimum=1)
    colour: Colour = Colour.RED


@record
class Outer:
    name: str = spec(min_length=1, max_length=5)
    inner: Inner
    tags: tuple[str, ...] = spec(default=(), max_items=2)
    maybe: Inner | None = None
    kept: int = spec(default=0, required=True)  # a Python default, required in JSON all the same
    any_obj: dict | None = None
    flag: bool = False


GOOD = {"name": "ab", "inner": {"n": 2, "colour": "blue"}, "kept": 3, "tags": ["x"], "unknown": [1]}


def build(cls, obj):
    return parse(cls, obj, wording=EXPECTED)


def test_build_reads_every_type_and_ignores_unknown_fields():
    o = build(Outer, GOOD)
    assert o == Outer(name="ab", inner=Inner(n=2, colour=Colour.BLUE), kept=3, tags=("x",))
    assert o.inner.colour is Colour.BLUE


@pytest.mark.parametrize("change, message", [
    ({"name": ""}, "name: expected at least 1 characters"),
    ({"name": "abcdef"}, "name: expected at most 5 characters, got '6 characters'"),
    ({"inner": {"n": 0}}, "inner.n: expected an integer >= 1, got 0"),
    ({"inner": {"n": 1, "colour": "green"}}, "inner.colour: expected one of red, blue, got 'green'"),
    ({"inner": {"n": True}}, "inner.n: expected an integer, got bool"),
    ({"inner": {"n": 1.0}}, "inner.n: expected an integer, got 1.0"),
    ({"inner": {"n": 2**53}}, "inner.n: expected an integer within"),
    ({"inner": {"n": -2**53}}, "inner.n: expected an integer within"),
    ({"tags": ["a", "b", "c"]}, "tags: expected at most 2 items, got '3 items'"),
    ({"tags": [1]}, r"tags[0]: expected a string, got 1"),
    ({"inner": None}, "inner: expected a value, got NoneType"),
    ({"inner": []}, "inner: expected an object, got list"),
    ({"flag": 1}, "flag: expected true or false, got 1"),
    ({"any_obj": []}, "any_obj: expected an object, got list"),
])
def test_refusals_name_the_field_and_what_was_expected(change, message):
    with pytest.raises(RecordError) as info:
        build(Outer, {**GOOD, **change})
    assert info.value.message.startswith(message), info.value.message


def test_required_fields_even_with_a_python_default():
    for name in ("name", "inner", "kept"):
        with pytest.raises(RecordError, match=rf"^{name}: missing \(required\)$"):
            build(Outer, {k: v for k, v in GOOD.items() if k != name})
    assert Outer(name="a", inner=Inner(n=1)).kept == 0


def test_deep_values_in_an_object_field_are_checked_without_recursion():
    deep: object = "ok"
    for _ in range(50_000):
        deep = {"x": [deep]}
    refuse_lone_surrogates(deep)  # iterative: no RecursionError
    assert build(Outer, {**GOOD, "any_obj": deep}).any_obj is deep


def test_lone_surrogates_are_refused_values_and_keys():
    with pytest.raises(JsonShapeError, match="^a.b: text with a lone UTF-16 surrogate"):
        refuse_lone_surrogates({"a": {"b": "x\ud800"}})
    with pytest.raises(JsonShapeError, match="key with a lone UTF-16 surrogate"):
        refuse_lone_surrogates({"\udfff": 1})
    refuse_lone_surrogates({"a": ["\u0000\u202e\uffff", "é"]})  # valid Unicode passes


def test_the_quick_surrogate_test_never_misses_one():
    assert not may_hold_lone_surrogate('{"a":"é\\u00e9\\ue000"}')
    for raw in ('{"a":"\\ud800"}', '{"a":"\\uDFFF"}', '{"a":"x\ud800"}'):
        assert may_hold_lone_surrogate(raw)
    assert may_hold_lone_surrogate(b'{"a":"\\udbff"}')
    cesu = b'{"a":"\xed\xa0\x80"}'  # json.loads decodes UTF-8 with surrogatepass: a lone surrogate
    import json
    assert json.loads(cesu)["a"] == "\ud800" and may_hold_lone_surrogate(cesu)
    assert not may_hold_lone_surrogate('{"a":"é"}'.encode())


def test_write_and_dumps():
    o = build(Outer, GOOD)
    assert write(o) == {"name": "ab", "inner": {"n": 2, "colour": "blue"}, "tags": ["x"], "maybe": None,
                        "kept": 3, "any_obj": None, "flag": False}
    assert dumps({"a": "é"}) == '{"a":"é"}'
    assert dumps({"a": "\ud800"}) == '{"a":"\\ud800"}'  # still sendable as UTF-8

