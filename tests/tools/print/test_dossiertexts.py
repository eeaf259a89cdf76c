"""tools/print/dossiertexts.py: the two tables say the same things."""

import re
import string

from flashmob.tools.print.dossiertexts import EN, FR, dossier_labels

FIELDS = string.Formatter()


def fields(text: str) -> set[str]:
    if "`" in text:  # the "to complete" sentences quote YAML (`{name: ..., contact: ...}`): never formatted
        return set()
    return {name for _, name, _, _ in FIELDS.parse(text) if name}


def test_same_keys_and_same_fields():
    assert EN.keys() == FR.keys()
    for key in EN:
        assert fields(EN[key]) == fields(FR[key]), key


def test_the_to_complete_sentences_name_the_same_score_keys():
    for key in (k for k in EN if k.startswith("m_")):
        assert re.findall(r"`[^`]*`", EN[key]) == re.findall(r"`[^`]*`", FR[key]), key
        assert re.findall(r"--\w+", EN[key]) == re.findall(r"--\w+", FR[key]), key


def test_language_choice_and_french_spacing():
    assert dossier_labels("fr-CA") is FR and dossier_labels("de") is EN and dossier_labels(None) is EN
    assert "\u00a0:" in FR["meeting_at"] and " :" not in FR["complete_notice"]
