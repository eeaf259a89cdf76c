"""`flashmob qr` for a surprise show: nothing printed for participants gives a group away; per-group
material is refused or written as organizers-only."""

import datetime as dt

import pytest

from flashmob.tools.print.errors import PrintError
from flashmob.tools.print.kit import KitOptions, make_kit

from .conftest import PUBLIC, decode_all, make_bundle, pdf_pages, pdf_text

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)
SURPRISE = {"surprise": {"reveal_ms": 60_000}}
GROUP_WORDS = ("Reds", "Blues", "/download/")


def test_balanced_surprise_kit_has_no_group_material(tmp_path):
    bundle = make_bundle(tmp_path / "bundle", **SURPRISE)
    kit = make_kit(bundle, tmp_path / "out", KitOptions(public_url=PUBLIC, now=NOW), env={})
    assert sorted(p.name for p in kit.files) == sorted(
        ["join.png", "join.svg", "poster.pdf", "flyers.pdf", "event.ics", "links.txt"])
    assert any("surprise: no download cards" in w for w in kit.warnings)
    for name in ("poster.pdf", "flyers.pdf"):
        text = " ".join(pdf_text((tmp_path / "out" / name).read_bytes())[0].split())
        assert "Demo" in text and not any(w in text for w in GROUP_WORDS), name
    for name in ("links.txt", "event.ics"):
        text = (tmp_path / "out" / name).read_text()
        assert not any(w in text for w in GROUP_WORDS), name
    assert decode_all((tmp_path / "out" / "join.png").read_bytes()) == [PUBLIC + "/"]


def test_fixed_surprise_kit_writes_join_codes_for_organizers_only(tmp_path):
    from flashmob.conductor.app import ServerConfig, build_conductor

    bundle = make_bundle(tmp_path / "bundle", **SURPRISE)
    kit = make_kit(bundle, tmp_path / "out", KitOptions(public_url=PUBLIC, assign="fixed", now=NOW), env={})
    names = sorted(p.name for p in kit.files)
    assert names == sorted(["organizers-only-join-red.png", "organizers-only-join-red.svg",
                            "organizers-only-join-blue.png", "organizers-only-join-blue.svg", "links.txt"])
    conductor, _, _ = build_conductor(ServerConfig(bundle_dir=bundle, token="test-token-0123456789",
                                                   public_url=PUBLIC, assign="fixed"))
    try:
        for g in ("red", "blue"):
            assert decode_all((tmp_path / "out" / f"organizers-only-join-{g}.png").read_bytes()) == \
                [conductor.join_url(g)]
    finally:
        conductor.close()
        conductor.state_lock.release()
    index = (tmp_path / "out" / "links.txt").read_text()
    assert index.count("ORGANIZERS ONLY") == 2 and "/download/" not in index
    assert any("organizers-only-join-GROUP" in w for w in kit.warnings)


def test_fixed_surprise_badges_are_refused_before_anything_is_written(tmp_path):
    bundle = make_bundle(tmp_path / "bundle", **SURPRISE)
    (tmp_path / "people.csv").write_text("name;handle;group\nAna;@ana;red\n", encoding="utf-8")
    opts = KitOptions(public_url=PUBLIC, assign="fixed", badges=tmp_path / "people.csv", now=NOW)
    with pytest.raises(PrintError, match="people.csv:2: the groups of this show are a surprise: Ana's badge QR "
                                         "code would carry the group"):
        make_kit(bundle, tmp_path / "out", opts, env={})
    assert not (tmp_path / "out").exists()


def test_balanced_surprise_badges_show_no_group(tmp_path):
    bundle = make_bundle(tmp_path / "bundle", **SURPRISE)
    (tmp_path / "people.csv").write_text("name;handle\nAna;@ana\nBo;@bo\n", encoding="utf-8")
    kit = make_kit(bundle, tmp_path / "out", KitOptions(public_url=PUBLIC, badges=tmp_path / "people.csv",
                                                        now=NOW), env={})
    text = " ".join(pdf_text((tmp_path / "out" / "badges.pdf").read_bytes())[0].split())
    assert "Ana" in text and not any(w.upper() in text.upper() for w in ("Reds", "Blues"))
    urls = decode_all(pdf_pages((tmp_path / "out" / "badges.pdf").read_bytes(), dpi=150)[0])
    assert len(urls) == 2 and not any("g=" in u for u in urls)
    assert kit.registrants


def test_the_dossier_of_a_surprise_show_is_marked_organizers_only(tmp_path):
    import re

    from flashmob.tools.print.dossierkit import DossierOptions, make_dossier

    def first_page(bundle, out, lang):
        result = make_dossier(bundle, out, DossierOptions(now=NOW, language=lang))
        return re.sub(r"[\s\u00a0\u202f]+", " ", pdf_text(result.path.read_bytes())[0].replace("\ufffe", ""))

    surprise = make_bundle(tmp_path / "surprise", **SURPRISE)
    plain = make_bundle(tmp_path / "plain")
    assert "ORGANIZERS ONLY: the groups of this show are a surprise" in first_page(surprise, tmp_path / "a", "en")
    assert "RÉSERVÉ AUX ORGANISATEURS" in first_page(surprise, tmp_path / "b", "fr")
    assert "ORGANIZERS ONLY" not in first_page(plain, tmp_path / "c", "en")


def test_fixed_surprise_badges_from_sign_up_ids_are_printed_without_group(tmp_path):
    """A sign-up's participant id says nothing of its group (conductor/tokens.py, keyed tags): such badges
    are printed in every mode, with no group name nor colour."""
    bundle = make_bundle(tmp_path / "bundle", **SURPRISE)
    pid = "abcdefghijKL" + "m" * 16
    (tmp_path / "export.csv").write_text(f"name,handle,group,participant_id\nAna,@ana,,{pid}\n", encoding="utf-8")
    kit = make_kit(bundle, tmp_path / "out", KitOptions(public_url=PUBLIC, assign="fixed",
                                                        badges=tmp_path / "export.csv", now=NOW), env={})
    urls = decode_all(pdf_pages((tmp_path / "out" / "badges.pdf").read_bytes(), dpi=150)[0])
    assert urls == [f"{PUBLIC}/?i={pid}"]
    text = " ".join(pdf_text((tmp_path / "out" / "badges.pdf").read_bytes())[0].split())
    assert "Ana" in text and not any(w.upper() in text.upper() for w in ("Reds", "Blues"))
    assert kit.registrants[0].participant == pid
