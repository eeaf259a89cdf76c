"""flashmob/cli/__init__.py: every command is wired, the entry points agree, help stays light."""

import subprocess
import sys
from pathlib import Path

import flashmob.cli as cli

ROOT = Path(__file__).resolve().parents[2]


def py(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_every_command_module_is_wired():
    modules = {p.stem for p in (ROOT / "flashmob" / "cli").glob("*.py")} - {"__init__", "common"}
    assert {m.__name__.rpartition(".")[2] for m in cli.COMMANDS} == modules
    assert [m.NAME for m in cli.COMMANDS] == ["check", "plan", "schema", "render", "voices", "script", "serve",
                                              "qr", "dossier", "report"]


def test_help_imports_no_heavy_part():
    r = py("-c", "import sys, flashmob.cli as c; c.build_parser().format_help(); "
                 "print(sorted(m for m in ('fastapi', 'uvicorn', 'numpy', 'flashmob.conductor.app', "
                 "'flashmob.tools.render.bundle') if m in sys.modules))")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_the_entry_points_are_one_command_line():
    from flashmob.conductor.limits import limits_text

    top = py("-m", "flashmob", "--help")
    assert top.returncode == 0 and "COMMAND" in top.stdout and "serve" in top.stdout
    for argv in (["-m", "flashmob", "serve", "--help"], ["-m", "flashmob.conductor", "serve", "--help"]):
        r = py(*argv)
        assert r.returncode == 0, r.stderr
        assert limits_text() in r.stdout  # the lazy epilog is computed for --help
        assert "installed with flashmob" in " ".join(r.stdout.split())  # --client-dir's default
    assert py("-m", "flashmob").returncode == 2  # no command: usage on stderr
