"""flashmob.contract.records: one definition gives parser, writer and schema."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest

from flashmob.contract.records import (EXPECTED, MUST_BE, RecordError, _general, hints, kind_of, parse, record,
                                       rule_of, spec, write)


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



class Colour(str, Enum):
    RED = "red"
    BLUE = "blue"


@record
class Many:
    """One field of every kind and rule the compiled parser has a common case for."""

    i: int | None = spec(default=None, minimum=0, maximum=9)
    j: int = spec(default=0)
    s: str | None = spec(default=None, min_length=1, max_length=4)
    p: str = spec(default="a", pattern=r"^[a-z]+$")
    c: str = spec(default="red", enum=("red", "blue"))
    e: Colour = Colour.RED
    b: bool = False
    o: dict | None = None
    a: Any = None
    li: tuple[int, ...] = spec(default=(), minimum=0, maximum=3, max_items=2)
    ls: tuple[str, ...] = ()
    r: Inner | None = None
    rs: tuple[Inner, ...] = spec(default=(), min_items=1)
    f: float = 0.0


VALUES = [None, True, False, 0, 1, -1, 5, 10, 2**53, -2**53, 2**53 - 1, 1.5, 1.0, float("inf"), "", "a", "abc",
          "ABCDEF", "red", "blue", "green", [], [1], [0, 3], [1, 2, 3], [4], ["a"], [True], [{"n": 1}], [{"n": 0}],
          [{}], [1, {"n": 1}], {}, {"n": 1}, {"n": 0}]


@pytest.mark.parametrize("wording", [MUST_BE, EXPECTED])
def test_the_compiled_parser_agrees_with_the_general_checker(wording):
    """The inline common cases (records.py's first strategy) never accept what the reference checker
    refuses, and give the same value; a refusal has the same message."""
    for f in dataclasses.fields(Many):
        kind, rule = kind_of(hints(Many)[f.name]), rule_of(f)
        for v in VALUES:
            try:
                want = ("ok", _general(kind, rule, wording, v, "", f.name))
            except RecordError as exc:
                want = ("refused", exc.message)
            try:
                got = ("ok", getattr(parse(Many, {f.name: v}, wording=wording), f.name))
            except RecordError as exc:
                got = ("refused", exc.message)
            assert got == want and type(got[1]) is type(want[1]), (f.name, v)
