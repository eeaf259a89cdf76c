"""The wheel works outside this checkout (setup.py, pyproject.toml's [tool.flashmob.wheel]).

One module-scoped build: the repository's files are copied to a temporary folder
(so the build leaves nothing in the checkout), built into a wheel with
``python -m build`` (sdist, then the wheel from the sdist: the sdist must be
complete too) or, where the ``build`` package is not installed, with pip's own
PEP 517 front end; the wheel is installed with ``--no-deps`` into a fresh venv
that borrows this venv's dependencies through a .pth file holding their folder
as a plain path line (plain lines do not run the .pth files found there, so the
checkout's editable finder is not loaded). Then, from a folder outside the
checkout: ``flashmob`` is imported from the new venv, ``flashmob render`` renders
a small score, ``flashmob qr`` prints its kit and ``flashmob dossier`` its file for the authorities with
the shipped fonts, and
``flashmob serve`` (real uvicorn, loopback) serves the real web client, byte for
byte the checkout's ``client_web/``. An editable install of the same copy (what
``make`` does) maps the same names onto the folders.
"""

from __future__ import annotations

import importlib.util
import os
import queue
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
import tomllib
import zipfile
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["flashmob"]["wheel"]
NOT_SHIPPED = {"flashmob", "tests", "bench"}  # top-level packages that stay out of the wheel (flashmob is its root)

SCORE = """\
flashmob: 1
title: Wheel — Apéro géant à Besançon
language: en
organizer: {name: Wheel Crew, contact: crew@example.org}
event:
  place: Town square
  date: 2026-12-05
  time: 18:00
  timezone: Europe/Paris
groups:
  red:  {name: Reds, colour: "#d32f2f"}
  blue: {name: Blues, colour: "#1976d2"}
assets:
  gong: assets/gong.flac
cues:
  - at: 0:01
    sound: gong
    show: Look around
  - at: 0:04
    end: true
"""


def run(cmd, **kw):
    kw.setdefault("timeout", 300)
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{cmd}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    return r


def source_copy(dest: Path) -> Path:
    """The files git knows of (tracked, or new and not ignored), as in a fresh clone."""
    names = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, names):
        src = ROOT / name
        if src.is_file() and not src.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def build_wheel(src: Path, out: Path) -> Path:
    if importlib.util.find_spec("build") is not None:
        run([sys.executable, "-m", "build", "--outdir", str(out), str(src)])
    else:  # the same backend through pip's front end (the shared venv may predate the `build` dev dependency)
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(src)])
    (wheel,) = out.glob("flashmob-*.whl")
    return wheel


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def borrow(site: Path) -> None:
    """Give a venv this venv's dependencies: their folder as a plain line of a .pth file."""
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz-shared-venv.pth").write_text("".join(f"{p}\n" for p in sorted(shared)))


def site_of(venv: Path) -> Path:
    return Path(run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    env=clean_env()).stdout.strip())


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv folder, wheel path, work folder outside the checkout)."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(source_copy(tmp / "src"), tmp / "dist")
    shutil.rmtree(tmp / "src" / "build", ignore_errors=True)  # what the build left there
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps",
         "--no-index", "--quiet", str(wheel)])
    borrow(site_of(venv))
    work = tmp / "work"
    (work / "assets").mkdir(parents=True)
    shutil.copy(ROOT / "scores" / "assets" / "gong.flac", work / "assets" / "gong.flac")
    (work / "tiny.yaml").write_text(SCORE, encoding="utf-8")
    return venv, wheel, work


def test_every_top_level_package_is_shipped_or_left_out_on_purpose():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages - NOT_SHIPPED <= set(RULES["packages"]), \
        "a new top-level package: list it in pyproject.toml's [tool.flashmob.wheel] packages, or in NOT_SHIPPED"


def test_the_wheel_holds_the_packages_the_web_client_and_the_fonts(installed):
    _, wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not {n.split("/")[0] for n in names} - {"flashmob", wheel.name.split("-")[0] + "-" +
                                                   wheel.name.split("-")[1] + ".dist-info"}, \
        "only flashmob/ lands in site-packages"
    for name in RULES["packages"]:
        if (ROOT / name / "__init__.py").is_file():
            assert f"flashmob/{name}/__init__.py" in names
    for path in (ROOT / "client_web").rglob("*"):
        if path.is_file():
            assert f"flashmob/{path.relative_to(ROOT).as_posix()}" in names
    for font in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE_DEJAVU"):
        assert f"flashmob/tools/fonts/{font}" in names
    assert "flashmob/cli/__init__.py" in names and "flashmob/__main__.py" in names


