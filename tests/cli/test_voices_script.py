"""`flashmob voices` and `flashmob script`, run as real processes."""

import csv
import io
import subprocess
import sys


def flashmob(*args):
    return subprocess.run([sys.executable, "-m", "flashmob", *args], capture_output=True, text=True, timeout=120)


def test_voices_lists_the_three_engines_with_french_espeak():
    r = flashmob("voices")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("piper — piper-tts") and "en_US-joe-medium" in r.stdout
    espeak = r.stdout.split("espeak — ", 1)[1]
    assert ", fr," in espeak.split("clips — ")[0].replace("\n  ", " ")
    assert "clips — " in r.stdout


def test_script_exports_every_spoken_line_in_time_order(tmp_path):
    out = tmp_path / "lines.csv"
    r = flashmob("script", "scores/demo.yaml", "-o", str(out))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0] == {"cue": "cue56", "groups": "red blue", "time": "0:03", "line": "56", "voice": "narrator",
                       "text": "Welcome to the demo flashmob. Keep your headphones on and listen.",
                       "record_as": "001-welcome-to-the-demo-flashmob-k.wav"}
    assert [r["record_as"][:3] for r in rows] == [f"{i:03d}" for i in range(1, len(rows) + 1)]
    assert [r["text"] for r in rows if r["cue"].startswith("gather.")] == ["3", "2", "1"]
    assert "Stop. Turn and face the centre." not in [r["text"] for r in rows]   # it has a recorded clip
