"""flashmob.tools.voices.synth: the shared pipeline (resample, trim, level, cache) and the public API."""

import numpy as np
import pytest

import flashmob.tools.voices as voices
from flashmob.tools.voices import Synthesizer, VoiceCache, VoiceError, VoiceSettings
from flashmob.tools.voices.espeak import EspeakEngine
from flashmob.tools.voices.synth import TRIM_BELOW_PEAK_DB, finish


class ToneEngine:
    """A tiny deterministic engine: 100 ms silence, a tone burst, 100 ms silence, at 16 kHz."""

    name = "espeak"

    def __init__(self):
        self.renders = 0

    def engine_version(self):
        return "tone 1"

    def available_voices(self):
        return ["tone"]

    def identity(self, text, settings):
        return ""

    def render(self, text, settings):
        self.renders += 1
        t = np.arange(len(text) * 1600) / 16000
        burst = (0.1 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
        gap = np.zeros(1600, np.float32)
        return np.concatenate([gap, burst, gap]), 16000


def test_finish_puts_onset_on_sample_zero_and_levels():
    raw = np.zeros(4000, np.float32)
    raw[1000:3000] = 0.2 * np.sin(np.arange(2000) / 5.0)
    out = finish(raw, 22050, 44100, VoiceSettings(peak_dbfs=-6.0, gain_db=-6.0))
    assert out.dtype == np.float32
    threshold = np.abs(out).max() * 10 ** (-TRIM_BELOW_PEAK_DB / 20)
    assert abs(out[0]) >= threshold and abs(out[-1]) >= threshold
    assert 3900 < len(out) < 4100  # 2000 samples at 22.05 kHz -> ~4000 at 44.1 kHz
    assert abs(20 * np.log10(np.abs(out).max()) - (-12.0)) < 0.01
    assert finish(np.zeros(100, np.float32), 16000, 44100, VoiceSettings()).size == 0


def test_raw_level_is_kept_when_peak_is_none():
    raw = np.full(100, 0.1, np.float32)
    assert np.allclose(finish(raw, 44100, 44100, VoiceSettings(peak_dbfs=None)), 0.1)


def test_cache_serves_second_request_without_rendering(tmp_path):
    engine = ToneEngine()
    synth = Synthesizer({"espeak": engine}, VoiceCache(tmp_path), sample_rate=48000)
    a, rate = synth.synthesize("  hello ", VoiceSettings())
    b, _ = synth.synthesize("hello", VoiceSettings())
    assert rate == 48000 and engine.renders == 1 and np.array_equal(a, b)
    synth.synthesize("hello", VoiceSettings(gain_db=-3))
    assert engine.renders == 2
    # another synthesizer on the same directory (another group, another run) shares it
    other = ToneEngine()
    c, _ = Synthesizer({"espeak": other}, VoiceCache(tmp_path), sample_rate=48000).synthesize("hello", VoiceSettings())
    assert other.renders == 0 and np.array_equal(a, c)


def test_real_espeak_through_the_pipeline_is_deterministic(tmp_path):
    settings = VoiceSettings(voice="fr", rate=1.2)
    fresh = Synthesizer({"espeak": EspeakEngine()}, None)
    a, rate = fresh.synthesize("Attention, on commence dans dix secondes.", settings)
    b, _ = fresh.synthesize("Attention, on commence dans dix secondes.", settings)
    assert rate == 44100 and np.array_equal(a, b)
    cached = Synthesizer({"espeak": EspeakEngine()}, VoiceCache(tmp_path))
    c, _ = cached.synthesize("Attention, on commence dans dix secondes.", settings)
    d, _ = cached.synthesize("Attention, on commence dans dix secondes.", settings)
    assert np.array_equal(a, c) and np.array_equal(c, d)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_is_a_voice_error(text):
    with pytest.raises(VoiceError, match="needs some text"):
        Synthesizer({"espeak": ToneEngine()}, None).synthesize(text, VoiceSettings())


def test_missing_engine_and_bad_rate():
    synth = Synthesizer({"espeak": ToneEngine()}, None)
    with pytest.raises(VoiceError, match="not available"):
        synth.synthesize("hi", VoiceSettings(engine="piper"))
    with pytest.raises(VoiceError, match="sample rate"):
        Synthesizer({}, None, sample_rate=0)


def test_module_level_api_uses_the_default_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHMOB_CACHE", str(tmp_path))
    monkeypatch.setattr(voices, "_shared", {})
    samples, rate = voices.synthesize("Bonjour", VoiceSettings(voice="fr"), sample_rate=32000)
    assert rate == 32000 and samples.size > 0
    assert list((tmp_path / "voices").rglob("*.npy"))
    assert "fr" in voices.available_voices("espeak")
    assert voices.engine_version("espeak").startswith("espeak-ng")
