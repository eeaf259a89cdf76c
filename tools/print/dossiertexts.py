"""The words of the dossier for the authorities, in English and French.

Like :mod:`tools.print.texts` (whose date and time formats it shares), a table
per language, picked by the primary tag (``fr-CA`` -> ``fr``; anything else
-> English). ``{...}`` fields are filled by :mod:`tools.print.dossier`.
French typesetting spaces (no-break space before ``: ; ? !``) are applied to
the French table once.
"""

from __future__ import annotations

from .texts import french_spacing, lang_key

EN = {
    "heading": "Event file for the authorities",
    "surprise": "ORGANIZERS ONLY: the groups of this show are a surprise until it reveals them; this file "
                "names them. Do not show it to participants.",
    "intro": "Information on a public gathering, to attach to the declaration made to the town hall "
             "or the prefecture. Made by flashmob from the show as rendered (show {show_id}).",
    "s_organizer": "Organizer",
    "organizer": "Organizer",
    "contact": "Contact",
    "s_event": "Date, time and place",
    "title": "Event",
    "date": "Date",
    "start": "Start",
    "duration": "Duration",
    "end": "End",
    "place": "Place",
    "meeting_point": "Meeting point",
    "meetings": "Moments when all groups meet",
    "meeting_at": "{time}: {text}",
    "tz": "{tz} time",
    "s_attendance": "Expected attendance",
    "attendance": "Expected",
    "people": "{n} participants",
    "from_signups": "from the sign-ups ({n} people signed up)",
    "from_capacity": "the admission limit of the conductor (flashmob serve --capacity {n}): no more phones "
                     "are admitted",
    "from_expected": "the organizer's estimate (score, safety block)",
    "also_capacity": "Admission limit",
    "also_expected": "Organizer's estimate",
    "s_programme": "Programme",
    "programme_intro": "Duration {duration}. The plan below shows what each group hears and does, on a time "
                       "axis; yellow bands mark the moments all groups meet.",
    "plan_title": "The plan of the show",
    "movements": "What participants are asked to do",
    "col_time": "Time",
    "col_groups": "Groups",
    "col_what": "Instruction",
    "everyone": "everyone",
    "s_safety": "Safety set-up",
    "stewards": "Stewards",
    "stewards_n": "{n} stewards",
    "steward_lead": "Chief steward",
    "first_aid": "First aid",
    "water": "Water",
    "exits": "Exits",
    "participant_note": "Safety note to participants (posters, phones)",
    "console": "Console (stops the show, sends messages)",
    "s_alert": "Urgent messages and stopping the show",
    "alert_how": "The person at the console can, at any moment, stop the show (abort, with a reason shown "
                 "on every phone; the sound fades out) or send an urgent message that takes over every "
                 "phone's screen (for example \u201cStop. Medic to the fountain.\u201d). Both go at once to "
                 "every connected phone, or to one group. A phone that reconnects receives the messages of "
                 "the last 15 minutes. Stopping works even when the conductor cannot write to its disk.",
    "alert_measured": "Measured delay from the console to the last phone (docs/benchmarks.md, section "
                      "\u201c{section}\u201d, table \u201c{table}\u201d; command: {command}):",
    "alert_row": "{phones} phones: {ms} ms",
    "alert_applies": "For {n} participants, the measured figure that applies is {ms} ms ({phones} phones).",
    "alert_beyond": "{n} participants is more than one conductor process served within its targets in these "
                    "measurements ({healthy} phones); above {largest} phones nothing was measured.",
    "alert_caveats": "These figures are for the broadcast of the start order, on one computer with two "
                     "cores, without the radio network; stop orders and messages leave by the same "
                     "broadcast without waiting for the disk write, and were not timed separately. The "
                     "mobile network of the day adds its own delay, and phones without a connection (those "
                     "playing the downloaded MP3 on their own) are not reached: the stewards relay the "
                     "message by voice.",
    "s_complete": "To complete",
    "complete_notice": "{n} fact(s) to complete before sending this file: see \u201cTo complete\u201d at the end.",
    "complete_intro": "These facts are not in the show's files. Add them (in the score, then render again) "
                      "or write them in by hand before sending this file:",
    "nothing_missing": "Nothing: every fact of this file comes from the show.",
    "missing_value": "to complete",
    "m_organizer": "The organizer's name: add `organizer: {name: ..., contact: ...}` to the score.",
    "m_contact": "How to reach the organizer: add `contact:` (phone or e-mail) to `organizer:` in the score.",
    "m_date": "The date and start time: add `date:` and `time:` to the score's `event:` block "
              "(or pass --start 2026-12-05T18:00).",
    "m_timezone": "The timezone: add `timezone:` (such as Europe/Paris) to the score's `event:` block.",
    "m_place": "The place: add `place:` to the score's `event:` block.",
    "m_meeting": "The meeting point: add `meeting_point:` to the score's `event:` block.",
    "m_attendance": "The expected attendance: add `expected:` to the score's `safety:` block, or pass "
                    "--capacity N (the limit given to flashmob serve).",
    "m_safety": "The safety set-up: the score has no `safety:` block (stewards, first aid, water, exits, "
                "console; docs/score-format.md). Add it and render again.",
    "m_stewards": "The stewards: add `stewards:` (how many; `lead:` and `note:`) to the score's `safety:` block.",
    "m_steward_lead": "The chief steward and how to reach them: add `lead:` under `stewards:` in the `safety:` block.",
    "m_first_aid": "First aid: add `first_aid:` (who, where) to the score's `safety:` block.",
    "m_water": "Drinking water: add `water:` to the score's `safety:` block.",
    "m_exits": "The exits: add `exits:` (a list) to the score's `safety:` block.",
    "m_console": "Who holds the console: add `console:` (name, phone, where) to the score's `safety:` block.",
    "page": "Page {n}",
}

