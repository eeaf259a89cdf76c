"""A rendered bundle, checked with real decoders and real readers."""

import filecmp
import hashlib
import json
import os
import subprocess

import numpy as np
import pytest
from mutagen.id3 import ID3

from flashmob.tools.audio.decode import decode_ffmpeg, decode_soundfile, ffmpeg_exe
from flashmob.tools.render.bundle import RenderOptions, render_bundle
from flashmob.tools.score import ScoreError

from .conftest import EXPECTED

DECODERS = [decode_soundfile, decode_ffmpeg]


def manifest(bundle):
    with open(os.path.join(bundle, "manifest.json"), encoding="utf-8") as fh:
        return json.load(fh)


def click_positions(pcm, expected):
    """Where each click really is: the largest sample within ±200 of where it should be."""
    found = []
    for e in expected:
        lo = e - 200
        found.append(lo + int(np.argmax(np.abs(pcm[lo:e + 200]))))
    return found


@pytest.mark.parametrize("decode", DECODERS, ids=["mpg123", "ffmpeg"])
def test_every_click_is_on_its_exact_sample_in_mp3_and_segments(clicks_bundle, decode):
    m = manifest(clicks_bundle)
    for g in m["groups"]:
        full, rate = decode(os.path.join(clicks_bundle, g["mp3"]["path"]))
        assert rate == 44100 and full.shape == (m["duration"]["samples"],)
        parts = [decode(os.path.join(clicks_bundle, s["path"]))[0] for s in g["segments"]]
        assert [len(p) for p in parts] == [s["samples"] for s in g["segments"]]
        joined = np.concatenate(parts)
        for pcm in (full, joined):
            assert click_positions(pcm, EXPECTED[g["id"]]) == EXPECTED[g["id"]]
            # and nothing sounds before the first click (no shifted copy)
            assert np.abs(pcm[:22050 - 1152]).max() < 0.01   # silence up to one frame of pre-echo


@pytest.mark.parametrize("decode", DECODERS, ids=["mpg123", "ffmpeg"])
def test_segments_are_cut_from_the_full_mp3_and_decode_to_its_samples(clicks_bundle, decode):
    """One encode per group: the segments are the full MP3's frames, so joined they decode to
    the full MP3's samples (ffmpeg: bit-identical; mpg123: to its last float32 bit)."""
    m = manifest(clicks_bundle)
    for g in m["groups"]:
        full, _ = decode(os.path.join(clicks_bundle, g["mp3"]["path"]))
        joined = np.concatenate([decode(os.path.join(clicks_bundle, s["path"]))[0] for s in g["segments"]])
        assert np.abs(joined - full).max() <= (2e-7 if decode is decode_soundfile else 0)
        assert g["segments"][0]["encoder_delay"] == 576 and all(s["encoder_delay"] <= 4095 for s in g["segments"])


def test_segments_that_cannot_be_cut_are_encoded_on_their_own(clicks_score, tmp_path, monkeypatch):
    """Below ~80 kb/s some segments cannot be cut (the delay would not fit the LAME tag): the
    renderer mixes and normalizes those again and encodes them alone. Forced here for every
    other segment: the clicks are still on their exact samples."""
    import flashmob.tools.render.group as group

    real = group.iter_cut_segments
    monkeypatch.setattr(group, "iter_cut_segments",
                        lambda mp3, segs: (None if s.index % 2 else c for s, c in zip(segs, real(mp3, segs))))
    out = str(tmp_path / "mixed")
    render_bundle(clicks_score, out, RenderOptions(workers=1, segment_seconds=10.0))
    m = manifest(out)
    for g in m["groups"]:
        delays = [s["encoder_delay"] for s in g["segments"]]
        assert delays[1::2] == [576] * len(delays[1::2]) and any(d != 576 for d in delays[2::2])
        for decode in DECODERS:
            joined = np.concatenate([decode(os.path.join(out, s["path"]))[0] for s in g["segments"]])
            assert click_positions(joined, EXPECTED[g["id"]]) == EXPECTED[g["id"]]


def test_segments_tile_the_timeline_and_are_short(clicks_bundle):
    m = manifest(clicks_bundle)
    for g in m["groups"]:
        first = 0
        for s in g["segments"]:
            assert s["first_sample"] == first and 0 < s["samples"] <= 30 * 44100
            first += s["samples"]
        assert first == m["duration"]["samples"]


def test_every_file_matches_its_manifest_checksum(clicks_bundle):
    m = manifest(clicks_bundle)
    for g in m["groups"]:
        for f in [g["mp3"]] + g["segments"]:
            data = open(os.path.join(clicks_bundle, f["path"]), "rb").read()
            assert len(data) == f["bytes"] and hashlib.sha256(data).hexdigest() == f["sha256"]


def test_conductor_accepts_the_bundle(clicks_bundle):
    from flashmob.conductor.bundle import load_bundle

    b = load_bundle(clicks_bundle)
    assert b.group_ids == ("a", "b") and b.duration_us == 50_000_000


