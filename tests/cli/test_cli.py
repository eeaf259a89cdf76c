"""The flashmob command line, run as a real process."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest


def flashmob(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "flashmob", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


@pytest.mark.parametrize("score,summary", [
    ("scores/demo.yaml", "scores/demo.yaml: ok — 2 groups (Reds, Blues)"),
    ("scores/agitato.yaml", "scores/agitato.yaml: ok — 2 groups (Rouges, Bleus)"),
])
def test_check_valid_scores(score, summary):
    r = flashmob("check", score)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(summary) and r.stdout.count("\n") == 1


def test_check_reports_every_error_on_stderr(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("flashmob: 1\ntitle: T\ngroups: {red: {}}\ncues:\n  - at: soon\n    say: hi\n"
                   "  - at: 5\n    sound: nothing\n", encoding="utf-8")
    r = flashmob("check", str(bad))
    assert r.returncode == 1 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"{bad}:5:9: error: 'at': expected a time")
    assert lines[1] == f"{bad}:8:12: error: unknown asset 'nothing': the score defines no assets (add it under 'assets:')"
    assert lines[2] == "2 errors found"


def test_check_missing_file_and_not_utf8(tmp_path):
    r = flashmob("check", str(tmp_path / "nope.yaml"))
    assert r.returncode == 1 and "cannot read the score: No such file or directory" in r.stderr
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("flashmob: 1\ntitle: Apéro\n".encode("latin-1"))
    r = flashmob("check", str(latin))
    assert r.returncode == 1 and f"{latin}:2:10: error: the score is not UTF-8 text" in r.stderr


def test_check_strict_turns_warnings_into_failure(tmp_path):
    s = tmp_path / "noend.yaml"
    s.write_text("flashmob: 1\ntitle: T\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n", encoding="utf-8")
    assert flashmob("check", str(s)).returncode == 0
    r = flashmob("check", "--strict", str(s))
    assert r.returncode == 1 and "warning: the score has no 'end' cue" in r.stderr


def test_plan_writes_svg_with_one_lane_per_group(tmp_path):
    out = tmp_path / "plan.svg"
    r = flashmob("plan", "scores/demo.yaml", "-o", str(out))
    assert r.returncode == 0, r.stderr
    root = ET.parse(out).getroot()
    lanes = [g.get("data-group") for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "lane"]
    assert lanes == ["red", "blue"]


def test_plan_speaks_the_scores_language_unless_told(tmp_path):
    texts = lambda p: {t.text for t in ET.parse(p).getroot().iter("{http://www.w3.org/2000/svg}text")}
    fr = tmp_path / "agitato.svg"
    assert flashmob("plan", "scores/agitato.yaml", "-o", str(fr)).returncode == 0     # language: fr
    assert "point de rencontre" in texts(fr) and "meeting point" not in texts(fr)
    assert flashmob("plan", "scores/agitato.yaml", "--lang", "en", "-o", str(fr)).returncode == 0
    assert "meeting point" in texts(fr)


def test_plan_png_and_bad_extension(tmp_path):
    png = tmp_path / "plan.png"
    assert flashmob("plan", "scores/demo.yaml", "-o", str(png)).returncode == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = flashmob("plan", "scores/demo.yaml", "-o", str(tmp_path / "plan.pdf"))
    assert r.returncode == 2 and "drawn as .svg or .png" in r.stderr


def test_schema_prints_json_schema():
    r = flashmob("schema")
    assert r.returncode == 0 and json.loads(r.stdout)["title"] == "flashmob score"


def test_help_lists_commands_and_no_command_is_a_usage_error():
    r = flashmob("--help")
    assert r.returncode == 0 and all(c in r.stdout for c in ("check", "plan", "schema"))
    assert flashmob().returncode == 2
    for cmd in ("check", "plan", "schema"):
        assert flashmob(cmd, "--help").returncode == 0