FR = {
    "heading": "Dossier de la manifestation pour les autorités",
    "surprise": "RÉSERVÉ AUX ORGANISATEURS : les groupes de ce spectacle sont une surprise jusqu’à leur "
                "révélation ; ce dossier les nomme. Ne le montrez pas aux participants.",
    "intro": "Informations sur un rassemblement sur la voie publique, à joindre à la déclaration faite en "
             "mairie ou en préfecture. Établi par flashmob à partir du spectacle tel que rendu "
             "(spectacle {show_id}).",
    "s_organizer": "Organisateur",
    "organizer": "Organisateur",
    "contact": "Contact",
    "s_event": "Date, heure et lieu",
    "title": "Manifestation",
    "date": "Date",
    "start": "Début",
    "duration": "Durée",
    "end": "Fin",
    "place": "Lieu",
    "meeting_point": "Point de rendez-vous",
    "meetings": "Moments où tous les groupes se retrouvent",
    "meeting_at": "{time} : {text}",
    "tz": "heure de {tz}",
    "s_attendance": "Participation attendue",
    "attendance": "Attendus",
    "people": "{n} participants",
    "from_signups": "d’après les inscriptions ({n} personnes inscrites)",
    "from_capacity": "la limite d’admission du chef d’orchestre (flashmob serve --capacity {n}) : aucun "
                     "téléphone de plus n’est admis",
    "from_expected": "l’estimation de l’organisateur (partition, bloc safety)",
    "also_capacity": "Limite d’admission",
    "also_expected": "Estimation de l’organisateur",
    "s_programme": "Programme",
    "programme_intro": "Durée {duration}. Le plan ci-dessous montre ce que chaque groupe entend et fait, sur "
                       "un axe du temps ; les bandes jaunes marquent les moments où tous les groupes se "
                       "retrouvent.",
    "plan_title": "Le plan du spectacle",
    "movements": "Ce qui est demandé aux participants",
    "col_time": "Heure",
    "col_groups": "Groupes",
    "col_what": "Consigne",
    "everyone": "tous",
    "s_safety": "Dispositif de sécurité",
    "stewards": "Bénévoles de sécurité",
    "stewards_n": "{n} bénévoles",
    "steward_lead": "Responsable des bénévoles",
    "first_aid": "Premiers secours",
    "water": "Eau",
    "exits": "Sorties",
    "participant_note": "Consigne de sécurité aux participants (affiches, téléphones)",
    "console": "Console (arrête le spectacle, envoie des messages)",
    "s_alert": "Messages urgents et arrêt du spectacle",
    "alert_how": "La personne à la console peut, à tout moment, arrêter le spectacle (avec un motif affiché "
                 "sur chaque téléphone ; le son s’estompe) ou envoyer un message urgent qui occupe tout "
                 "l’écran de chaque téléphone (par exemple « Stop. Un secouriste à la fontaine. »). L’un "
                 "et l’autre partent aussitôt vers tous les téléphones connectés, ou vers un groupe. Un "
                 "téléphone qui se reconnecte reçoit les messages des 15 dernières minutes. L’arrêt "
                 "fonctionne même si le chef d’orchestre ne peut plus écrire sur son disque.",
    "alert_measured": "Délai mesuré de la console au dernier téléphone (docs/benchmarks.md, section "
                      "« {section} », tableau « {table} » ; commande : {command}) :",
    "alert_row": "{phones} téléphones : {ms} ms",
    "alert_applies": "Pour {n} participants, la mesure qui s’applique est {ms} ms ({phones} téléphones).",
    "alert_beyond": "{n} participants, c’est plus que ce qu’un processus du chef d’orchestre a servi en "
                    "tenant ses objectifs dans ces mesures ({healthy} téléphones) ; au-delà de {largest} "
                    "téléphones, rien n’a été mesuré.",
    "alert_caveats": "Ces chiffres valent pour la diffusion de l’ordre de départ, sur un ordinateur à deux "
                     "cœurs, sans réseau radio ; l’arrêt et les messages partent par la même diffusion sans "
                     "attendre l’écriture sur disque, et n’ont pas été chronométrés à part. Le réseau mobile "
                     "du jour ajoute son propre délai, et les téléphones sans connexion (ceux qui jouent le "
                     "MP3 téléchargé par eux-mêmes) ne sont pas atteints : les bénévoles relaient le message "
                     "de vive voix.",
    "s_complete": "À compléter",
    "complete_notice": "{n} information(s) à compléter avant d’envoyer ce dossier : voir « À compléter » à la fin.",
    "complete_intro": "Ces informations ne figurent pas dans les fichiers du spectacle. Ajoutez-les (dans la "
                      "partition, puis refaites le rendu) ou écrivez-les à la main avant d’envoyer ce dossier :",
    "nothing_missing": "Rien : chaque information de ce dossier vient du spectacle.",
    "missing_value": "à compléter",
    "m_organizer": "Le nom de l’organisateur : ajoutez `organizer: {name: ..., contact: ...}` à la partition.",
    "m_contact": "Comment joindre l’organisateur : ajoutez `contact:` (téléphone ou courriel) à `organizer:` "
                 "dans la partition.",
    "m_date": "La date et l’heure de début : ajoutez `date:` et `time:` au bloc `event:` de la partition "
              "(ou passez --start 2026-12-05T18:00).",
    "m_timezone": "Le fuseau horaire : ajoutez `timezone:` (par exemple Europe/Paris) au bloc `event:`.",
    "m_place": "Le lieu : ajoutez `place:` au bloc `event:` de la partition.",
    "m_meeting": "Le point de rendez-vous : ajoutez `meeting_point:` au bloc `event:` de la partition.",
    "m_attendance": "La participation attendue : ajoutez `expected:` au bloc `safety:` de la partition, ou "
                    "passez --capacity N (la limite donnée à flashmob serve).",
    "m_safety": "Le dispositif de sécurité : la partition n’a pas de bloc `safety:` (bénévoles, secours, eau, "
                "sorties, console ; docs/score-format.md). Ajoutez-le et refaites le rendu.",
    "m_stewards": "Les bénévoles de sécurité : ajoutez `stewards:` (combien ; `lead:` et `note:`) au bloc `safety:`.",
    "m_steward_lead": "Le responsable des bénévoles et son numéro : ajoutez `lead:` sous `stewards:` dans le "
                      "bloc `safety:`.",
    "m_first_aid": "Les premiers secours : ajoutez `first_aid:` (qui, où) au bloc `safety:`.",
    "m_water": "L’eau potable : ajoutez `water:` au bloc `safety:`.",
    "m_exits": "Les sorties : ajoutez `exits:` (une liste) au bloc `safety:`.",
    "m_console": "Qui tient la console : ajoutez `console:` (nom, téléphone, emplacement) au bloc `safety:`.",
    "page": "Page {n}",
}

FR = {key: french_spacing(value) for key, value in FR.items()}
TABLES = {"en": EN, "fr": FR}
LANGUAGES = tuple(TABLES)


def dossier_labels(language: str | None) -> dict[str, str]:
    return TABLES[lang_key(language)]


__all__ = ["EN", "FR", "LANGUAGES", "dossier_labels"]
