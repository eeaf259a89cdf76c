"""The words printed around the organizer's own text, in the score's language.

English and French today (scores are often French); any other language falls
back to English. :func:`labels` picks a table by the language's primary tag
(``fr-CA`` -> ``fr``); :func:`long_date` and :func:`clock` format dates and
times without the process locale (pure, the same on every machine).
"""

from __future__ import annotations

import datetime as dt

EN = {
    "tagline": "An audio flashmob: everyone presses play at the same second",
    "when": "When",
    "where": "Where",
    "meeting_point": "Meeting point",
    "bring": "Bring",
    "safety": "Safety",
    "organized_by": "Organised by",
    "contact": "Contact",
    "scan_to_join": "Scan to join",
    "how": "How it works",
    "step_scan": "Scan the code before the day: your phone downloads your sound file. Keep the page.",
    "step_come": "Be at the meeting point from {early}, phone charged, headphones with you.",
    "step_play": "At {time} every phone starts together. Listen, and follow the voice.",
    "default_bring": "A charged phone and headphones",
    "default_safety": "Keep the volume low enough to hear what happens around you, "
                      "watch the traffic, and look after each other.",
    "group": "Group",
    "download_title": "Just the MP3",
    "download_intro": "No connection on the day? Play the file yourself:",
    "offline_1": "Scan this code and save {file} ({size}, {duration}) before the day.",
    "offline_2": "Set your phone's clock to automatic (network time).",
    "offline_3": "Press play at exactly {hhmmss} on {date}.",
    "offline_note": "For a synchronized start instead, scan the join code on the poster.",
    "badge_scan": "Scan: joins your group",
    "badge_scan_nogroup": "Scan to join",
    "flyer_scan": "Scan to join",
    "calendar_join": "Join (download your sound file before the day): {url}",
    "calendar_bring": "Bring: {bring}",
    "calendar_meeting": "Meeting point: {meeting}",
    "calendar_safety": "Safety: {safety}",
    "calendar_organizer": "Organised by {name} ({contact})",
    "tz_note": "{tz} time",
}

FR = {
    "tagline": "Un flashmob audio : tout le monde lance le son à la même seconde",
    "when": "Quand",
    "where": "Où",
    "meeting_point": "Point de rendez-vous",
    "bring": "À apporter",
    "safety": "Sécurité",
    "organized_by": "Organisé par",
    "contact": "Contact",
    "scan_to_join": "Scannez pour participer",
    "how": "Comment ça marche",
    "step_scan": "Scannez le code avant le jour J : votre téléphone télécharge votre fichier son. "
                 "Gardez la page.",
    "step_come": "Soyez au point de rendez-vous dès {early}, téléphone chargé, écouteurs en poche.",
    "step_play": "À {time}, tous les téléphones démarrent ensemble. Écoutez et suivez la voix.",
    "default_bring": "Un téléphone chargé et des écouteurs",
    "default_safety": "Gardez un volume qui vous laisse entendre ce qui se passe autour de vous, "
                      "attention à la circulation, veillez les uns sur les autres.",
    "group": "Groupe",
    "download_title": "Juste le MP3",
    "download_intro": "Pas de réseau le jour J ? Lancez le fichier vous-même :",
    "offline_1": "Scannez ce code et enregistrez {file} ({size}, {duration}) avant le jour J.",
    "offline_2": "Réglez l’horloge de votre téléphone sur automatique (heure réseau).",
    "offline_3": "Appuyez sur lecture à {hhmmss} précises, le {date}.",
    "offline_note": "Pour un départ synchronisé, scannez plutôt le code de l’affiche.",
    "badge_scan": "Scannez : rejoint votre groupe",
    "badge_scan_nogroup": "Scannez pour participer",
    "flyer_scan": "Scannez pour participer",
    "calendar_join": "Participer (téléchargez votre fichier son avant le jour J) : {url}",
    "calendar_bring": "À apporter : {bring}",
    "calendar_meeting": "Point de rendez-vous : {meeting}",
    "calendar_safety": "Sécurité : {safety}",
    "calendar_organizer": "Organisé par {name} ({contact})",
    "tz_note": "heure de {tz}",
}

NBSP = "\u00a0"
NNBSP = "\u202f"


def french_spacing(text: str) -> str:
    """No-break spaces before ``: ; ? !`` and inside guillemets, as French typesetting wants."""
    for mark in (":", ";", "?", "!", "»"):
        text = text.replace(" " + mark, NBSP + mark)
    return text.replace("« ", "«" + NBSP)


FR = {key: french_spacing(value) for key, value in FR.items()}
TABLES = {"en": EN, "fr": FR}

_DAYS = {"en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
         "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")}
_MONTHS = {"en": ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"),
           "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                  "septembre", "octobre", "novembre", "décembre")}


def lang_key(language: str | None) -> str:
    primary = (language or "en").replace("_", "-").split("-")[0].lower()
    return primary if primary in TABLES else "en"


def labels(language: str | None) -> dict[str, str]:
    return TABLES[lang_key(language)]


def long_date(day: dt.date, language: str | None) -> str:
    """``Saturday 5 December 2026`` / ``samedi 5 décembre 2026`` (``1er`` in French)."""
    key = lang_key(language)
    n = "1er" if key == "fr" and day.day == 1 else str(day.day)
    return f"{_DAYS[key][day.weekday()]} {n} {_MONTHS[key][day.month - 1]} {day.year}"


def clock(t: dt.time | dt.datetime, seconds: bool = False) -> str:
    """24-hour ``18:00`` (``18:00:00`` with seconds)."""
    return t.strftime("%H:%M:%S" if seconds else "%H:%M")


def duration_text(ms: int) -> str:
    """``3 min 05 s``, ``1 h 02 min``: short, the same in English and French
    (no-break spaces: never split across lines)."""
    s = max(0, round(ms / 1000))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    if h:
        text = f"{h} h {m:02d} min"
    else:
        text = f"{m} min {sec:02d} s" if m else f"{sec} s"
    return text.replace(" ", NBSP)


def size_text(n_bytes: int, language: str | None) -> str:
    """``4.2 MB`` / ``4,2 Mo``."""
    mb = n_bytes / 1_000_000
    text = f"{mb:.1f}" if mb < 100 else f"{mb:.0f}"
    if lang_key(language) == "fr":
        return text.replace(".", ",") + NBSP + "Mo"
    return text + NBSP + "MB"
