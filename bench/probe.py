"""Asset probing cost: ``tools.audio.probe.probe_audio`` against a full decode, on long files.

    python -m bench.probe                # 60-minute stereo files (about a minute to generate)
    python -m bench.probe --minutes 5    # quicker

Generates a 440 Hz stereo tone of ``--minutes`` as WAV, FLAC (bundled
ffmpeg) and MP3 (128 kb/s, libmp3lame) in a temporary folder, then prints,
per format, the probe's wall time (best of 3) and the time to decode the
whole file (libsndfile for WAV/FLAC, the ffmpeg CLI for MP3, as the renderer
does). Results: docs/benchmarks.md, "Asset probing".
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time

from bench.table import markdown


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    args = ap.parse_args()
    from flashmob.tools.audio.decode import decode_ffmpeg, ffmpeg_exe
    from flashmob.tools.audio.probe import probe_audio

    import soundfile

    rows = []
    with tempfile.TemporaryDirectory() as d:
        for ext, codec in (("wav", []), ("flac", []), ("mp3", ["-c:a", "libmp3lame", "-b:a", "128k"])):
            path = os.path.join(d, f"tone.{ext}")
            subprocess.run([ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
                            f"sine=f=440:d={args.minutes * 60}:sample_rate=44100", "-ac", "2", *codec, path],
                           check=True)
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                info = probe_audio(path)
                best = min(best, time.perf_counter() - t0)
            t0 = time.perf_counter()
            if ext == "mp3":
                decode_ffmpeg(path)
            else:
                soundfile.read(path, dtype="float32")
            full = time.perf_counter() - t0
            rows.append([ext.upper(), os.path.getsize(path) / 2**20, info.duration_us / 6e7, 1000 * best, full])
    print(markdown(["format", "MiB", "minutes (probed)", "probe ms", "full decode s"], rows, digits=1))


if __name__ == "__main__":
    main()
