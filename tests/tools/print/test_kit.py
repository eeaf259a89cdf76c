"""`flashmob qr`'s work as a whole: every file written, every code decoded, and
clear errors before anything is written."""

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from flashmob.conductor import messages as m
from flashmob.conductor.app import ServerConfig, build_conductor
from flashmob.tools.print.errors import PrintError
from flashmob.tools.print.kit import KitOptions, make_kit

from .conftest import PUBLIC, decode_all, make_bundle, pdf_pages, pdf_text

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)


def decode_file(path: Path) -> list[str]:
    if path.suffix == ".svg":
        import resvg_py

        return decode_all(bytes(resvg_py.svg_to_bytes(svg_path=str(path), dpi=150)))
    return decode_all(path.read_bytes())


@pytest.fixture(scope="module")
def balanced(tmp_path_factory):
    root = tmp_path_factory.mktemp("balanced")
    bundle = make_bundle(root / "bundle")
    kit = make_kit(bundle, root / "out", KitOptions(public_url=PUBLIC, now=NOW), env={})
    return kit, root / "out"


def test_balanced_kit_files(balanced):
    kit, out = balanced
    assert sorted(p.name for p in kit.files) == sorted(
        ["join.png", "join.svg", "download-red.png", "download-red.svg", "download-blue.png", "download-blue.svg",
         "poster.pdf", "flyers.pdf", "downloads.pdf", "event.ics", "links.txt"])
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in kit.files)
    assert kit.secret_source is None and kit.warnings == []


def test_every_qr_image_decodes_to_its_exact_url(balanced):
    kit, out = balanced
    expected = {"join": kit.links.general}
    expected.update({f"download-{g.id}": g.download for g in kit.links.groups})
    for stem, url in expected.items():
        for ext in (".png", ".svg"):
            assert decode_file(out / (stem + ext)) == [url], stem + ext
    assert kit.links.general == "https://mob.example.org/"


def test_every_pdf_code_decodes(balanced):
    kit, out = balanced
    poster = pdf_pages((out / "poster.pdf").read_bytes(), dpi=72)
    assert [decode_all(p) for p in poster] == [[kit.links.general]]
    flyers = pdf_pages((out / "flyers.pdf").read_bytes(), dpi=110)
    assert [decode_all(p) for p in flyers] == [[kit.links.general] * 4]
    cards = pdf_pages((out / "downloads.pdf").read_bytes(), dpi=90)
    assert sorted(decode_all(cards[0])) == sorted(g.download for g in kit.links.groups)
    text = " ".join(pdf_text((out / "downloads.pdf").read_bytes())[0].split())
    assert "Press play at exactly 18:00:00 on Saturday 5 December 2026." in text


def test_calendar_and_index(balanced):
    import icalendar

    kit, out = balanced
    ev = icalendar.Calendar.from_ical((out / "event.ics").read_bytes()).walk("VEVENT")[0]
    assert ev.decoded("DTSTART") == dt.datetime(2026, 12, 5, 17, 0, tzinfo=dt.timezone.utc)
    assert str(ev["URL"]) == kit.links.general and str(ev["SUMMARY"]) == "Demo — Two Groups Meet"
    index = (out / "links.txt").read_text()
    assert f"--public-url {PUBLIC} --assign balanced" in index
    assert all(g.download in index for g in kit.links.groups)


CSV = "Nom;Pseudo;Groupe\nJosé Écrivain;@jose;Rouges\nΑλέξης Παπαδόπουλος;@alexis;\nАнастасия;@nastya;bleus\nBob;;\n"


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("fixed")
    bundle = make_bundle(root / "agitato", "scores/agitato.yaml", title="Apéro géant à Besançon")
    (root / "inscrits.csv").write_text(CSV, encoding="utf-8")
    opts = KitOptions(public_url=PUBLIC + "/", assign="fixed", badges=root / "inscrits.csv", now=NOW)
    kit = make_kit(bundle, root / "out", opts, env={})
    conductor, _, _ = build_conductor(ServerConfig(bundle_dir=bundle, token="test-token-0123456789", public_url=PUBLIC, assign="fixed"))
    return kit, root / "out", conductor


def test_fixed_kit_prints_the_conductors_group_urls(fixed):
    kit, out, conductor = fixed
    names = {p.name for p in kit.files}
    assert "join.png" not in names and "event.ics" not in names
    assert {"join-rouges.png", "join-bleus.svg", "event-rouges.ics", "event-bleus.ics", "badges.pdf"} <= names
    for g in kit.links.groups:
        assert decode_file(out / f"join-{g.id}.png") == [conductor.join_url(g.id)]
        assert decode_file(out / f"join-{g.id}.svg") == [conductor.join_url(g.id)]
    poster = pdf_pages((out / "poster.pdf").read_bytes(), dpi=72)
    assert [decode_all(p) for p in poster] == [[conductor.join_url("rouges")], [conductor.join_url("bleus")]]
    assert "Apéro géant à Besançon" in " ".join(pdf_text((out / "poster.pdf").read_bytes())[0].split())


def test_badges_put_each_phone_in_its_registrants_group(fixed):
    kit, out, conductor = fixed
    assert [(r.name, r.group) for r in kit.registrants] == [
        ("José Écrivain", "rouges"), ("Αλέξης Παπαδόπουλος", "rouges"), ("Анастасия", "bleus"), ("Bob", "bleus")]
    assert any("2 registrant(s) without a group were given one" in w for w in kit.warnings)
    urls = decode_all(pdf_pages((out / "badges.pdf").read_bytes(), dpi=150)[0])
    assert len(urls) == 4
    by_hint = {parse_qs(urlsplit(u).query).get("p", [None])[0]: u for u in urls}
    assert set(by_hint) == {"@jose", "@alexis", "@nastya", None}
    for r in kit.registrants:
        q = parse_qs(urlsplit(by_hint[r.handle]).query)
        adm, _, _ = conductor.core.admit(m.Hello(group=q["g"][0], group_token=q["k"][0]), conductor.now())
        assert adm.group == r.group
    text = " ".join(pdf_text((out / "badges.pdf").read_bytes())[0].split())
    assert "Αλέξης Παπαδόπουλος" in text and "ROUGES" in text


