"""Small audio files, good and broken, as organizers' folders hold them (shared by tests).

``make_assets(folder)`` writes every file of :data:`BROKEN` and :data:`GOOD`
into ``folder``; good files are 0.5 s of a 440 Hz tone at 44.1 kHz (MP3 by
the bundled ffmpeg, so it carries a LAME tag).
"""

import os
import subprocess

import numpy as np
import soundfile as sf

SR = 44100
SECONDS = 0.5
GOOD = ("tone.wav", "tone.flac", "tone.ogg", "tone.mp3", "stereo48k.wav")


def tone(seconds=SECONDS, rate=SR) -> np.ndarray:
    return (0.3 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate)).astype(np.float32)


def _mp3(wav: str, mp3: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-loglevel", "error", "-i", wav,
                    "-c:a", "libmp3lame", "-b:a", "96k", mp3], check=True)


def make_assets(folder) -> str:
    d = str(folder)
    x = tone()
    sf.write(os.path.join(d, "tone.wav"), x, SR)
    sf.write(os.path.join(d, "tone.flac"), x, SR)
    sf.write(os.path.join(d, "tone.ogg"), x, SR)
    sf.write(os.path.join(d, "stereo48k.wav"), np.stack([tone(rate=48000)] * 2, axis=1), 48000)
    _mp3(os.path.join(d, "tone.wav"), os.path.join(d, "tone.mp3"))
    sf.write(os.path.join(d, "long.wav"), tone(3.0), SR)

    def read(name):
        with open(os.path.join(d, name), "rb") as fh:
            return fh.read()

    def write(name, data):
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data)

    write("empty.wav", b"")
    write("page.wav", b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>\n")
    write("notes.ogg", "Gong at the start, then music.\n".encode())
    write("picture.mp3", b"\x89PNG\r\n\x1a\n" + bytes(200))
    write("zeros.flac", bytes(4096))
    write("noise.mp3", bytes(range(7, 247)) * 20)
    flac, wav, mp3 = read("tone.flac"), read("tone.wav"), read("tone.mp3")
    write("cut.flac", flac[: len(flac) // 2])
    write("cut.wav", wav[: len(wav) // 2])
    write("cut.mp3", mp3[: len(mp3) // 2 + 17])
    sf.write(os.path.join(d, "silent0.wav"), np.zeros(0, np.float32), SR)
    return d


BROKEN = {  # file -> what the probe says it found
    "empty.wav": "empty file",
    "page.wav": "not an audio file: looks like HTML (a web page saved instead of the sound?)",
    "notes.ogg": "not an audio file: looks like text",
    "picture.mp3": "not an audio file: looks like a PNG image",
    "zeros.flac": "not an audio file: only zero bytes",
    "noise.mp3": "not an audio file: unrecognised data (starts with 07 08 09 0a 0b 0c 0d 0e)",
    "cut.flac": "truncated FLAC: the file ends before its last sample (download or export it again?)",
    "cut.wav": "truncated WAV: its header announces 44100 bytes of audio, the file holds 22028 (download or export it again?)",
    "cut.mp3": "truncated MP3: the file ends inside its last frame, after 0.2 s (download or export it again?)",
    "silent0.wav": "WAV file with no audio in it (0 samples)",
}
