"""flashmob.tools.voices.espeak: real espeak-ng, French included, reproducible to the sample."""

import numpy as np
import pytest
from speech_checks import assert_speech

from flashmob.tools.voices.base import VoiceError, VoiceSettings
from flashmob.tools.voices.espeak import EspeakEngine

FR = "Bonjour à tous. Levez les bras maintenant, puis tournez à gauche."


@pytest.fixture(scope="module")
def engine():
    return EspeakEngine()


def test_version_and_voices(engine):
    assert engine.engine_version().startswith("espeak-ng 1.")
    voices = engine.available_voices()
    assert {"fr", "fr-be", "en-us", "en-gb", "de"} <= set(voices) and voices == sorted(voices)


def test_french_speech(engine):
    raw, rate = engine.render(FR, VoiceSettings(voice="fr"))
    assert rate == 22050
    assert_speech(FR, raw, rate)


def test_identical_output_every_time(engine):
    """libespeak-ng keeps hidden state between utterances; a fresh instance per call removes it."""
    s = VoiceSettings(voice="fr")
    first, _ = engine.render(FR, s)
    engine.render("Something else entirely, in between.", VoiceSettings(voice="en-us"))
    again, _ = engine.render(FR, s)
    assert np.array_equal(first, again)


def test_rate_pitch_language_and_variant_change_the_sound(engine):
    base, _ = engine.render(FR, VoiceSettings(voice="fr"))
    fast, _ = engine.render(FR, VoiceSettings(voice="fr", rate=1.6))
    assert len(fast) < 0.8 * len(base)
    high, _ = engine.render(FR, VoiceSettings(voice="fr", pitch=90))
    assert not np.array_equal(high[: len(base)], base[: len(high)])
    by_language, _ = engine.render(FR, VoiceSettings(language="fr-fr"))
    assert by_language.size > 0
    variant, _ = engine.render(FR, VoiceSettings(voice="fr+f3"))
    assert variant.size > 0 and not np.array_equal(variant, base)


@pytest.mark.parametrize(
    "settings, words",
    [
        (VoiceSettings(voice="klingon"), "no voice 'klingon'"),
        (VoiceSettings(voice=None, language=None), "needs a voice name or a language"),
        (VoiceSettings(voice="fr", speaker=1), "no speakers"),
    ],
)
def test_errors_are_voice_errors(engine, settings, words):
    with pytest.raises(VoiceError, match=words):
        engine.render("bonjour", settings)


def test_bad_library_path_is_a_voice_error():
    with pytest.raises(VoiceError, match="cannot load"):
        EspeakEngine("/nonexistent/libespeak-ng.so", "/tmp").engine_version()


def test_library_is_unloaded_after_each_utterance(engine):
    """The determinism mechanism: nothing keeps libespeak-ng mapped between utterances."""
    import ctypes
    import os

    engine.render("bonjour", VoiceSettings(voice="fr"))
    with pytest.raises(OSError):
        ctypes.CDLL(engine.library, mode=os.RTLD_NOLOAD | os.RTLD_LOCAL)
