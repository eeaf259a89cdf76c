"""`flashmob dossier`, run as a real process on a really rendered bundle (and `check` on a bad safety block)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import soundfile as sf

SCORE = """flashmob: 1
title: Tambours — Place du Marché
organizer: {name: Les Tambours, contact: "+33 6 10 20 30 40"}
language: fr
event:
  place: Place du Marché, Lyon
  date: 2026-09-19
  time: "17:00"
  timezone: Europe/Paris
  meeting_point: Devant la halle
safety:
  expected: 80
  stewards: {count: 4, lead: "Jo Martin, 06 11 22 33 44"}
  first_aid: Pharmacie de la place, ouverte
  water: Fontaine Wallace
  exits: [Rue Mercière, Quai Saint-Antoine]
  console: "Sam Leroy, 06 55 66 77 88"
signups:
  privacy: Votre pseudo imprime votre badge et compte les participants ; effacé 30 jours après.
groups:
  a: {name: Tambours, colour: red}
  b: {name: Cymbales, colour: blue}
assets:
  hit: hit.wav
cues:
  - at: 1
    sound: hit
    show: Frappez dans vos mains
  - at: 4
    sound: hit
    groups: b
    show: Levez les bras
  - at: 8
    end: true
"""


ROOT = Path(__file__).resolve().parents[2]


def flashmob(*args):
    """The command run from the checkout, so that its code is the one tested (paths: absolute)."""
    return subprocess.run([sys.executable, "-m", "flashmob", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, timeout=180)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    d = tmp_path_factory.mktemp("dossier")
    hit = np.zeros(4410, np.float32)
    hit[:4] = [0.9, -0.6, 0.3, -0.1]
    sf.write(d / "hit.wav", hit, 44100, subtype="FLOAT")
    (d / "show.yaml").write_text(SCORE, encoding="utf-8")
    r = flashmob("render", d / "show.yaml", "-o", d / "bundle", "-q")
    assert r.returncode == 0, r.stderr
    return d


def text_of(path) -> str:
    doc = pdfium.PdfDocument(str(path))
    return " ".join(" ".join(p.get_textpage().get_text_range().split()) for p in doc)


def test_dossier_of_a_rendered_show(rendered):
    r = flashmob("dossier", rendered / "bundle", "-o", rendered / "out")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"dossier written to {rendered / 'out' / 'dossier.pdf'}" and r.stderr == ""
    text = text_of(rendered / "out" / "dossier.pdf")
    for fact in ("Dossier de la manifestation pour les autorités", "Les Tambours", "+33 6 10 20 30 40",
                 "samedi 19 septembre 2026", "17:00 (heure de Paris)", "Place du Marché, Lyon",
                 "Devant la halle", "80 participants", "4 bénévoles", "Jo Martin, 06 11 22 33 44",
                 "Pharmacie de la place", "Fontaine Wallace", "Rue Mercière; Quai Saint-Antoine",
                 "Sam Leroy, 06 55 66 77 88", "17:00:01 tous Frappez dans vos mains",
                 "17:00:04 Cymbales Levez les bras"):
        assert fact in text, fact


def test_lang_and_capacity_options(rendered):
    r = flashmob("dossier", rendered / "bundle", "-o", rendered / "out-en", "--lang", "en", "--capacity", "120")
    assert r.returncode == 0, r.stderr
    text = text_of(rendered / "out-en" / "dossier.pdf")
    assert "Event file for the authorities" in text and "Saturday 19 September 2026" in text
    assert "120 participants, the admission limit of the conductor (flashmob serve --capacity 120)" in text
    assert "Organizer's estimate 80" in text


def test_missing_facts_go_to_stderr_too(rendered):
    r = flashmob("dossier", rendered / "bundle", "-o", rendered / "out-start", "--start", "2026-09-19T17:00")
    assert r.returncode == 0 and r.stderr == ""  # --start with the score's timezone: nothing missing
    # without the safety file (a score without the block): the dossier says what to add
    (rendered / "bundle" / ".flashmob-safety.json").rename(rendered / "safety.json")
    try:
        r = flashmob("dossier", rendered / "bundle", "-o", rendered / "out-bare")
    finally:
        (rendered / "safety.json").rename(rendered / "bundle" / ".flashmob-safety.json")
    assert r.returncode == 0
    lines = r.stderr.splitlines()
    assert lines[0] == "2 fact(s) to complete by hand or in the score (listed at the end of the dossier):"
    assert lines[1].startswith("  - La participation attendue\u00a0: ajoutez `expected:` au bloc `safety:`")
    assert lines[2].startswith("  - Le dispositif de sécurité\u00a0: la partition n’a pas de bloc `safety:`")


def test_usage_and_input_errors(rendered):
    r = flashmob("dossier", rendered / "bundle", "-o", rendered / "x", "--lang", "de")
    assert r.returncode == 2 and "invalid choice: 'de'" in r.stderr
    r = flashmob("dossier", rendered / "bundle", "-o", rendered / "x", "--capacity", "0")
    assert r.returncode == 2 and "expected at least 1" in r.stderr
    r = flashmob("dossier", rendered / "nowhere", "-o", rendered / "x")
    assert r.returncode == 1 and r.stderr.startswith("flashmob dossier: ") and "Traceback" not in r.stderr
    assert not (rendered / "x").exists()


def test_check_reports_a_broken_safety_block_at_its_place(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCORE.replace("  expected: 80\n", "  expected: beaucoup\n")
                   .replace("  water: Fontaine Wallace\n", "  eau: Fontaine Wallace\n"), encoding="utf-8")
    (tmp_path / "hit.wav").write_bytes(b"")
    r = flashmob("check", bad)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert f"{bad}:12:13: error: 'expected' must be the number of participants expected (a whole number), " \
           "found 'beaucoup'" in lines
    assert f"{bad}:15:3: error: unknown key 'eau' in the safety block; expected one of: console, exits, " \
           "expected, first_aid, stewards, water" in lines


def test_the_expected_attendance_from_the_consoles_signup_export(rendered, tmp_path):
    """A real conductor takes the sign-ups, its console exports the CSV, the dossier counts them."""
    import httpx

    sys.path.insert(0, str(ROOT / "tests" / "conductor"))
    from conductor_testkit import TOKEN, LiveServer
    from flashmob.conductor.app import ServerConfig, build_app

    server = LiveServer(build_app(ServerConfig(bundle_dir=rendered / "bundle", db_path=tmp_path / "state.sqlite",
                                               token=TOKEN, client_dir=tmp_path / "none"))).start()
    try:
        for name in ("Ana", "Bo", "Cy"):
            assert httpx.post(f"{server.url}/api/signup", json={"name": name, "consent": True}).status_code == 201
        csv_text = httpx.get(f"{server.url}/api/signups.csv", headers={"Authorization": f"Bearer {TOKEN}"}).text
    finally:
        server.stop()
    (tmp_path / "signups.csv").write_text(csv_text, encoding="utf-8")
    r = flashmob("dossier", rendered / "bundle", "-o", tmp_path / "out", "--lang", "en",
                 "--signups", tmp_path / "signups.csv", "--capacity", "120")
    assert r.returncode == 0, r.stderr
    text = text_of(tmp_path / "out" / "dossier.pdf")
    assert "3 participants, from the sign-ups (3 people signed up)" in text, text[:2000]
