"""flashmob.tools.audio.codec_check: decoded MP3s measured in a stream, codec-raised peaks lowered and re-encoded.

The checks of the final result use other implementations: pyloudnorm for
loudness, scipy's resample_poly (4x) for true peaks, and ffmpeg's decoder
next to libmpg123.
"""

import hashlib
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from flashmob.tools.audio.codec_check import (METER_MARGIN_DB, SPREAD, DecodedMeter, DecodedReport,
                               codec_headroom_db, correction_stage, encode_checked, measure_mp3)
from flashmob.tools.audio.decode import decode_ffmpeg, decode_soundfile
from flashmob.tools.audio.encode import EncodeSettings, encode_mp3
from flashmob.tools.audio.meter import integrated_loudness
from flashmob.tools.audio.normalize import LoudnessPlan, LoudnessSettings, LoudnessStage, normalize_loudness
from flashmob.tools.audio.truepeak import AFTER, BEFORE, peak_envelope, true_peak_dbtp

SR = 44100
ASSETS = Path(__file__).resolve().parents[3] / "scores" / "assets"


def independent_true_peak_dbtp(y: np.ndarray) -> float:
    return float(20 * np.log10(np.abs(resample_poly(y, 4, 1, axis=0)).max()))


def strikes(n: int, channels: int = 1, seed: int = 2) -> np.ndarray:
    """Bell-like strikes every 0.3 s over quiet noise, true peak -1.2 dBTP."""
    rng = np.random.default_rng(seed)
    x = 0.02 * rng.standard_normal((n, channels))
    for k, start in enumerate(range(SR // 10, n - SR // 4, int(0.3 * SR))):
        m = np.arange(n - start) / SR
        f = 300 + 170 * (k % 5)
        ring = np.exp(-m * 9) * (np.sin(2 * np.pi * f * m) + 0.5 * np.sin(2 * np.pi * 2.76 * f * m))
        x[start:, :] += 0.58 * ring[:, None] * (1 - 0.2 * np.arange(channels))[None, :]
    x *= 10 ** (-1.2 / 20) / np.abs(resample_poly(x, 4, 1, axis=0)).max()
    return (x[:, 0] if channels == 1 else x).astype(np.float32)


@pytest.fixture(scope="module")
def speech_over_bed():
    """``make(channels)``: an espeak sentence over the music bed, normalized to -16 LUFS with
    true peaks limited to -1.2 dBTP: content whose limited peaks the codec raises over -1 dBTP
    at low bitrates (a clean tone or a gong alone is coded too well to show it)."""
    import soundfile as sf

    from flashmob.tools.voices.base import VoiceSettings
    from flashmob.tools.voices.espeak import EspeakEngine

    voice, rate = EspeakEngine().render("Walk slowly towards the fountain and raise your left hand, "
                                        "then turn around and wave.", VoiceSettings(voice="en-us"))
    voice = resample_poly(voice, SR, rate).astype(np.float32)
    bed, _ = sf.read(ASSETS / "pad-loop.flac", dtype="float32")

    def make(channels: int) -> np.ndarray:
        pan = 0.3 * np.arange(channels)[None, :]
        x = np.resize(bed, len(voice))[:, None] * 0.15 + voice[:, None] * (1 - pan) + np.roll(voice, 500)[:, None] * pan
        y, _ = normalize_loudness(x[:, 0] if channels == 1 else x, SR,
                                  LoudnessSettings(target_lufs=-16, ceiling_dbtp=-1.2))
        return y

    return make


def whole_envelope(x: np.ndarray) -> np.ndarray:
    pad = [(BEFORE, AFTER)] + [(0, 0)] * (x.ndim - 1)
    return peak_envelope(np.pad(x, pad))


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("chunk", [7, 1000, 65536])
def test_meter_in_chunks_equals_the_whole_signal_measured(channels, chunk):
    x = strikes(SR, channels)
    limit = 10 ** (-1.6 / 20)
    meter = DecodedMeter(SR, channels, limit)
    for i in range(0, len(x), chunk):
        meter.push(x[i : i + chunk])
    r = meter.result()
    env = whole_envelope(x)
    assert r.frames == len(x)
    assert r.integrated_lufs == pytest.approx(integrated_loudness(x, SR), abs=1e-6)
    assert r.true_peak_dbtp == pytest.approx(true_peak_dbtp(x), abs=1e-5)
    assert np.array_equal(r.overshoot_frames, np.flatnonzero(env > limit))
    assert np.allclose(r.overshoot_values, env[env > limit])


def report_with(frames, values_dbtp, n) -> DecodedReport:
    values = (10 ** (np.asarray(values_dbtp, float) / 20)).astype(np.float32)
    return DecodedReport(n, -16.0, float(max(values_dbtp)), np.asarray(frames, np.int64), values)


def test_correction_lowers_only_around_the_overshoots_by_their_excess():
    n = 10 * SR
    frames, tops = [SR, SR + 300, 6 * SR], [-0.5, -0.2, -0.9]
    stage = correction_stage(report_with(frames, tops, n), n, SR, aim_dbtp=-1.3)
    gain = stage.apply(np.ones(n, np.float32), 0)
    gain_db = 20 * np.log10(gain)
    for f, top in zip(frames, tops):
        near = gain_db[f - SPREAD : f + SPREAD + 1]
        assert near.max() <= -1.3 - top + 1e-4  # each overshoot comes down to the aim, SPREAD frames around
    assert len(stage.spans) == 2  # the two close ones share one stretch
    assert np.all(gain <= 1.0)
    assert np.all(gain[: SR - SPREAD - 2 * 221] == 1.0)
    assert np.all(gain[SR + 300 + SPREAD + SR // 5 : 6 * SR - SR // 5] == 1.0)
    assert np.abs(np.diff(gain_db)).max() < 0.01  # smooth: look-ahead attack, 40 dB/s release
    assert (gain < 1).sum() < 0.2 * SR  # ~60 ms around each spot (hold, attack, release), nothing else


def test_no_overshoot_no_correction():
    stage = correction_stage(report_with([], [-3.0], SR), SR, SR, aim_dbtp=-1.3)
    assert stage.spans == ()


@pytest.mark.parametrize("channels, bitrate, quality", [(1, 32, 7), (2, 48, 5)])
def test_encode_checked_brings_every_decoded_peak_under_the_ceiling(speech_over_bed, channels, bitrate, quality,
                                                                    tmp_path):
    x = speech_over_bed(channels)
    settings = EncodeSettings(channels=channels, bitrate_kbps=bitrate, quality=quality)
    plain = measure_mp3(encode_mp3(x, settings), settings, -1.0)
    assert plain.true_peak_dbtp > -1.0  # the codec does raise them: the correction has work to do
    checked = encode_checked(lambda a, b: x[a:b].copy(), len(x), LoudnessPlan((), None), settings, -1.0)
    assert checked.encodes >= 2
    assert checked.decoded.true_peak_dbtp <= -1.0 - METER_MARGIN_DB
    path = tmp_path / f"{hashlib.sha256(checked.mp3).hexdigest()[:8]}.mp3"
    path.write_bytes(checked.mp3)
    meter = pyloudnorm.Meter(SR)
    for decode in (decode_soundfile, decode_ffmpeg):
        y, rate = decode(path)
        assert rate == SR
        assert y.shape == x.shape
        assert independent_true_peak_dbtp(y) <= -1.0
        # only the spots are lowered: the loudness stays (pyloudnorm, vs the uncorrected PCM)
        assert meter.integrated_loudness(y.astype(np.float64)) == pytest.approx(
            meter.integrated_loudness(x.astype(np.float64)), abs=0.15)
    assert checked.decoded.integrated_lufs == pytest.approx(integrated_loudness(x, SR), abs=0.15)


def test_encode_checked_applies_the_plan_and_stops_when_the_first_encode_is_under():
    x = strikes(SR)
    quieter = LoudnessPlan((LoudnessStage(np.float32(0.5), ()),), None)  # -6 dB: far under the ceiling
    settings = EncodeSettings(bitrate_kbps=128, quality=7)
    checked = encode_checked(lambda a, b: x[a:b].copy(), len(x), quieter, settings, -1.0, chunk=10_000)
    assert checked.encodes == 1
    assert checked.decoded.true_peak_dbtp == pytest.approx(true_peak_dbtp(x) - 6.02, abs=0.5)
    assert checked.decoded.integrated_lufs == pytest.approx(integrated_loudness(x, SR) - 6.02, abs=0.05)


@pytest.mark.parametrize("quality", [2, 5, 7, 9])
def test_headroom_grows_as_the_bitrate_falls(quality):
    rooms = [codec_headroom_db(EncodeSettings(bitrate_kbps=b, quality=quality)) for b in (32, 64, 96, 128, 192, 320)]
    assert rooms == sorted(rooms, reverse=True)
    assert rooms[0] > 1.0 and rooms[-1] > METER_MARGIN_DB


def test_noise_shaping_needs_more_headroom():
    assert codec_headroom_db(EncodeSettings(bitrate_kbps=96, quality=5)) > codec_headroom_db(
        EncodeSettings(bitrate_kbps=96, quality=7))
