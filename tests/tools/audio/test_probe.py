"""flashmob.tools.audio.probe: cheap probing of audio files — what they are, or what was found instead."""

import os
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asset_files import BROKEN, make_assets
from flashmob.tools.audio.probe import AudioInfo, ProbeError, container, probe_audio


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    return make_assets(tmp_path_factory.mktemp("assets"))


@pytest.mark.parametrize("name,expected", [
    ("tone.wav", AudioInfo("WAV", 22050, 44100, 1)),
    ("tone.flac", AudioInfo("FLAC", 22050, 44100, 1)),
    ("tone.ogg", AudioInfo("OGG", 22050, 44100, 1)),
    ("tone.mp3", AudioInfo("MP3", 22050, 44100, 1)),   # LAME tag: encoder delay and padding removed
    ("stereo48k.wav", AudioInfo("WAV", 24000, 48000, 2)),
])
def test_good_files_give_format_length_rate_and_channels(assets, name, expected):
    info = probe_audio(os.path.join(assets, name))
    assert info == expected
    assert info.duration_us == expected.frames * 1_000_000 // expected.sample_rate


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_say_what_was_found(assets, name, capfd):
    with pytest.raises(ProbeError) as info:
        probe_audio(os.path.join(assets, name))
    assert str(info.value) == BROKEN[name]
    out, err = capfd.readouterr()
    assert out == "" and err == ""      # libsndfile / libmpg123 never print


def test_mp3_without_lame_tag_is_measured_by_its_frames(assets, tmp_path):
    data = open(os.path.join(assets, "tone.mp3"), "rb").read()
    from flashmob.tools.audio.mp3info import read_gapless_info

    g = read_gapless_info(data)
    plain = tmp_path / "plain.mp3"
    plain.write_bytes(data[g.audio_offset:])          # the audio frames alone, no Info frame
    info = probe_audio(plain)
    assert info.format == "MP3" and info.frames == g.frames * 1152 and info.sample_rate == 44100


def test_a_directory_is_not_a_file(tmp_path):
    with pytest.raises(ProbeError) as info:
        probe_audio(tmp_path)
    assert str(info.value) == "not a regular file"


def test_probe_reads_only_headers_of_a_long_file(tmp_path):
    """A WAV header announcing an hour is probed without reading the hour (cheap): here the hour is
    sparse (a hole in the file), which a full decode would take seconds to read."""
    path = tmp_path / "hour.wav"
    frames = 3600 * 44100
    data_bytes = frames * 2
    header = (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVEfmt " +
              struct.pack("<IHHIIHH", 16, 1, 1, 44100, 88200, 2, 16) + b"data" + struct.pack("<I", data_bytes))
    with open(path, "wb") as fh:
        fh.write(header)
        fh.truncate(len(header) + data_bytes)
    import time

    t0 = time.process_time()
    info = probe_audio(path)
    assert info == AudioInfo("WAV", frames, 44100, 1)
    assert time.process_time() - t0 < 0.5


MAGIC = [b"", b'fLaC\0\0\0"', b"RIFF\x00\x10\x00\x00WAVE", b"RIFF\x00\x10\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00",
         b"fLaC", b"OggS", b"ID3\x03\x00\x00\x00\x00\x00\x10", b"\xff\xfb\x90\x64", b"\xff\xf3"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(MAGIC), body=st.binary(max_size=3000), ext=st.sampled_from(["wav", "flac", "ogg", "mp3"]))
def test_random_bytes_never_crash_nor_print(tmp_path, capfd, prefix, body, ext):
    """Whatever the bytes (behind an audio signature or not) and the file's name, the probe answers
    AudioInfo or ProbeError with a one-line message, and no library writes anything."""
    path = tmp_path / f"x.{ext}"
    path.write_bytes(prefix + body)
    try:
        info = probe_audio(path)
    except ProbeError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert info.frames > 0 and info.sample_rate > 0 and info.channels > 0
        assert container((prefix + body)[:64]) == info.format
    out, err = capfd.readouterr()
    assert out == "" and err == ""


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["tone.wav", "tone.flac", "tone.ogg", "tone.mp3"]),
       cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=6))
def test_damaged_real_files_never_crash_nor_print(assets, tmp_path, capfd, name, cut, flips):
    data = bytearray(open(os.path.join(assets, name), "rb").read())
    data = data[: int(len(data) * cut)]
    for where, value in flips:
        if data:
            data[int(where * (len(data) - 1))] = value
    path = tmp_path / name
    path.write_bytes(bytes(data))
    try:
        probe_audio(path)
    except ProbeError as exc:
        assert str(exc) and "\n" not in str(exc)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_an_mp3_cut_inside_its_first_frame_is_called_truncated(assets, tmp_path):
    """Found by Hypothesis: a cut inside the first (Info) frame used to raise struct.error."""
    data = open(os.path.join(assets, "tone.mp3"), "rb").read()
    from flashmob.tools.audio.mp3info import _skip_id3v2, parse_frame_header

    start = _skip_id3v2(data) if data[:3] == b"ID3" else 0
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(data[: start + parse_frame_header(data, start).frame_bytes // 2])
    with pytest.raises(ProbeError, match="truncated MP3: the file ends inside its first frame"):
        probe_audio(str(cut))
