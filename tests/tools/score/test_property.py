"""Whatever the input, reading and compiling a score raises ScoreError or succeeds.

Hypothesis feeds random YAML documents, random text, and random mutations of
the example scores (deleted/duplicated/swapped lines, replaced values,
inserted characters). Any other exception is a bug.
"""

import pathlib

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashmob.tools.score import ScoreError, compile_score, read_score

ROOT = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "scores").glob("*.yaml"))]
KEYS = ["flashmob", "title", "groups", "cues", "at", "after", "gap", "say", "sound", "music", "stop",
        "countdown", "end", "play", "repeat", "sections", "voices", "assets", "show", "vibrate", "until",
        "loop", "fade_in", "duck", "engine", "colour", "share", "id", "voice", "clip", "event", "length"]
VALUES = ["0", "1:30", "-1", "1:02:03.250", "90s", "no", "yes", "~", "[]", "{}", "null", "1e9",
          "99999999999999999999", "previous", "red", "blue", "gong", "'#fff'", "&a x", "*a", "!!str x",
          "[1, 2]", "{a: 1}", "\"\\u00e9\"", "0:05.5", "true", ".inf", "-.5"]
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def must_not_crash(text: str) -> None:
    try:
        score = read_score(text, "fuzz.yaml", str(ROOT / "scores"))
        compile_score(score)
    except ScoreError as exc:
        assert exc.diagnostics, "a ScoreError always carries its diagnostics"
        for d in exc.diagnostics:
            assert d.loc.line >= 1 and d.loc.col >= 1 and d.message


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.sampled_from(VALUES) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5),
    max_leaves=25)


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), yaml_values, max_size=8))
def test_random_yaml_documents(doc):
    must_not_crash(yaml.safe_dump(doc, allow_unicode=True))


@SETTINGS
@given(st.text(max_size=300))
def test_random_text(text):
    must_not_crash(text)


@st.composite
def mutated_example(draw):
    lines = draw(st.sampled_from(EXAMPLES)).splitlines()
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "value", "insert", "indent", "key"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "value" and ":" in lines[i]:
            head = lines[i].split(":", 1)[0]
            lines[i] = f"{head}: {draw(st.sampled_from(VALUES))}"
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.sampled_from(list(":-[]{}#&*!|>'\"\t ,%@`"))) + lines[i][pos:]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["", "  ", "    ", " "])) + lines[i].lstrip()
        elif op == "key" and ":" in lines[i]:
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            lines[i] = indent + draw(st.sampled_from(KEYS)) + ":" + lines[i].split(":", 1)[1]
        if not lines:
            break
    return "\n".join(lines) + "\n"


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated_example())
def test_mutated_example_scores(text):
    must_not_crash(text)
