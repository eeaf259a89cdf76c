"""flashmob.tools.audio.mp3cut: segments cut from the full MP3's frames decode to exactly its samples."""

import hashlib
import struct

import numpy as np
import pytest

from flashmob.tools.audio.crc16 import crc16
from flashmob.tools.audio.decode import decode_ffmpeg, decode_soundfile
from flashmob.tools.audio.encode import EncodeSettings, encode_mp3
from flashmob.tools.audio.mp3cut import cut_segments
from flashmob.tools.audio.mp3info import read_gapless_info, tag_crc
from flashmob.tools.audio.segments import plan_segments

SR = 44100
DECODERS = {"mpg123": decode_soundfile, "ffmpeg": decode_ffmpeg}


def program(seconds: float, seed: int = 0, channels: int = 1) -> np.ndarray:
    """Speech-like harmonics in bursts over a quieter noise bed: the reservoir is busy."""
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    t = np.arange(n) / SR
    phase = 2 * np.pi * np.cumsum(140 + 30 * np.sin(2 * np.pi * 0.7 * t)) / SR
    voice = sum(np.sin(k * phase) / k for k in range(1, 12)) * 0.15 * (np.sin(2 * np.pi * 0.4 * t) > 0)
    x = (voice + 0.03 * rng.standard_normal(n)).astype(np.float32)
    return x if channels == 1 else np.stack([x, np.roll(x, 999) * 0.7], axis=1)


@pytest.fixture(scope="module", params=[(96, 1), (128, 1), (320, 1), (128, 2)], ids=lambda p: f"{p[0]}k-{p[1]}ch")
def cut(request, tmp_path_factory):
    """A 20 s program, its full MP3, both decodes, and its 2.9 s segments cut from it."""
    bitrate, channels = request.param
    x = program(20.0, channels=channels)
    x[[5, 44100, 44100 * 7 + 123]] = 0.9                      # clicks
    full = encode_mp3(x, EncodeSettings(bitrate_kbps=bitrate, channels=channels))
    d = tmp_path_factory.mktemp("cut")
    (d / "full.mp3").write_bytes(full)
    decoded = {name: dec(d / "full.mp3")[0] for name, dec in DECODERS.items()}
    plan = plan_segments(len(x), SR, 2.9)
    return x, full, decoded, plan, cut_segments(full, plan), d


@pytest.mark.parametrize("decoder", DECODERS)
def test_cut_segments_decode_to_exactly_the_full_mp3s_samples(decoder, cut):
    x, full, decoded, plan, segs, d = cut
    assert all(s is not None for s in segs)
    whole = decoded[decoder]
    for seg in segs:
        path = d / f"{decoder}-{seg.segment.index}.mp3"
        path.write_bytes(seg.mp3)
        part, sr = DECODERS[decoder](path)
        assert sr == SR and part.shape == (seg.segment.samples,) + x.shape[1:]
        # ffmpeg: bit-identical; mpg123's SIMD synthesis may round the last bit differently
        assert np.abs(part - whole[seg.segment.start:seg.segment.stop]).max() <= (0 if decoder == "ffmpeg" else 2e-7)


def test_cut_segments_carry_a_consistent_lame_tag(cut):
    x, full, decoded, plan, segs, d = cut
    assert segs[0].encoder_delay == 576  # the first segment starts like the full MP3
    for seg in segs:
        info = read_gapless_info(seg.mp3)
        assert info.samples == seg.segment.samples and info.encoder_delay == seg.encoder_delay <= 4095
        assert info.padding == seg.padding
        assert info.frames * 1152 - info.encoder_delay - info.padding == seg.segment.samples
        assert seg.sha256 == hashlib.sha256(seg.mp3).hexdigest()
        assert seg.manifest_entry()["samples"] == seg.segment.samples
        lame = info.lame_offset
        assert struct.unpack_from(">I", seg.mp3, lame + 28)[0] == len(seg.mp3)  # music length
        assert struct.unpack_from(">H", seg.mp3, lame + 32)[0] == crc16(seg.mp3[info.audio_offset:])  # music CRC
        assert struct.unpack_from(">H", seg.mp3, lame + 34)[0] == tag_crc(seg.mp3, lame + 34, "ffmpeg")
    # and the full MP3's own music CRC is what the same code computes
    info = read_gapless_info(full)
    assert struct.unpack_from(">H", full, info.lame_offset + 32)[0] == crc16(full[info.audio_offset:])


def test_cutting_is_deterministic_and_independent_of_the_plan(cut):
    x, full, decoded, plan, segs, d = cut
    again = cut_segments(full, plan[2:4])
    assert [s.mp3 for s in again] == [s.mp3 for s in segs[2:4]]


def test_low_bitrates_leave_some_segments_to_encode():
    """At 64 kb/s the reservoir can span three primers: the delay would not fit 12 bits."""
    x = program(12.0)
    full = encode_mp3(x, EncodeSettings(bitrate_kbps=64))
    segs = cut_segments(full, plan_segments(len(x), SR, 1.0))
    assert any(s is None for s in segs) and any(s is not None for s in segs)
    assert cut_segments(b"not an mp3 at all", plan_segments(len(x), SR, 1.0)) == [None] * len(segs)
