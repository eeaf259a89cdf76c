from flashmob.tools.render.captions import caption_spans, vtt_timestamp, webvtt
from flashmob.tools.render.silences import silences
from flashmob.tools.score import compile_score, read_score
from tests.tools.score.conftest import FixedDurations

HEADER = "flashmob: 1\ntitle: T\ngroups:\n  red: {}\n  blue: {}\nassets:\n  bed: b.wav\n"


def tl(cues):
    score = read_score(HEADER + cues, "t.yaml", ".", file_exists=lambda p: True)
    return compile_score(score, FixedDurations(speech_us=2_000_000, assets={"bed": 5_000_000}))


def test_vtt_timestamps():
    assert vtt_timestamp(0) == "00:00:00.000" and vtt_timestamp(3_723_250) == "01:02:03.250"


def test_captions_follow_speech_and_escape_text():
    t = tl("cues:\n  - at: 1\n    say: Fish & <chips> --> now\n  - at: 4\n    show: Look up\n"
           "  - at: 30\n    say: last\n    groups: red\n  - at: 40\n    end:\n    show: Bye\n")
    text = webvtt(t.group("red"), 40_000, "Démo")
    assert text.splitlines()[:5] == ["WEBVTT - Démo", "", "cue9", "00:00:01.000 --> 00:00:04.000",
                                     "Fish &amp; &lt;chips&gt; --&gt; now"]
    assert caption_spans(t.group("red"), 40_000) == [
        (1000, 4000, "cue9", "Fish & <chips> --> now"), (4000, 12000, "cue11", "Look up"),
        (30000, 34000, "cue13", "last")]
    assert [s[2] for s in caption_spans(t.group("blue"), 40_000)] == ["cue9", "cue11"]


def test_silences_between_audible_events():
    t = tl("cues:\n  - at: 0\n    music: bed\n  - at: 6\n    say: a\n  - at: 8.3\n    say: b\n"
           "  - at: 20\n    end:\n")
    # bed 0-5 s, say 6-8 s, say 8.3-10.3 s, then silence to the end
    assert silences(t.group("red"), 20_000) == [(5100, 5900), (10400, 20000)]
