"""The words the plan draws itself (legend, summary, cue counts), per language.

English and French, like the print kit (:mod:`flashmob.tools.print.texts`);
any other language falls back to English. :func:`words` picks a table by the
language's primary tag (``fr-CA`` -> ``fr``). The legend's *keys* are fixed
(they choose the drawn symbol); only their labels are translated.
"""

from __future__ import annotations

LEGEND_KEYS = ("speech", "music", "sound", "caption", "countdown", "meeting point", "end")

EN = {
    "legend": {"speech": "speech", "music": "music (fades as slopes)", "sound": "sound",
               "caption": "caption", "countdown": "countdown", "meeting point": "meeting point",
               "end": "end"},
    "group": ("group", "groups"),
    "cue": ("cue", "cues"),
    "meeting point": ("meeting point", "meeting points"),
    "estimated": "speech lengths estimated",
}

FR = {
    "legend": {"speech": "voix", "music": "musique (fondus en pente)", "sound": "son",
               "caption": "texte affiché", "countdown": "compte à rebours", "meeting point": "point de rencontre",
               "end": "fin"},
    "group": ("groupe", "groupes"),
    "cue": ("repère", "repères"),
    "meeting point": ("point de rencontre", "points de rencontre"),
    "estimated": "durées de voix estimées",
}

TABLES = {"en": EN, "fr": FR}


def lang_key(language: str | None) -> str:
    """``fr-CA`` -> ``fr``; a language without a table -> ``en``."""
    primary = (language or "en").replace("_", "-").split("-")[0].lower()
    return primary if primary in TABLES else "en"


def words(language: str | None) -> dict:
    return TABLES[lang_key(language)]


def count(n: int, noun: str, language: str | None) -> str:
    """``1 cue`` / ``3 cues``; French counts 0 and 1 as singular (``0 repère``)."""
    one, many = words(language)[noun]
    singular = n in (0, 1) if lang_key(language) == "fr" else n == 1
    return f"{n} {one if singular else many}"
