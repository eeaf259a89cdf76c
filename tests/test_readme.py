"""The README's tour is true: its score checks with the output it shows."""

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_tour_score_checks_as_shown(tmp_path):
    score = re.search(r"```yaml\n(flashmob: 1.*?)```", README, re.S).group(1)
    shown = re.search(r"\$ flashmob check hello.yaml\n(.*?)\n", README).group(1)
    path = ROOT / "hello.yaml"  # the README puts it next to scores/
    path.write_text(score, encoding="utf-8")
    try:
        r = subprocess.run([sys.executable, "-m", "flashmob", "check", "hello.yaml"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    finally:
        path.unlink()
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == shown


def test_readme_names_the_two_commands():
    assert "make demo" in README and "make test" in README
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()
