"""flashmob.tools.voices.piper_voice: the bundled English neural voice, deterministic, beside espeak."""

import shutil

import numpy as np
import pytest
from speech_checks import assert_speech

from flashmob.tools.voices.base import VoiceError, VoiceSettings
from flashmob.tools.voices.espeak import EspeakEngine
from flashmob.tools.voices.piper_voice import PiperEngine

EN = "Hello everyone. Raise your hands now, then turn to your left."


@pytest.fixture(scope="module")
def engine():
    """One engine for the module: the model loads once (about a second)."""
    return PiperEngine()


@pytest.fixture(scope="module")
def spoken(engine):
    return engine.render(EN, VoiceSettings(engine="piper"))


def test_version_and_voices(engine):
    assert "piper-tts" in engine.engine_version() and "onnxruntime" in engine.engine_version()
    assert "joe" in engine.available_voices()


def test_english_speech(spoken):
    samples, rate = spoken
    assert rate == 22050
    assert_speech(EN, samples, rate)


def test_deterministic_and_rate_changes_duration(engine, spoken):
    again, _ = engine.render(EN, VoiceSettings(engine="piper", voice="joe"))
    assert np.array_equal(again, spoken[0])
    fast, _ = engine.render(EN, VoiceSettings(engine="piper", rate=1.5))
    assert len(fast) < 0.8 * len(spoken[0])


def test_espeak_and_piper_share_a_process(engine):
    """libespeak-ng is loaded RTLD_LOCAL: Piper's own espeak keeps working around it."""
    espeak = EspeakEngine()
    a, _ = espeak.render("Bonjour", VoiceSettings(voice="fr"))
    b, _ = engine.render("Hello.", VoiceSettings(engine="piper"))
    c, _ = espeak.render("Bonjour", VoiceSettings(voice="fr"))
    assert a.size and b.size and np.array_equal(a, c)


def test_identity_is_the_model_files_hash(engine, tmp_path):
    model, config = engine.model_files(VoiceSettings(engine="piper"))
    copy = tmp_path / "copy.onnx"
    shutil.copyfile(model, copy)
    shutil.copyfile(config, tmp_path / "copy.onnx.json")
    default = engine.identity("x", VoiceSettings(engine="piper"))
    assert len(default) == 129  # two sha256 digests
    assert engine.identity("x", VoiceSettings(engine="piper", voice=str(copy))) == default


@pytest.mark.parametrize(
    "voice, words",
    [("/nonexistent/fr_FR-voice.onnx", "not found"), ("marie", "unknown piper voice")],
)
def test_missing_voice_is_a_voice_error(engine, voice, words):
    with pytest.raises(VoiceError, match=words):
        engine.render("hi", VoiceSettings(engine="piper", voice=voice))


def test_model_without_config_and_damaged_model(engine, tmp_path):
    lone = tmp_path / "lone.onnx"
    lone.write_bytes(b"not a model")
    with pytest.raises(VoiceError, match="no config file"):
        engine.render("hi", VoiceSettings(engine="piper", voice=str(lone)))
    (tmp_path / "lone.onnx.json").write_text("{}")
    with pytest.raises(VoiceError, match="cannot load piper voice"):
        engine.render("hi", VoiceSettings(engine="piper", voice=str(lone)))


def test_unsupported_settings(engine):
    with pytest.raises(VoiceError, match="pitch"):
        engine.render("hi", VoiceSettings(engine="piper", pitch=60))
    with pytest.raises(VoiceError, match="speaker"):
        engine.render("hi", VoiceSettings(engine="piper", speaker=3))
