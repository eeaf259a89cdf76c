"""The loudness numbers a bundle states are true of its MP3s as decoders play them.

Short real shows (espeak speech, gongs, the looping music bed) are rendered
at the rates and bitrates the renderer offers; every group's MP3 is decoded
by libmpg123 (soundfile) and by ffmpeg and measured with implementations
that are not the renderer's: pyloudnorm and ffmpeg's ``ebur128`` filter for
integrated loudness, scipy's ``resample_poly`` (4x) for the true peak.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from flashmob.tools.audio.decode import decode_ffmpeg, decode_soundfile, ffmpeg_exe
from flashmob.tools.render.bundle import RenderOptions, render_bundle

ASSETS = Path(__file__).resolve().parents[3] / "scores" / "assets"
SHOW = """flashmob: 1
title: Loudness check
language: en
sample_rate: {rate}
voices:
  v: {{engine: espeak, voice: en-us}}
voice: v
groups:
  a: {{name: Alphas}}
  b: {{name: Betas}}
assets:
  pad: {assets}/pad-loop.flac
  gong: {assets}/gong.flac
cues:
  - id: bed
    at: 0
    music: pad
    loop: true
    fade_in: 2s
  - at: 1
    say: Walk slowly towards the fountain and raise your left hand.
  - at: 5
    sound: gong
    gain: -6
    groups: a
  - at: 7.5
    say: Turn around, count your steps, and wave at someone wearing your colour.
    groups: b
  - at: 12
    say: Freeze like a statue. Breathe in. Breathe out.
  - at: 15
    sound: gong
  - at: 20
    end: true
"""

# (sample rate, options): the default, and the other rates with other bitrates, qualities and levels
CASES = {
    "44k1-96k-default": (44100, {}),
    "48k-128k-q5-18lufs": (48000, {"bitrate_kbps": 128, "quality": 5, "target_lufs": -18.0, "ceiling_dbtp": -2.0}),
    "32k-64k-q7": (32000, {"bitrate_kbps": 64}),
}


@pytest.fixture(scope="module", params=list(CASES))
def rendered(request, tmp_path_factory):
    rate, opts = CASES[request.param]
    d = tmp_path_factory.mktemp(request.param)
    score = d / "show.yaml"
    score.write_text(SHOW.format(rate=rate, assets=ASSETS), encoding="utf-8")
    options = RenderOptions(workers=1, cache_dir=str(tmp_path_factory.getbasetemp() / "voices"), **opts)
    render_bundle(str(score), str(d / "bundle"), options)
    with open(d / "bundle" / "manifest.json", encoding="utf-8") as fh:
        return str(d / "bundle"), json.load(fh), options


def ebur128_lufs(path: str) -> float:
    """Integrated loudness by ffmpeg's ebur128 filter (its last running value, 3 decimals)."""
    out = subprocess.run([ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", "-i", path, "-af",
                          "ebur128=metadata=1:framelog=quiet,ametadata=mode=print:key=lavfi.r128.I:file=-",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stdout
    return float(re.findall(r"lavfi\.r128\.I=(-?[\d.]+)", out)[-1])


def true_peak_dbtp(y: np.ndarray) -> float:
    return float(20 * np.log10(np.abs(resample_poly(y.astype(np.float64), 4, 1, axis=0)).max()))


def groups(rendered):
    bundle, manifest, options = rendered
    for g in manifest["groups"]:
        yield os.path.join(bundle, g["mp3"]["path"]), g, options


@pytest.mark.parametrize("decode", [decode_soundfile, decode_ffmpeg], ids=["mpg123", "ffmpeg"])
def test_decoded_loudness_is_on_target_by_pyloudnorm(rendered, decode):
    for path, _, options in groups(rendered):
        y, rate = decode(path)
        lufs = pyloudnorm.Meter(rate).integrated_loudness(y.astype(np.float64))
        assert abs(lufs - options.target_lufs) <= 0.2, path


def test_decoded_loudness_is_on_target_by_ffmpeg_ebur128(rendered):
    for path, _, options in groups(rendered):
        assert abs(ebur128_lufs(path) - options.target_lufs) <= 0.2, path


@pytest.mark.parametrize("decode", [decode_soundfile, decode_ffmpeg], ids=["mpg123", "ffmpeg"])
def test_decoded_true_peak_is_at_or_under_the_ceiling(rendered, decode):
    for path, _, options in groups(rendered):
        y, _ = decode(path)
        assert true_peak_dbtp(y) <= options.ceiling_dbtp, path


def test_the_manifest_states_what_the_decoded_files_measure(rendered):
    for path, g, _ in groups(rendered):
        y, _ = decode_soundfile(path)
        assert g["loudness"]["integrated_lufs"] == pytest.approx(ebur128_lufs(path), abs=0.05)
        assert g["loudness"]["true_peak_dbtp"] == pytest.approx(true_peak_dbtp(y), abs=0.05)
