"""The renderer writes the score's safety block to the bundle's private dot-file, not to the manifest."""

import json

from flashmob.contract.bundle import load_bundle
from flashmob.conductor.files import safe_path
from flashmob.contract.safety import SAFETY_FILE, read_safety_file
from flashmob.tools.render.bundle import RenderOptions, render_bundle

from .conftest import CLICKS_SCORE

SAFETY = """safety:
  expected: 120
  stewards: {count: 3, lead: "Chief Steward, +33 6 11 22 33 44"}
  exits: [North gate]
  console: "Console Holder, +33 6 55 66 77 88"
"""


def test_safety_goes_to_the_private_file_only(clicks_score, tmp_path):
    score = tmp_path / "safe.yaml"
    (tmp_path / "click.wav").write_bytes(open(clicks_score.replace("clicks.yaml", "click.wav"), "rb").read())
    score.write_text(CLICKS_SCORE.replace("groups:", SAFETY + "groups:", 1), encoding="utf-8")
    out = tmp_path / "bundle"
    render_bundle(str(score), str(out), RenderOptions(workers=1))
    safety = read_safety_file(out)
    assert safety.expected == 120 and safety.stewards.count == 3 and safety.exits == ("North gate",)
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert "+33 6" not in manifest and "Console Holder" not in manifest and "safety\": {" not in manifest
    assert SAFETY_FILE not in load_bundle(out).files  # not a file of the show phones fetch
    assert safe_path(out, SAFETY_FILE) is None and safe_path(out, "manifest.json")  # never served
    # rendered again without the block: the file goes (it is the render's, not kept like the secret)
    score.write_text(CLICKS_SCORE, encoding="utf-8")
    render_bundle(str(score), str(out), RenderOptions(workers=1))
    assert read_safety_file(out) is None and json.loads((out / "manifest.json").read_text())["title"]


def test_a_score_without_safety_gives_no_file(clicks_bundle):
    assert read_safety_file(clicks_bundle) is None
