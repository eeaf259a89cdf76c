"""flashmob.tools.voices.chunks and long lines in the synthesizer: no engine is given an unbounded input,
and an engine's failure is one line of text, never a traceback."""

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashmob.tools.voices import Synthesizer, VoiceError, VoiceSettings
from flashmob.tools.voices.chunks import MAX_CHUNK_CHARS, chunks
from flashmob.tools.voices.synth import PIECE_PAUSE_S


def test_short_text_is_kept_whole_as_written():
    assert chunks("  Hello there.  How are you?  ") == ["Hello there.  How are you?"]
    assert chunks("   ") == []


def test_long_text_is_cut_after_sentences_then_clauses_then_words():
    sentence = "This sentence is about forty-five characters. "
    assert chunks(sentence * 10) == [(sentence * 6).strip(), (sentence * 4).strip()]
    clause = "walk to the fountain, "
    pieces = chunks(clause * 20)            # no full stop at all: cut after commas
    assert all(p.endswith(",") for p in pieces[:-1]) and max(map(len, pieces)) <= MAX_CHUNK_CHARS
    assert chunks("word " * 100)[0] == ("word " * 60).strip()   # 299 characters, cut between words
    assert chunks("x" * 700) == ["x" * 300, "x" * 300, "x" * 100]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .,!?;:\n—é"), max_size=2000), st.integers(5, 400))
def test_pieces_are_bounded_non_empty_and_keep_every_word_in_order(text, limit):
    pieces = chunks(text, limit)
    assert all(p and p == p.strip() and len(p) <= limit for p in pieces)
    if len(text.strip()) <= limit:
        assert pieces == ([text.strip()] if text.strip() else [])
    else:
        assert "".join(" ".join(pieces).split()) == "".join(text.split())


class Recorder:
    """An engine that records what it is given and speaks 10 ms per character."""

    name = "espeak"

    def __init__(self, fail_on=None):
        self.inputs, self.fail_on = [], fail_on

    def engine_version(self):
        return "recorder 1"

    def available_voices(self):
        return []

    def identity(self, text, settings):
        return ""

    def render(self, text, settings):
        self.inputs.append(text)
        if self.fail_on and self.fail_on in text:
            raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code\n"
                               "  returned while running Expand node.\n  Name:'/dp/Expand'")
        return np.full(len(text) * 160, 0.25, np.float32), 16000


def test_a_line_of_twenty_thousand_words_reaches_the_engine_in_bounded_pieces():
    engine = Recorder()
    synth = Synthesizer({"espeak": engine}, None, 16000)
    text = "word " * 20_000
    samples, _ = synth.synthesize(text, VoiceSettings(engine="espeak", voice="x", peak_dbfs=None))
    assert max(len(t) for t in engine.inputs) <= MAX_CHUNK_CHARS
    assert " ".join(engine.inputs).split() == text.split()
    pauses = len(engine.inputs) - 1
    assert len(samples) == sum(len(t) * 160 for t in engine.inputs) + pauses * round(PIECE_PAUSE_S * 16000)


def test_a_short_line_goes_to_the_engine_whole():
    engine = Recorder()
    Synthesizer({"espeak": engine}, None, 16000).synthesize("Wave. At the other group!",
                                                            VoiceSettings(engine="espeak", voice="x"))
    assert engine.inputs == ["Wave. At the other group!"]


def test_an_engine_crash_becomes_one_line_voice_error():
    synth = Synthesizer({"espeak": Recorder(fail_on="boom")}, None, 16000)
    with pytest.raises(VoiceError) as info:
        synth.synthesize("It goes boom.", VoiceSettings(engine="espeak", voice="x"))
    assert str(info.value) == ("espeak failed: [ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero "
                               "status code returned while running Expand node. Name:'/dp/Expand'")
    assert isinstance(info.value.__cause__, RuntimeError)     # kept for --debug


@pytest.mark.parametrize("engine,settings", [
    ("espeak", VoiceSettings(engine="espeak", voice="en-us")),
    ("piper", VoiceSettings(engine="piper")),
])
def test_real_engines_speak_a_long_unpunctuated_line(engine, settings):
    """About 420 characters without a full stop (two pieces): spoken piece by piece at a human pace."""
    from flashmob.tools.voices import default_engines

    synth = Synthesizer(default_engines(), None, 22050)
    text = " ".join(["walk slowly towards the fountain and wave"] * 10)
    t0 = time.monotonic()
    samples, rate = synth.synthesize(text, settings)
    seconds = len(samples) / rate
    assert 8 < len(text) / seconds < 30      # a human pace: every piece was spoken
    assert time.monotonic() - t0 < 60
