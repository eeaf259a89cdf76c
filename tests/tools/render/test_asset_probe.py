"""flashmob.tools.render.asset_probe: every bad file a score names, reported at its place in the score."""

import pytest

from asset_files import make_assets
from flashmob.tools.render.asset_probe import probe_assets


@pytest.fixture(scope="module")
def assets(tmp_path_factory):
    return make_assets(tmp_path_factory.mktemp("assets"))


def test_probe_assets_reports_each_bad_file_at_its_path_in_the_score(assets):
    from flashmob.tools.score import read_score

    text = ("flashmob: 1\ntitle: T\ngroups: {red: {}}\nassets:\n  gong: tone.flac\n  page: page.wav\n"
            "  cut: cut.flac\ncues:\n  - at: 0\n    sound: gong\n")
    score = read_score(text, "s.yaml", assets)
    probed = probe_assets(score)
    assert probed.durations_us == {"gong": 500_000}
    assert [str(d) for d in probed.diagnostics] == [
        "s.yaml:6:9: error: asset 'page': 'page.wav' cannot be used: not an audio file: looks like HTML "
        "(a web page saved instead of the sound?)",
        "s.yaml:7:8: error: asset 'cut': 'cut.flac' cannot be used: truncated FLAC: the file ends before its "
        "last sample (download or export it again?)",
    ]
