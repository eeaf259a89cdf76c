"""The sign-up pages' JavaScript names the HTTP shapes of contract/signups.py and nothing else.

One definition (contract/signups.py), checked on the other side: the paths and
header the modules call exist, every field they read of a SignupInfo /
SignupView / SignupSummary is one of its fields, every value they compare is one
of the enum's.
"""

import dataclasses
import re
from pathlib import Path

from flashmob.contract import signups as s

JS = Path(__file__).resolve().parents[2] / "client_web" / "js"
PAGE = (JS / "signup.js").read_text(encoding="utf-8")
CONSOLE = (JS / "consolesignups.js").read_text(encoding="utf-8")


def fields(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_paths_and_header_are_the_conductors():
    from flashmob.conductor.signupapi import mount  # noqa: F401 - the routes below are its
    api = dict(re.findall(r"(\w+): '(/api/[^']+)'", PAGE + CONSOLE))
    assert api == {"INFO": "/api/signup", "ME": "/api/signup/me", "CALENDAR": "/api/signup/me/calendar",
                   "SUMMARY": "/api/signups", "CSV": "/api/signups.csv"}
    routes = Path(JS.parents[1] / "conductor" / "signupapi.py").read_text(encoding="utf-8")
    for path in api.values():
        assert f'"{path}"' in routes
    assert f"export const KEY_HEADER = '{s.KEY_HEADER}';" in PAGE


def test_fields_read_are_fields_of_the_records():
    info = set(re.findall(r"\binfo\??\.(\w+)", PAGE))
    view = set(re.findall(r"\bv\.(\w+)", PAGE)) | set(re.findall(r"r\.data\??\.(key)\b", PAGE))
    summary = set(re.findall(r"\bs\.(\w+)", CONSOLE)) - {"groups"}
    group = set(re.findall(r"\bg\.(\w+)", CONSOLE))
    assert info and info <= fields(s.SignupInfo), info - fields(s.SignupInfo)
    assert view and view <= fields(s.SignupView), view - fields(s.SignupView)
    assert summary and summary <= fields(s.SignupSummary), summary - fields(s.SignupSummary)
    assert group <= fields(s.GroupCount)
    sent = set(re.findall(r"body\.(\w+) =", PAGE)) | {"name", "consent"}
    assert sent <= fields(s.SignupRequest)


def test_values_compared_are_the_enums():
    compared = set(re.findall(r"\.(?:status|email) [!=]== '(\w+)'", PAGE))
    assert compared and compared <= {v.value for v in s.Status} | {v.value for v in s.EmailRule}


def test_every_sign_up_string_exists_in_french_and_english():
    text = (JS / "signuptexts.js").read_text(encoding="utf-8")
    en, fr = text.split("\n  fr: {")
    keys = lambda block: set(re.findall(r"\b(su_\w+):", block))  # noqa: E731
    assert keys(en) == keys(fr) and len(keys(en)) > 20
    from flashmob.conductor.signupapi import SignupService

    html = (JS.parent / "signup.html").read_text(encoding="utf-8")
    used = (set(re.findall(r"'(su_\w+)'", PAGE)) | set(re.findall(r'data-t="(su_\w+)"', html))
            | {f"su_closed_{c}" for c in SignupService.CLOSED})  # the page shows t(`su_closed_${info.closed}`)
    assert used <= keys(en), used - keys(en)
