"""flashmob.tools.voices.base: settings are validated with messages an organizer understands."""

import pytest

from flashmob.tools.audio.errors import AudioError
from flashmob.tools.voices.base import VoiceError, VoiceSettings, did_you_mean


def test_defaults_are_valid_and_key_is_plain_data():
    s = VoiceSettings()
    assert s.validate() is s
    assert s.as_key() == {"engine": "espeak", "voice": None, "language": None, "rate": 1.0, "pitch": None,
                          "speaker": None, "gain_db": 0.0, "peak_dbfs": -3.0}
    assert issubclass(VoiceError, AudioError)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"engine": "pipr"}, "did you mean 'piper'"),
        ({"voice": 12}, "voice voice"),
        ({"language": ""}, "voice language"),
        ({"rate": 0}, "rate"),
        ({"rate": float("nan")}, "rate"),
        ({"rate": "fast"}, "rate"),
        ({"pitch": 101}, "pitch"),
        ({"pitch": 2.5}, "pitch"),
        ({"speaker": -1}, "speaker"),
        ({"gain_db": 40}, "gain"),
        ({"peak_dbfs": 3}, "peak"),
    ],
)
def test_bad_settings_name_the_setting(kwargs, words):
    with pytest.raises(VoiceError, match=words):
        VoiceSettings(**kwargs).validate()


def test_did_you_mean():
    assert did_you_mean("espek", ["espeak", "piper"]) == " (did you mean 'espeak'?)"
    assert did_you_mean("xyz", ["espeak"]) == ""
