"""contract/surprise.py: a phone's view lists only its group, under the alias, with nothing of the others."""

import json

from flashmob.contract.manifest import manifest_json, parse_manifest_json
from flashmob.contract.schema import manifest_schema
from flashmob.contract.surprise import ALIAS, participant_base, participant_view, reveal_group, views

import jsonschema


def surprise_manifest(demo: dict, reveal_ms=60_000) -> dict:
    return {**demo, "surprise": {"reveal_ms": reveal_ms}}


def test_the_view_is_a_manifest_of_one_aliased_group(demo):
    full = parse_manifest_json(surprise_manifest(demo))
    for g in full.groups:
        view = participant_view(full, g.id)
        doc = manifest_json(view.manifest)
        jsonschema.Draft202012Validator(manifest_schema()).validate(doc)  # the one schema
        assert parse_manifest_json(doc) == view.manifest  # the one parser reads it back
        (mine,) = view.manifest.groups
        assert (mine.id, mine.name, mine.colour, mine.symbol) == (ALIAS, ALIAS, "#888888", None)
        assert view.manifest.surprise == full.surprise
        # cue texts are the group's own content (the demo's say "You are in the blue group"): everything
        # else must not name any group
        bare = {**doc, "groups": [{**doc["groups"][0], "cues": [{**c, "text": None} for c in doc["groups"][0]["cues"]]}]}
        text = json.dumps(bare, ensure_ascii=False)
        for other in full.groups:  # no group id nor name anywhere, not even its own
            assert f'"{other.id}' not in text and f"/{other.id}" not in text and other.name not in text
        assert [c.id for c in mine.cues] == [f"c{i}" for i in range(1, len(g.cues) + 1)]
        assert [(c.start_ms, c.text) for c in mine.cues] == [(c.start_ms, c.text) for c in g.cues]
        assert set(view.files) == {"show.mp3", "captions.vtt", "cover.png"}
        assert view.files["show.mp3"] == g.mp3.path and view.files["cover.png"] == g.cover


def test_segments_get_neutral_names_and_keep_their_facts(demo):
    doc = surprise_manifest(demo)
    doc["groups"] = [dict(g, segments=[{"path": f"{g['id']}/seg/0000-abcdef012345.mp3", "first_sample": 0,
                                        "samples": 10, "bytes": 5, "sha256": "b" * 64}]) for g in doc["groups"]]
    full = parse_manifest_json(doc)
    view = participant_view(full, full.groups[1].id)
    (seg,) = view.manifest.groups[0].segments
    assert (seg.path, seg.bytes, seg.sha256) == ("seg/0000.mp3", 5, "b" * 64)
    assert view.files["seg/0000.mp3"] == f"{full.groups[1].id}/seg/0000-abcdef012345.mp3"


def test_other_groups_files_are_not_in_a_view(demo):
    full = parse_manifest_json(surprise_manifest(demo))
    all_views = views(full)
    a, b = (all_views[g.id] for g in full.groups[:2])
    assert set(a.files.values()).isdisjoint(b.files.values())


def test_reveal_group_has_name_colour_and_symbol(demo):
    doc = surprise_manifest(demo)
    doc["groups"][1]["symbol"] = "heart"
    full = parse_manifest_json(doc)
    first, second = reveal_group(full, full.groups[0].id), reveal_group(full, full.groups[1].id)
    assert (first.name, first.colour, first.symbol) == (full.groups[0].name, full.groups[0].colour, "circle")
    assert second.symbol == "heart"


def test_a_reveal_after_the_end_or_a_bad_symbol_is_refused(demo):
    import pytest
    from flashmob.contract.manifest import ManifestError

    with pytest.raises(ManifestError, match="surprise.reveal_ms .* is after the end"):
        parse_manifest_json(surprise_manifest(demo, reveal_ms=demo["duration"]["ms"] + 1))
    doc = surprise_manifest(demo)
    doc["groups"][0]["symbol"] = "blob"
    with pytest.raises(ManifestError, match=r"groups\[0\]\.symbol"):
        parse_manifest_json(doc)


def test_participant_base():
    assert participant_base("abc", "0123") == "/mine/abc/0123/"
