import pytest

from flashmob.tools.score import EstimatedDurations, compile_score, read_score

HEADER = ("flashmob: 1\ntitle: T\nsample_rate: 48000\ngroups:\n  red: {name: Reds}\n  blue: {name: Blues}\n"
          "assets:\n  gong: gong.wav\n  bed: bed.flac\n")


class FixedDurations(EstimatedDurations):
    """Every speech lasts exactly ``speech_us``; assets as given."""

    def __init__(self, speech_us=2_000_000, assets=None):
        super().__init__(assets or {"gong": 3_000_000, "bed": 60_000_000})
        self.speech_us = speech_us

    def speech(self, text, voice, clip):
        return self.speech_us, False


@pytest.fixture
def compile_cues():
    """compile_cues(cues_yaml, header=HEADER, durations=FixedDurations()) -> Timeline"""
    def run(cues, header=HEADER, durations=None, diags=None):
        score = read_score(header + cues, "t.yaml", ".", file_exists=lambda p: True)
        return compile_score(score, durations or FixedDurations(), diags)
    return run


def starts(timeline, group):
    return [(e.id, e.kind, e.start_us) for e in timeline.group(group).events]
