"""tools/print/dossierkit.py: bad input is refused before anything is written; warnings are returned."""

import json

import pytest

from flashmob.contract.safety import SAFETY_FILE
from flashmob.tools.print.dossierkit import FILE, DossierOptions, make_dossier
from flashmob.tools.print.errors import PrintError

from .conftest import make_bundle
from .test_dossierpdf import write


def test_writes_one_file(bundle, tmp_path):
    result = make_dossier(bundle, tmp_path / "new" / "dir", DossierOptions())
    assert result.path == tmp_path / "new" / "dir" / FILE and result.path.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in (tmp_path / "new" / "dir").iterdir()) == [FILE]


def test_bad_input_is_refused_before_writing(bundle, tmp_path):
    with pytest.raises(PrintError, match="--lang 'de'"):
        make_dossier(bundle, tmp_path / "o1", DossierOptions(language="de"))
    with pytest.raises(PrintError, match="--capacity"):
        make_dossier(bundle, tmp_path / "o2", DossierOptions(capacity=0))
    with pytest.raises(PrintError, match="not a show bundle|not a usable show bundle"):
        make_dossier(tmp_path, tmp_path / "o3", DossierOptions())
    (bundle / SAFETY_FILE).write_text(json.dumps({"format": "flashmob-safety", "version": 1,
                                                  "stewards": {"count": "ten"}}), encoding="utf-8")
    with pytest.raises(PrintError, match=r"\.flashmob-safety\.json: stewards\.count"):
        make_dossier(bundle, tmp_path / "o4", DossierOptions())
    assert not any((tmp_path / f"o{i}").exists() for i in range(1, 5))


def test_characters_the_font_lacks_are_a_warning(tmp_path):
    bundle = make_bundle(tmp_path / "cjk", title="東京フラッシュモブ — Demo")
    result, _, pages = write(bundle, tmp_path)
    assert len(result.warnings) == 1 and "cannot draw" in result.warnings[0] and "東" in result.warnings[0]
    assert "Demo" in pages[0]
