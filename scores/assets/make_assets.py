"""Regenerate the example scores' synthetic assets (deterministic, no samples
of anyone's music): python scores/assets/make_assets.py"""

import os

import numpy as np
import soundfile as sf

SR = 44100
HERE = os.path.dirname(os.path.abspath(__file__))


def tone(freqs, seconds, decay=0.0, amp=0.2):
    t = np.arange(int(SR * seconds)) / SR
    sig = sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)
    env = np.exp(-decay * t) if decay else np.ones_like(t)
    return (amp * sig * env).astype(np.float32)


def pad_loop():
    """8 s of a soft chord progression (C - Am - F - G), seamless as a loop."""
    chords = [(261.63, 329.63, 392.0), (220.0, 261.63, 329.63), (174.61, 220.0, 261.63), (196.0, 246.94, 293.66)]
    parts = []
    for ch in chords:
        x = tone(ch + tuple(f / 2 for f in ch), 2.0, amp=0.25)
        ramp = np.minimum(1, np.minimum(np.arange(x.size), np.arange(x.size)[::-1]) / (0.05 * SR))
        parts.append(x * ramp)
    return np.concatenate(parts)


def gong():
    return tone((110, 220.5, 331, 443.2, 667), 3.0, decay=1.2, amp=0.5)


def clap():
    rng = np.random.default_rng(7)
    n = int(0.25 * SR)
    x = rng.standard_normal(n).astype(np.float32) * np.exp(-np.arange(n) / (0.03 * SR)).astype(np.float32)
    return 0.6 * x / np.abs(x).max()


def whistle():
    t = np.arange(int(1.2 * SR)) / SR
    f = 1200 + 600 * t
    env = np.minimum(1, np.minimum(t, 1.2 - t) / 0.05)
    return (0.3 * np.sin(2 * np.pi * np.cumsum(f) / SR) * env).astype(np.float32)


if __name__ == "__main__":
    sf.write(os.path.join(HERE, "pad-loop.flac"), pad_loop(), SR)
    sf.write(os.path.join(HERE, "gong.flac"), gong(), SR)
    sf.write(os.path.join(HERE, "clap.wav"), clap(), SR, subtype="PCM_16")
    sf.write(os.path.join(HERE, "whistle.ogg"), whistle(), SR)
    print("written to", HERE)
