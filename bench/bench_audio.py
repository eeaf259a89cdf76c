"""Benchmark the renderer's audio building blocks; prints a table.

    .venv/bin/python bench/bench_audio.py [--minutes 60]

Measures, on a synthetic music-like track of the given length (mono, 44.1 kHz):
loudness normalization (in place), whole-file MP3 encoding at LAME quality 5
and 7, segments of <= 30 s cut from the whole file (what the renderer does)
and encoded on their own (the fallback), the error near segment boundaries
compared with the whole-file encode, and speech synthesis speed of espeak and
Piper. ``--bitrate`` defaults to the renderer's 96 kb/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flashmob.tools.audio.decode import decode_soundfile  # noqa: E402
from flashmob.tools.audio.encode import EncodeSettings, encode_mp3  # noqa: E402
from flashmob.tools.audio.normalize import normalize_loudness  # noqa: E402
from flashmob.tools.audio.mp3cut import cut_segments  # noqa: E402
from flashmob.tools.audio.segments import encode_segments, plan_segments  # noqa: E402
from flashmob.tools.voices import Synthesizer, VoiceSettings  # noqa: E402
from flashmob.tools.voices.espeak import EspeakEngine  # noqa: E402
from flashmob.tools.voices.piper_voice import PiperEngine  # noqa: E402

SR = 44100


def track(minutes: float) -> np.ndarray:
    """Bass notes, a melody and noise bursts, with loud accents (so the limiter works)."""
    n = int(minutes * 60 * SR)
    x = np.empty(n, np.float32)
    rng = np.random.default_rng(0)
    block = SR * 10
    for i in range(0, n, block):
        t = (np.arange(min(block, n - i)) + i) / SR
        bass = 0.25 * np.sin(2 * np.pi * 55 * t) * (np.sin(2 * np.pi * 2 * t) > 0)
        melody = 0.15 * np.sin(2 * np.pi * (440 + 110 * np.sign(np.sin(2 * np.pi * 0.5 * t))) * t)
        noise = 0.08 * rng.standard_normal(t.size) * np.abs(np.sin(2 * np.pi * 0.7 * t))
        accents = 0.5 * (rng.random(t.size) < 2e-4)
        x[i : i + t.size] = bass + melody + noise + accents
    return x


def timed(fn):
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def boundary_error_db(pcm: np.ndarray, whole: bytes, segs, workdir: Path) -> tuple[float, float]:
    """RMS error (dB re signal) within 50 ms of segment boundaries: segmented vs whole-file."""
    def decode(data: bytes, name: str) -> np.ndarray:
        p = workdir / name
        p.write_bytes(data)
        return decode_soundfile(p)[0]

    seg = np.concatenate([decode(s.mp3, f"s{s.segment.index}.mp3") for s in segs])
    full = decode(whole, "whole.mp3")
    mask = np.zeros(len(pcm), bool)
    for s in segs[1:]:
        mask[max(0, s.segment.start - 2205) : s.segment.start + 2205] = True
    sig = np.mean(pcm[mask].astype(np.float64) ** 2)
    return (10 * np.log10(np.mean((seg[mask] - pcm[mask]) ** 2) / sig),
            10 * np.log10(np.mean((full[mask] - pcm[mask]) ** 2) / sig))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--bitrate", type=int, default=96)
    args = ap.parse_args()
    rows = []
    x, t = timed(lambda: track(args.minutes))
    audio_s = len(x) / SR
    (_, report), t = timed(lambda: normalize_loudness(x, SR, out=x))
    rows.append(("loudness normalize + true-peak limit (in place)", t, audio_s / t,
                 f"{report.output_lufs:.2f} LUFS, {report.output_true_peak_dbtp:.2f} dBTP, {report.passes} pass(es)"))
    wholes = {}
    for quality in (5, 7):
        settings = EncodeSettings(bitrate_kbps=args.bitrate, quality=quality)
        wholes[quality], t = timed(lambda: encode_mp3(x, settings))
        rows.append((f"encode whole MP3, {args.bitrate} kb/s, LAME q{quality}", t, audio_s / t,
                     f"{len(wholes[quality]) / 1e6:.1f} MB"))
    settings = EncodeSettings(bitrate_kbps=args.bitrate, quality=5)
    whole = wholes[5]
    plan = plan_segments(len(x), SR)
    cut, t = timed(lambda: cut_segments(whole, plan))
    rows.append((f"cut {len(plan)} segments of <= 30 s from the whole MP3", t, audio_s / t,
                 f"{sum(c is None for c in cut)} could not be cut"))
    segs, t = timed(lambda: encode_segments(x, plan, settings, max_workers=os.cpu_count()))
    rows.append((f"encode {len(plan)} segments on their own, q5, {os.cpu_count()} workers", t, audio_s / t, ""))
    with tempfile.TemporaryDirectory() as d:
        seg_err, whole_err = boundary_error_db(x, whole, segs, Path(d))
        cut_err = boundary_error_db(x, whole, cut, Path(d))[0] if None not in cut else float("nan")
    rows.append(("error near segment boundaries (+-50 ms)", 0.0, 0.0,
                 f"cut {cut_err:.1f} dB, encoded alone {seg_err:.1f} dB, whole file {whole_err:.1f} dB re signal"))

    text_fr = "Attention. Dans dix secondes, levez les bras et tournez lentement vers la gauche."
    text_en = "Attention. In ten seconds, raise your arms and turn slowly to the left."
    for name, engine, settings, text in [
        ("espeak fr (per utterance, fresh library)", EspeakEngine(), VoiceSettings(voice="fr"), text_fr),
        ("piper en joe (model already loaded)", PiperEngine(), VoiceSettings(engine="piper"), text_en),
    ]:
        synth = Synthesizer({settings.engine: engine}, None)
        synth.synthesize("Warm up.", settings)
        (samples, rate), t = timed(lambda: synth.synthesize(text, settings))
        rows.append((f"synthesize {name}", t, len(samples) / rate / t, f"{len(samples) / rate:.2f} s of speech"))

    print(f"audio building blocks, {args.minutes:g} min track, {os.cpu_count()} cores")
    print(f"{'step':58} {'seconds':>8} {'x realtime':>11}  notes")
    for step, secs, speed, note in rows:
        print(f"{step:58} {secs:8.2f} {speed:11.1f}  {note}")


if __name__ == "__main__":
    main()
