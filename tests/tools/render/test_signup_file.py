"""The renderer writes the score's signups block to the bundle's settings file the conductor reads."""

import json

from flashmob.contract.bundle import load_bundle
from flashmob.conductor.files import safe_path
from flashmob.contract.signups import SIGNUP_FILE, EmailRule, read_signup_settings
from flashmob.tools.render.bundle import RenderOptions, render_bundle

from .conftest import CLICKS_SCORE

SIGNUPS = """signups:
  privacy: "Names print the badges; deleted 7 days after the show."
  email: required
  capacity: 40
  keep_days: 7
"""


def test_signups_go_to_the_settings_file(clicks_score, tmp_path):
    score = tmp_path / "signups.yaml"
    (tmp_path / "click.wav").write_bytes(open(clicks_score.replace("clicks.yaml", "click.wav"), "rb").read())
    score.write_text(CLICKS_SCORE.replace("groups:", SIGNUPS + "groups:", 1), encoding="utf-8")
    out = tmp_path / "bundle"
    render_bundle(str(score), str(out), RenderOptions(workers=1))
    s = read_signup_settings(out)
    assert (s.privacy, s.email, s.capacity, s.keep_days) == (
        "Names print the badges; deleted 7 days after the show.", EmailRule.REQUIRED, 40, 7)
    assert "signups" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert SIGNUP_FILE not in load_bundle(out).files and safe_path(out, SIGNUP_FILE) is None  # served as /api/signup
    score.write_text(CLICKS_SCORE, encoding="utf-8")  # rendered again without the block: no sign-ups
    render_bundle(str(score), str(out), RenderOptions(workers=1))
    assert read_signup_settings(out) is None