def test_manifest_cues_and_captions(clicks_bundle):
    m = manifest(clicks_bundle)
    assert m["title"] == "Clicks — Apéro" and m["organizer"]["contact"] == "test@example.org"
    a = m["groups"][0]
    assert [c["start_ms"] for c in a["cues"] if c["kind"] == "sound"] == [500, 1234, 29990, 30000, 45500]
    assert a["cues"][-2]["vibrate"] == [100, 50, 100] and a["cues"][0]["line"] == 11
    vtt = open(os.path.join(clicks_bundle, a["captions"]), encoding="utf-8").read()
    assert vtt.startswith("WEBVTT") and "00:00:00.500 --> " in vtt and "first click" in vtt
    assert a["loudness"]["true_peak_dbtp"] <= -1.0


def test_id3_chapters_lyrics_cover_and_ids(clicks_bundle):
    m = manifest(clicks_bundle)
    a = m["groups"][0]
    tags = ID3(os.path.join(clicks_bundle, a["mp3"]["path"]))
    assert tags["TIT2"].text == ["Clicks — Apéro — Alphas"] and tags["TPE1"].text == ["Test Crew"]
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, c.sub_frames["TIT2"].text[0]) for c in chapters] == [(500, "first click"), (1234, "odd time")]
    assert tags.getall("CTOC")[0].child_element_ids == [c.element_id for c in chapters]
    assert [t for t in tags.getall("SYLT")[0].text] == [("first click", 500), ("odd time", 1234)]
    assert tags["APIC:cover"].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert tags["TXXX:FLASHMOB_SHOW_ID"].text == [m["show_id"]] and tags["TXXX:FLASHMOB_GROUP"].text == ["a"]
    # libavformat (what ffprobe reads with) lists the chapters too
    r = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", os.path.join(clicks_bundle, a["mp3"]["path"])],
                       capture_output=True, text=True)
    assert "Chapter #0:0: start 0.500000, end 1.234000" in r.stderr or "start 0.500000" in r.stderr


def test_tags_do_not_change_decoded_pcm(clicks_bundle, tmp_path):
    a = manifest(clicks_bundle)["groups"][0]
    tagged = os.path.join(clicks_bundle, a["mp3"]["path"])
    bare = tmp_path / "bare.mp3"
    bare.write_bytes(open(tagged, "rb").read())
    ID3(bare).delete(bare)
    assert open(bare, "rb").read() != open(tagged, "rb").read()
    for decode in DECODERS:
        assert np.array_equal(decode(tagged)[0], decode(bare)[0])


def test_rendering_twice_gives_a_byte_identical_bundle(clicks_score, clicks_bundle, tmp_path):
    again = str(tmp_path / "again")
    render_bundle(clicks_score, again, RenderOptions(workers=2))   # also across worker processes
    cmp = filecmp.dircmp(clicks_bundle, again)
    def same(c):
        assert not c.left_only and not c.right_only and not c.diff_files and not c.funny_files
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        assert not mismatch and not errors
        for sub in c.subdirs.values():
            same(sub)
    same(cmp)


def test_speech_overrun_names_both_lines(tmp_path):
    score = tmp_path / "overrun.yaml"
    score.write_text("flashmob: 1\ntitle: T\nlanguage: fr\ngroups:\n  a: {}\nvoices:\n  v: {engine: espeak, voice: fr}\n"
                     "voice: v\ncues:\n  - at: 1\n    say: Ceci est une phrase assez longue pour durer plusieurs secondes.\n"
                     "  - at: 3.3\n    say: Trop tôt.\n  - at: 10\n    end:\n", encoding="utf-8")
    # 64 characters in a 2.3 s slot: possible at the fastest pace (30/s, 2.1 s), so only the real
    # synthesis (about 3 s in espeak's French) can find the overrun
    with pytest.raises(ScoreError) as info:
        render_bundle(str(score), str(tmp_path / "out"), RenderOptions(workers=1))
    [d] = info.value.errors
    assert str(d).startswith(f"{score}:10:5: error: speech overruns the next speech of group 'a' by ")
    assert f"{score}:12 starts at 3300 ms" in str(d)
    assert not (tmp_path / "out").exists()
    result = render_bundle(str(score), str(tmp_path / "out"), RenderOptions(workers=1, allow_overlap=True))
    assert "speech overruns" in str(result.warnings[0]) and (tmp_path / "out" / "manifest.json").exists()


def test_never_overwrites_a_directory_that_is_not_a_bundle(clicks_score, tmp_path):
    from flashmob.tools.render.bundle import BundleDirError

    precious = tmp_path / "music"
    precious.mkdir()
    (precious / "song.mp3").write_bytes(b"mine")
    with pytest.raises(BundleDirError) as info:
        render_bundle(clicks_score, str(precious), RenderOptions(workers=1))
    assert "is not empty and holds no flashmob bundle" in str(info.value)
    assert (precious / "song.mp3").read_bytes() == b"mine"
