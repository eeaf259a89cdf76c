"""How far MP3 coding raises true peaks: the codec headroom table of tools/audio/codec_check.py.

    python -m bench.codec_headroom                      # 3 groups x 5 min, all bitrates, q2/q5/q7
    python -m bench.codec_headroom --bitrates 96 --qualities 7

Renders the render benchmark's synthetic show (bench/render.py: espeak
speech, gongs, a looping music bed; in process), keeps each group's
normalized PCM as it goes to the encoder (one encode per group: no correction), then encodes that PCM at every
bitrate and quality asked for (LAME's own output scale undone, as the
renderer does) and decodes it with mpg123. Prints, per setting, the largest
rise of the decoded true peak over the PCM's true peak (4x oversampling,
tools.audio.truepeak) over all groups, and how many 50 ms stretches of the decoded
audio go above the PCM's true peak plus 0.1 dB. Results: docs/benchmarks.md,
"Codec headroom".
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def show_pcm(minutes: int, groups: int, work: str) -> tuple[list[np.ndarray], int]:
    """Each group's normalized PCM as the renderer hands it to the encoder (first encode)."""
    sys.path.insert(0, ROOT)
    import flashmob.tools.audio.codec_check as check
    from bench.render import synthetic_score
    from flashmob.tools.render.bundle import RenderOptions, render_bundle

    captured: list[list[np.ndarray]] = []  # one list of chunks per encode (one encode per group)
    real = check.Mp3Writer

    class Tap(real):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            captured.append([])

        def write(self, pcm):
            captured[-1].append(np.array(pcm, np.float32))
            super().write(pcm)

    score = os.path.join(work, "show.yaml")
    with open(score, "w", encoding="utf-8") as fh:
        fh.write(synthetic_score(minutes, groups, minutes * 8))
    check.Mp3Writer, encodes = Tap, check.MAX_ENCODES
    check.MAX_ENCODES = 1
    try:
        manifest = render_bundle(score, os.path.join(work, "bundle"),
                                 RenderOptions(workers=1, cache_dir=os.path.join(work, "voices"))).manifest
    finally:
        check.Mp3Writer, check.MAX_ENCODES = real, encodes
    return [np.concatenate(chunks) for chunks in captured], manifest["sample_rate"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=int, default=5)
    ap.add_argument("--groups", type=int, default=3)
    ap.add_argument("--bitrates", default="32,40,48,56,64,80,96,112,128,160,192,224,256,320")
    ap.add_argument("--qualities", default="2,5,7")
    args = ap.parse_args(argv)
    sys.path.insert(0, ROOT)
    import soundfile as sf

    from flashmob.tools.audio.encode import EncodeSettings, encode_mp3
    from flashmob.tools.audio.truepeak import BEFORE, AFTER, peak_envelope, true_peak_dbtp

    work = tempfile.mkdtemp(prefix="flashmob-headroom-")
    try:
        pcms, rate = show_pcm(args.minutes, args.groups, work)
        peaks = [true_peak_dbtp(x) for x in pcms]
        print(f"| bitrate | quality | largest true-peak rise (dB) | 50 ms stretches > PCM peak + 0.1 dB "
              f"(per {args.minutes} min, worst group) |\n|---:|---:|---:|---:|")
        for br in (int(b) for b in args.bitrates.split(",")):
            for q in (int(q) for q in args.qualities.split(",")):
                rise, worst = -99.0, 0
                for x, tp in zip(pcms, peaks):
                    mp3 = encode_mp3(x, EncodeSettings(sample_rate=rate, bitrate_kbps=br, quality=q))
                    y, _ = sf.read(io.BytesIO(mp3), dtype="float32")
                    level = 10 ** ((tp + 0.1) / 20)
                    env = peak_envelope(np.pad(y, (BEFORE, AFTER)), floor=level)
                    over = np.flatnonzero(env > level)
                    stretches = 0 if over.size == 0 else 1 + int((np.diff(over) > rate // 20).sum())
                    rise, worst = max(rise, true_peak_dbtp(y) - tp), max(worst, stretches)
                print(f"| {br} | {q} | {rise:+.2f} | {worst} |", flush=True)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
