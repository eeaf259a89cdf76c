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


def test_running_for_20000_people_commands_are_real():
    """Every ``flashmob`` command of the section parses with today's flags; it names the pieces."""
    import shlex

    from flashmob.cli import build_parser

    section = re.search(r"^## Running for 20,000 people\n(.*?)(?=^## )", README, re.S | re.M).group(1)
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    assert blocks, "the section shows its commands"
    lines = " ".join(blocks).replace("\\\n", " ").splitlines()
    commands = [ln.strip() for ln in lines if ln.strip().startswith("flashmob ")]
    assert {c.split()[1] for c in commands} >= {"serve", "nginx"}
    parser = build_parser()
    for cmd in commands:
        argv = shlex.split(cmd.replace("$i", "1").split(" &")[0])[1:]
        args = parser.parse_args(argv)  # exits (SystemExit) on an unknown flag
        if args.command == "serve":
            assert args.redis and args.node_id and args.forwarded_allow_ips, cmd
    for needed in ("--redis", "docs/deploy.md", "sticky", ".flashmob-group-secret", "FLASHMOB_GROUP_SECRET",
                   "FLASHMOB_TOKEN", "immutable", "no-cache", "docs/benchmarks.md"):
        assert needed in section, needed
