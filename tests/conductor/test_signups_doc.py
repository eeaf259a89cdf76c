"""docs/signups.md: its JSON examples are records of contract/signups.py, its numbers the code's."""

import json
import re
from pathlib import Path

from flashmob.contract.records import parse
from flashmob.contract.signups import CSV_COLUMNS, SignupSummary, SignupView, parse_request
from flashmob.conductor import signupapi, signups

DOC = (Path(__file__).resolve().parents[2] / "docs" / "signups.md").read_text(encoding="utf-8")


def test_json_examples_parse_as_the_records():
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", DOC, re.S)]
    assert len(blocks) == 4
    parse_request(blocks[0])
    for b in blocks[1:3]:
        parse(SignupView, b)
    parse(SignupSummary, blocks[3])
    assert ",".join(CSV_COLUMNS) in DOC


def test_numbers_are_the_codes():
    assert f"{signups.SIGNUP_BURST} attempts at once" in DOC
    assert f"then {signups.SIGNUP_RATE_PER_MIN:g} per minute" in DOC
    assert f"{signups.SIGNUP_BURST + 60 * signups.SIGNUP_RATE_PER_MIN:g} sign-ups in an hour" in DOC
    assert f"every {signupapi.SWEEP_EVERY_S / 60:g} minutes" in DOC and f"{signupapi.MAX_BODY // 1024} KiB" in DOC
    assert f"{signups.MAX_ADDRESSES:,} addresses" in DOC