def test_qr_only_works_without_an_event_block(tmp_path):
    bundle = make_bundle(tmp_path / "b", event=None, organizer=None)
    kit = make_kit(bundle, tmp_path / "out", KitOptions(public_url=PUBLIC, qr_only=True, now=NOW), env={})
    assert all(p.suffix in (".png", ".svg", ".txt") for p in kit.files) and len(kit.files) == 7


def test_start_override_completes_an_event_without_date(tmp_path):
    bundle = make_bundle(tmp_path / "b", event={"place": "Square", "timezone": "Europe/Paris"})
    opts = KitOptions(public_url=PUBLIC, start="2026-12-24T23:30", now=NOW)
    kit = make_kit(bundle, tmp_path / "out", opts, env={})
    text = " ".join(pdf_text((tmp_path / "out" / "poster.pdf").read_bytes())[0].split())
    assert "23:30" in text and "Thursday" in text and "24 December 2026" in text
    assert any("safety" in w for w in kit.warnings)


def written_nothing(tmp_path) -> bool:
    return not (tmp_path / "out").exists()


def test_missing_event_block_is_a_clear_error_and_nothing_is_written(tmp_path):
    bundle = make_bundle(tmp_path / "b", event=None)
    with pytest.raises(PrintError) as exc:
        make_kit(bundle, tmp_path / "out", KitOptions(public_url=PUBLIC), env={})
    text = str(exc.value)
    assert text.startswith("cannot print the poster, flyers and calendar of this show:")
    assert "no event block" in text and "--start" in text and "--qr-only" in text
    assert written_nothing(tmp_path)


def test_missing_contact_is_a_clear_error(tmp_path):
    bundle = make_bundle(tmp_path / "b", organizer={"name": "Crew", "contact": None})
    with pytest.raises(PrintError, match="the organizer has no contact"):
        make_kit(bundle, tmp_path / "out", KitOptions(public_url=PUBLIC), env={})
    assert written_nothing(tmp_path)


def test_not_a_bundle(tmp_path):
    with pytest.raises(PrintError, match="is not a show bundle: manifest.json not found"):
        make_kit(tmp_path, tmp_path / "out", KitOptions(public_url=PUBLIC), env={})
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "something-else"}))
    wrong_format = 'is not a usable show bundle: manifest.json: format must be "flashmob-bundle"'
    with pytest.raises(PrintError, match=wrong_format):
        make_kit(tmp_path, tmp_path / "out", KitOptions(public_url=PUBLIC), env={})
    assert written_nothing(tmp_path)


@pytest.mark.parametrize("csv,needle", [
    ("name,handle,group\nAnn,@ann,red\nBob,@bob,green\n", "people.csv:3: unknown group 'green'"),
    ("name,handle,group\nAnn,@ann,red\n", "people.csv:2: Ann has group 'red', but a conductor in balanced"),
    ("name,handle\n,@nobody\n", "people.csv:2: the name is empty"),
])
def test_bad_registrants(tmp_path, csv, needle):
    bundle = make_bundle(tmp_path / "b")
    (tmp_path / "people.csv").write_text(csv)
    with pytest.raises(PrintError) as exc:
        make_kit(bundle, tmp_path / "out", KitOptions(public_url=PUBLIC, badges=tmp_path / "people.csv"), env={})
    assert needle in str(exc.value)
    assert written_nothing(tmp_path)


def test_url_problems(tmp_path):
    bundle = make_bundle(tmp_path / "b")
    with pytest.raises(PrintError, match="--url: the public URL must start with https://"):
        make_kit(bundle, tmp_path / "out", KitOptions(public_url="mob.example.org"), env={})
    kit = make_kit(bundle, tmp_path / "o1", KitOptions(public_url="http://192.168.1.20:8000", qr_only=True), env={})
    assert any("plain http" in w for w in kit.warnings)
    kit = make_kit(bundle, tmp_path / "o2", KitOptions(public_url="http://127.0.0.1:8000", qr_only=True), env={})
    assert any("only works on this machine" in w for w in kit.warnings)


def test_glyphs_the_font_lacks_are_reported(tmp_path):
    bundle = make_bundle(tmp_path / "b")
    (tmp_path / "people.csv").write_text("name,handle\n山田太郎,@yamada\nAnn,@ann\n", encoding="utf-8")
    kit = make_kit(bundle, tmp_path / "out", KitOptions(public_url=PUBLIC, badges=tmp_path / "people.csv",
                                                        qr_only=True), env={})
    assert any(w.startswith("people.csv:2: the bundled font cannot draw") for w in kit.warnings)


def test_docs_name_every_file_the_kit_writes(balanced, fixed):
    doc = (Path(__file__).resolve().parents[3] / "docs" / "print.md").read_text(encoding="utf-8")
    names = {p.name for p in balanced[0].files} | {p.name for p in fixed[0].files}
    for name in names:
        generic = name
        for gid in ("red", "blue", "rouges", "bleus"):
            generic = generic.replace(f"-{gid}.", "-GROUP.")
        assert f"`{generic}`" in doc, generic
