"""What a rendered bundle's MP3s measure once decoded, by meters that are not the renderer's.

    python -m bench.render --keep /tmp/b60      # a bundle to look at (or any bundle directory)
    python -m bench.decoded_levels /tmp/b60

For every group: the manifest's `loudness` next to the integrated loudness
of the decoded MP3 by ffmpeg's `ebur128` filter (reading the MP3 itself),
by pyloudnorm and by tools.audio.meter (both on libmpg123's decoding), and
the true peak by tools.audio.truepeak and by scipy's resample_poly (4x). Prints a
table (docs/benchmarks.md, "Decoded loudness and true peak").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ebur128_lufs(ffmpeg: str, path: str) -> float:
    out = subprocess.run([ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-i", path, "-af",
                          "ebur128=metadata=1:framelog=quiet,ametadata=mode=print:key=lavfi.r128.I:file=-",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stdout
    return float(re.findall(r"lavfi\.r128\.I=(-?[\d.]+)", out)[-1])


def oversampled_peak_dbtp(y: np.ndarray, chunk: int = 1 << 20) -> float:
    """resample_poly x4 in overlapping chunks (the filter's support is far below the overlap)."""
    from scipy.signal import resample_poly

    best, pad = 0.0, 1024
    for a in range(0, y.shape[0], chunk):
        lo = max(0, a - pad)
        z = resample_poly(y[lo : a + chunk + pad].astype(np.float64), 4, 1, axis=0)
        best = max(best, float(np.abs(z[(a - lo) * 4 : (a - lo + chunk) * 4]).max()))
    return 20 * np.log10(best)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle")
    args = ap.parse_args(argv)
    sys.path.insert(0, ROOT)
    import pyloudnorm

    from flashmob.tools.audio.decode import decode_soundfile, ffmpeg_exe
    from flashmob.tools.audio.meter import integrated_loudness
    from flashmob.tools.audio.truepeak import true_peak_dbtp

    with open(os.path.join(args.bundle, "manifest.json"), encoding="utf-8") as fh:
        manifest = json.load(fh)
    enc, loud = manifest["settings"]["encoding"], manifest["settings"]["loudness"]
    print(f"{manifest['title']}: {enc['bitrate_kbps']} kb/s, LAME quality {enc['quality']}, target "
          f"{loud['target_lufs']} LUFS, ceiling {loud['ceiling_dbtp']} dBTP\n")
    print("| group | manifest LUFS / dBTP | ffmpeg ebur128 | pyloudnorm | tools.audio.meter "
          "| true peak: tools.audio.truepeak | resample_poly x4 |\n|---|---:|---:|---:|---:|---:|---:|")
    for g in manifest["groups"]:
        path = os.path.join(args.bundle, g["mp3"]["path"])
        y, rate = decode_soundfile(path)
        pyln = pyloudnorm.Meter(rate).integrated_loudness(y.astype(np.float64))
        print(f"| {g['id']} | {g['loudness']['integrated_lufs']:.2f} / {g['loudness']['true_peak_dbtp']:.2f} "
              f"| {ebur128_lufs(ffmpeg_exe(), path):.3f} | {pyln:.3f} | {integrated_loudness(y, rate):.3f} "
              f"| {true_peak_dbtp(y):.3f} | {oversampled_peak_dbtp(y):.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
