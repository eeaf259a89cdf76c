"""flashmob.conductor.strictjson: the generic strict reader/writer of typed JSON records."""

from enum import Enum

import pytest

from flashmob.conductor.strictjson import (Invalid, build, describe, dumps, items, nested, plain, record,
                                           refuse_unencodable, spec)


class Colour(str, Enum):
    RED = "red"
    BLUE = "blue"


@record
class Inner:
    n: int = spec(min=1)
    colour: Colour = Colour.RED


@record
class Outer:
    name: str = spec(min_len=1, max_len=5)
    inner: Inner
    tags: tuple[str, ...] = items(max_items=2)
    maybe: Inner | None = None
    kept: int = spec(0, required=True)  # a Python default, required in JSON all the same
    any_obj: dict | None = None
    flag: bool = False


GOOD = {"name": "ab", "inner": {"n": 2, "colour": "blue"}, "kept": 3, "tags": ["x"], "unknown": [1]}


def test_build_reads_every_type_and_ignores_unknown_fields():
    o = build(Outer, GOOD)
    assert o == Outer(name="ab", inner=Inner(n=2, colour=Colour.BLUE), kept=3, tags=("x",))
    assert o.inner.colour is Colour.BLUE


@pytest.mark.parametrize("change, message", [
    ({"name": ""}, "name: expected at least 1 characters"),
    ({"name": "abcdef"}, "name: expected at most 5 characters"),
    ({"inner": {"n": 0}}, "inner.n: expected an integer >= 1"),
    ({"inner": {"n": 1, "colour": "green"}}, "inner.colour: expected one of red, blue"),
    ({"inner": {"n": True}}, "inner.n: expected an integer"),
    ({"inner": {"n": 1.0}}, "inner.n: expected an integer"),
    ({"inner": {"n": 2**53}}, "inner.n: expected an integer within"),
    ({"tags": ["a", "b", "c"]}, "tags: expected at most 2 items"),
    ({"tags": [1]}, r"tags[0]: expected a string"),
    ({"inner": None}, "inner: expected a value"),
    ({"flag": 1}, "flag: expected true or false"),
    ({"any_obj": []}, "any_obj: expected an object"),
])
def test_refusals_name_the_field_and_what_was_expected(change, message):
    with pytest.raises(Invalid) as info:
        build(Outer, {**GOOD, **change})
    assert info.value.message.startswith(message)


def test_required_fields_even_with_a_python_default():
    for name in ("name", "inner", "kept"):
        with pytest.raises(Invalid, match=rf"^{name}: missing \(required\)"):
            build(Outer, {k: v for k, v in GOOD.items() if k != name})
    assert Outer(name="a", inner=Inner(n=1)).kept == 0


def test_deep_values_in_an_object_field_are_checked_without_recursion():
    deep: object = "ok"
    for _ in range(50_000):
        deep = {"x": [deep]}
    refuse_unencodable(deep)  # iterative: no RecursionError
    assert build(Outer, {**GOOD, "any_obj": deep}).any_obj is deep


def test_lone_surrogates_are_refused_values_and_keys():
    with pytest.raises(Invalid, match="a.b: text with a lone UTF-16 surrogate"):
        refuse_unencodable({"a": {"b": "x\ud800"}})
    with pytest.raises(Invalid, match="key with a lone UTF-16 surrogate"):
        refuse_unencodable({"\udfff": 1})
    refuse_unencodable({"a": ["\u0000\u202e\uffff", "é"]})  # valid Unicode passes


def test_plain_and_dumps():
    o = build(Outer, GOOD)
    assert plain(o) == {"name": "ab", "inner": {"n": 2, "colour": "blue"}, "tags": ["x"], "maybe": None,
                        "kept": 3, "any_obj": None, "flag": False}
    assert dumps({"a": "é"}) == '{"a":"é"}'
    assert dumps({"a": "\ud800"}) == '{"a":"\\ud800"}'  # still sendable as UTF-8


def test_describe_and_nested():
    d = describe(Outer)
    assert list(d) == ["name", "inner", "tags", "maybe", "kept", "any_obj", "flag"]
    assert d["name"] == {"t": "str", "req": True, "nul": False, "minLen": 1, "maxLen": 5}
    assert d["inner"] == {"t": "Inner", "req": True, "nul": False}
    assert d["tags"] == {"t": "list", "req": False, "nul": False, "of": "str", "maxItems": 2}
    assert d["maybe"] == {"t": "Inner", "req": False, "nul": True}
    assert d["kept"]["req"] is True
    assert describe(Inner)["colour"] == {"t": "str", "req": False, "nul": False, "choices": ["red", "blue"]}
    assert nested(Outer) == [Inner]
