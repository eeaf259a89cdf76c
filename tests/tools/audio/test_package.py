"""flashmob.tools.audio: the DSP layer imports nothing else of the project (render/ and voices/
build on it, never the other way round), and nothing of the project imports the loose modules
it replaced."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
AUDIO = ROOT / "tools" / "audio"
MOVED = {"audio_errors", "decode", "encode", "pcm", "limiter", "loudness", "truepeak", "probe", "codec_check",
         "mp3info", "segments"}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            yield node.lineno, "." * node.level + (node.module or "")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def test_the_audio_package_imports_only_itself_of_the_project():
    bad = []
    for p in sorted(AUDIO.glob("*.py")):
        for line, name in _imports(p):
            outside_relative = name.startswith("..")
            outside_absolute = name.startswith("flashmob.") and not name.startswith("flashmob.tools.audio")
            if outside_relative or outside_absolute:
                bad.append(f"{p.relative_to(ROOT)}:{line}: {name}")
    assert not bad, "the audio package imports other project modules:\n" + "\n".join(bad)


def test_no_module_is_left_at_the_top_of_tools():
    assert not [m for m in MOVED if (ROOT / "tools" / f"{m}.py").exists()]
