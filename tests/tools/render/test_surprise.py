"""A surprise score rendered: the MP3 tags, the cover and the captions do not give a group away."""

import json
import os

import pytest
import soundfile as sf
from mutagen.id3 import ID3

from .conftest import CLICKS_SCORE, SR, click

WORDS = ("qzalpha", "qzbeta", "Alphas", "Betas")
SCORE = (CLICKS_SCORE.replace("  a: {name: Alphas", "  qzalpha: {name: Alphas")
         .replace("  b: {name: Betas", "  qzbeta: {name: Betas, symbol: heart")
         .replace("groups: a\n", "groups: qzalpha\n").replace("groups: b\n", "groups: qzbeta\n")
         .replace("cues:\n", "surprise:\n  reveal: meet\ncues:\n", 1)
         .replace("  - at: 29.99\n", "  - id: meet\n    at: 29.99\n"))


@pytest.fixture(scope="module")
def surprise_bundle(tmp_path_factory):
    from flashmob.tools.render.bundle import RenderOptions, render_bundle

    d = tmp_path_factory.mktemp("surprise")
    sf.write(d / "click.wav", click(), SR, subtype="FLOAT")
    (d / "score.yaml").write_text(SCORE, encoding="utf-8")
    out = str(d / "bundle")
    render_bundle(str(d / "score.yaml"), out, RenderOptions(workers=1))
    return out


def test_the_manifest_says_surprise_with_the_reveal_and_symbols(surprise_bundle):
    m = json.load(open(os.path.join(surprise_bundle, "manifest.json"), encoding="utf-8"))
    assert m["surprise"] == {"reveal_ms": 29990}
    assert [g["symbol"] for g in m["groups"]] == ["circle", "heart"]


def test_tags_cover_and_captions_name_no_group(surprise_bundle):
    m = json.load(open(os.path.join(surprise_bundle, "manifest.json"), encoding="utf-8"))
    covers, apics = set(), set()
    for g in m["groups"]:
        tags = ID3(os.path.join(surprise_bundle, g["mp3"]["path"]))
        assert tags["TIT2"].text == ["Clicks — Apéro"]
        assert "TXXX:FLASHMOB_GROUP" not in tags and tags["TXXX:FLASHMOB_SURPRISE"].text == ["1"]
        every_text = tags.pprint()
        assert not any(w in every_text for w in WORDS), every_text
        apics.add(tags["APIC:cover"].data)
        covers.add(open(os.path.join(surprise_bundle, g["cover"]), "rb").read())
        vtt = open(os.path.join(surprise_bundle, g["captions"]), encoding="utf-8").read()
        assert not any(w in vtt for w in WORDS) and "\nc1\n" in vtt
    assert len(covers) == 1 and covers == apics  # one neutral cover for every group


def test_the_conductors_views_of_the_rendered_bundle_name_no_group(surprise_bundle):
    from flashmob.contract.bundle import load_bundle
    from flashmob.contract.manifest import manifest_json
    from flashmob.contract.surprise import views

    bundle = load_bundle(surprise_bundle)
    for view in views(bundle.manifest).values():
        text = json.dumps(manifest_json(view.manifest), ensure_ascii=False)
        assert not any(w in text for w in WORDS)
