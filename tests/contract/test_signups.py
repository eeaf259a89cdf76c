"""contract/signups.py: the settings file's one writer and reader, the request parser, the surprise rule."""

import json

import pytest

from flashmob.contract.records import RecordError
from flashmob.contract.signups import (FORMAT, SIGNUP_FILE, EmailRule, SignupFileError, SignupSettings,
                                       groups_public, parse_request, read_signup_settings, settings_json)


def test_the_settings_file_round_trips_and_is_optional(tmp_path):
    s = SignupSettings(format=FORMAT, version=1, privacy="We keep names.", email=EmailRule.OPTIONAL, capacity=9)
    assert list(settings_json(s)) == ["format", "version", "privacy", "email", "capacity", "keep_days"]
    (tmp_path / SIGNUP_FILE).write_text(json.dumps(settings_json(s)))
    assert read_signup_settings(tmp_path) == s and s.keep_days == 30
    assert read_signup_settings(tmp_path / "nowhere") is None


@pytest.mark.parametrize("content, named", [
    ('{"format": "flashmob-signups", "version": 1}', "privacy"),
    ('{"format": "flashmob-signups", "version": 2, "privacy": "x"}', "version"),
    ('{"format": "flashmob-signups", "version": 1, "privacy": "x", "keep_days": 400}', "keep_days"),
    ('{"format": "flashmob-signups", "version": 1, "privacy": "x", "email": "maybe"}', "email"),
    ("not json", "render the show again"),
])
def test_a_bad_settings_file_is_named(tmp_path, content, named):
    (tmp_path / SIGNUP_FILE).write_text(content)
    with pytest.raises(SignupFileError) as exc:
        read_signup_settings(tmp_path)
    assert SIGNUP_FILE in str(exc.value) and named in str(exc.value)


def test_requests_are_parsed_with_the_wires_wording():
    assert parse_request({"name": "Ana", "consent": True}).email is None
    with pytest.raises(RecordError) as exc:
        parse_request({"name": "", "consent": True})
    assert exc.value.message.startswith("name:")
    with pytest.raises(RecordError):
        parse_request({"name": "Ana"})  # consent is required


def test_groups_are_public_unless_a_surprise():
    assert groups_public(None) and groups_public({"title": "x"}) and groups_public({"surprise": None})
    assert not groups_public({"surprise": {"reveal_ms": 60000}}) and not groups_public({"surprise": {}})
