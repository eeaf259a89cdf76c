"""tools/score/signups.py: the optional `signups` block reads like every other block."""

import jsonschema
import pytest

from flashmob.tools.score import ScoreError, read_score
from flashmob.tools.score.jsonschema import score_schema
from flashmob.tools.score.model import Signups
from flashmob.tools.score.source import parse_yaml, to_plain

HEAD = "flashmob: 1\ntitle: T\ngroups:\n  a: {}\n"
CUES = "cues:\n  - at: 0\n    end: true\n"
FULL = """signups:
  privacy: Your name prints your badge; deleted 30 days after the show. org@example.org
  email: optional
  capacity: 350
  keep_days: 14
"""


def read(block: str):
    return read_score(HEAD + block + CUES, "show.yaml", file_exists=lambda p: True)


def errors(block: str) -> list[str]:
    with pytest.raises(ScoreError) as e:
        read(block)
    return [str(d) for d in e.value.diagnostics]


def test_full_block_and_defaults():
    s = read(FULL).signups
    assert s == Signups(privacy="Your name prints your badge; deleted 30 days after the show. org@example.org",
                        email="optional", capacity=350, keep_days=14, loc=s.loc)
    assert (s.loc.line, s.loc.col) == (6, 3)
    assert read("").signups is None
    d = read("signups:\n  privacy: We keep your name.\n").signups
    assert (d.email, d.capacity, d.keep_days) == ("no", None, 30)
    assert read("signups:\n  privacy: x\n  email: no\n").signups.email == "no"


def test_every_mistake_is_reported_at_its_place_with_what_was_expected():
    assert errors("signups:\n  email: sometimes\n  capacity: 0\n  keep_days: forever\n  privcy: x\n") == [
        "show.yaml:6:3: error: the signups block is missing 'privacy' (say what is kept, why, for how long, "
        "and who to ask (docs/signups.md))",
        "show.yaml:6:10: error: 'email' must be no, optional or required (whether the sign-up page asks for an "
        "e-mail address), found 'sometimes'",
        "show.yaml:7:13: error: 'capacity' must be the number of places (a whole number) from 1 to 10000000, "
        "found '0'",
        "show.yaml:8:14: error: 'keep_days' must be a whole number of days after the show before sign-ups are "
        "deleted, found 'forever'",
        "show.yaml:9:3: error: unknown key 'privcy' in the signups block (did you mean 'privacy'?)",
    ]


def test_the_notice_fits_the_bundles_file():
    from flashmob.contract.signups import MAX_NOTICE

    got = errors(f"signups:\n  privacy: {'x' * (MAX_NOTICE + 1)}\n")
    assert got == [f"show.yaml:6:12: error: 'privacy' is {MAX_NOTICE + 1} characters long; at most {MAX_NOTICE} "
                   "(link to a longer policy instead)"]


def test_editor_schema_knows_the_block():
    v = jsonschema.Draft202012Validator(score_schema())
    assert list(v.iter_errors(to_plain(parse_yaml(HEAD + FULL + CUES)))) == []
    bad = to_plain(parse_yaml(HEAD + "signups:\n  email: sometimes\n  capacity: 0\n" + CUES))
    assert sorted(e.json_path for e in v.iter_errors(bad)) == ["$.signups", "$.signups.capacity", "$.signups.email"]