def test_flashmob_is_imported_from_the_venv_not_the_checkout(installed):
    venv, _, work = installed
    code = ("import flashmob, flashmob.cli, flashmob.conductor, flashmob.tools, flashmob.tools.fonts as f\n"
            "from flashmob.conductor.webclient import client_dir\n"
            "for m in (flashmob, flashmob.cli, flashmob.conductor, flashmob.tools):\n"
            "    print(m.__file__)\n"
            "print(f.REGULAR); print(client_dir()); print(list(flashmob.__path__))\n"
            "import os; print(os.path.isfile(f.REGULAR), os.path.isfile(client_dir() / 'index.html'))")
    lines = run([str(venv / "bin" / "python"), "-c", code], cwd=work, env=clean_env()).stdout.split("\n")[:8]
    pkg = (venv / "lib").resolve()
    for line in lines[:6]:
        assert Path(line).resolve().is_relative_to(pkg), line
        assert not Path(line).resolve().is_relative_to(ROOT), line
    assert lines[6] == repr([str(Path(lines[0]).parent)]), "the installed shim adds no checkout folder"
    assert lines[7] == "True True", "the fonts and the web client are installed"


def test_render_qr_and_serve_from_the_wheel(installed):
    venv, _, work = installed
    flashmob = str(venv / "bin" / "flashmob")
    env = clean_env(FLASHMOB_TOKEN="wheel-test-console-token-0123456789")
    assert "usage: flashmob" in run([flashmob, "--help"], cwd=work, env=env).stdout
    version = run([str(venv / "bin" / "python"), "-m", "flashmob", "--version"], cwd=work, env=env).stdout.split()
    assert version == ["flashmob", installed[1].name.split("-")[1]]  # one version: flashmob/__init__.py's
    run([flashmob, "check", "tiny.yaml"], cwd=work, env=env)
    run([flashmob, "render", "tiny.yaml", "-o", "bundle", "-q"], cwd=work, env=env)
    assert (work / "bundle" / "manifest.json").is_file()

    qr = run([flashmob, "qr", "bundle", "--url", "http://127.0.0.1:8000", "-o", "print"], cwd=work, env=env)
    assert "files written" in qr.stdout
    pdfs = sorted((work / "print").glob("*.pdf"))
    assert pdfs, qr.stdout
    assert all(b"DejaVu" in p.read_bytes() for p in pdfs), "printed matter embeds the shipped DejaVu Sans"
    dossier = run([flashmob, "dossier", "bundle", "-o", "print"], cwd=work, env=env)
    assert "dossier written to" in dossier.stdout and b"DejaVu" in (work / "print" / "dossier.pdf").read_bytes()

    proc = subprocess.Popen([flashmob, "serve", "bundle", "--host", "127.0.0.1", "--port", "0", "--no-qr",
                             "--db", str(work / "state.sqlite"), "--log-level", "warning"],
                            cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
        port, seen, deadline = None, [], time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            seen.append(line)
            m = re.match(r"listening on 127\.0\.0\.1:(\d+)", line)
            port = int(m.group(1)) if m else None
        assert port, "serve did not start:\n" + "".join(seen)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            for url, path in (("/", "index.html"), ("/console", "console.html"), ("/js/engine.js", "js/engine.js"),
                              ("/js/participant.js", "js/participant.js"), ("/css/app.css", "css/app.css")):
                r = client.get(url)
                assert r.status_code == 200, (url, r.status_code)
                assert r.content == (ROOT / "client_web" / path).read_bytes(), f"{url} is not client_web/{path}"
            assert "javascript" in client.get("/js/engine.js").headers["content-type"]
            assert client.get("/bundle/manifest.json").json()["title"] == "Wheel — Apéro géant à Besançon"
    finally:
        proc.terminate()
        proc.wait(15)


def test_an_editable_install_maps_the_same_names_onto_the_folders(installed, tmp_path):
    """What `make` does (pip install -e): flashmob.conductor is the checkout's conductor/."""
    src = installed[1].parent.parent / "src"
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--no-deps", "--quiet",
         "-e", str(src)])
    borrow(site_of(venv))
    code = ("import flashmob.conductor as c, flashmob.cli as cli, flashmob.tools.fonts as f\n"
            "from flashmob.conductor.webclient import client_dir\n"
            "print(c.__file__); print(cli.__file__); print(f.REGULAR); print(client_dir())")
    lines = run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path, env=clean_env()).stdout.split()
    assert lines == [str(src / "conductor" / "__init__.py"), str(src / "flashmob" / "cli" / "__init__.py"),
                     str(src / "tools" / "fonts" / "DejaVuSans.ttf"), str(src / "client_web")]
