"""flashmob.tools.voices.clips: recordings in common formats, through real decoders."""

import numpy as np
import pytest
import soundfile

from flashmob.tools.audio.encode import encode_mp3
from flashmob.tools.voices.base import VoiceError, VoiceSettings
from flashmob.tools.voices.clips import ClipEngine, load_audio_file

SR = 44100


def tone(seconds=0.5, rate=SR):
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.mark.parametrize("fmt, subtype", [("wav", "PCM_16"), ("flac", "PCM_24"), ("ogg", "VORBIS")])
def test_soundfile_formats(tmp_path, fmt, subtype):
    path = tmp_path / f"clip.{fmt}"
    soundfile.write(path, tone(), SR, subtype=subtype)
    samples, rate = load_audio_file(path)
    assert rate == SR and abs(len(samples) - len(tone())) <= 0 and np.abs(samples).max() > 0.4


def test_gapless_mp3_clip_keeps_its_length(tmp_path):
    path = tmp_path / "clip.mp3"
    path.write_bytes(encode_mp3(tone()))
    samples, rate = load_audio_file(path)
    assert rate == SR and len(samples) == len(tone())


def test_formats_soundfile_cannot_read_go_through_ffmpeg(tmp_path):
    import subprocess

    import imageio_ffmpeg

    wav, m4a = tmp_path / "in.wav", tmp_path / "clip.m4a"
    soundfile.write(wav, np.stack([tone(), tone()], axis=1), SR)
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(wav), "-c:a", "aac", str(m4a)],
                   check=True)
    samples, rate = load_audio_file(m4a)
    assert rate == SR and samples.shape[1] == 2 and abs(len(samples) - len(tone())) < 2048


def test_engine_downmixes_and_resolves_relative_paths(tmp_path):
    soundfile.write(tmp_path / "st.wav", np.stack([tone(), -tone() * 0.5], axis=1), SR)
    engine = ClipEngine()
    samples, rate = engine.render("st.wav", VoiceSettings(engine="clips", voice=str(tmp_path)))
    assert samples.ndim == 1 and np.allclose(samples, tone() * 0.25, atol=1e-4)
    ident = engine.identity("st.wav", VoiceSettings(engine="clips", voice=str(tmp_path)))
    assert len(ident) == 64


def test_errors(tmp_path):
    engine = ClipEngine()
    with pytest.raises(VoiceError, match="not found"):
        engine.render("missing.wav", VoiceSettings(engine="clips", voice=str(tmp_path)))
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"definitely not audio" * 20)
    with pytest.raises(VoiceError, match="cannot read"):
        load_audio_file(junk)
    soundfile.write(tmp_path / "ok.wav", tone(), SR)
    with pytest.raises(VoiceError, match="as recorded"):
        engine.render(str(tmp_path / "ok.wav"), VoiceSettings(engine="clips", rate=1.2))
    assert engine.available_voices() == [] and "soundfile" in engine.engine_version()
