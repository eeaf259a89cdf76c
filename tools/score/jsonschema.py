"""The JSON Schema of the score format (draft 2020-12), for editors.

It describes what an editor's YAML 1.2 language server sees (``1:30`` is a
string there, ``45`` a number), so time fields accept both. It is a helper
for completion and early hints; the authoritative validation (with
``file:line:col`` messages) is ``flashmob check``.
"""

from __future__ import annotations

from .limits import MAX_LINE_CHARS
from .model import ENGINES, FORMAT_VERSION
from .safety import MAX_EXITS, MAX_PEOPLE, MAX_TEXT
from .signups import DEFAULT_KEEP_DAYS, EMAIL_CHOICES, MAX_CAPACITY, MAX_KEEP_DAYS, MAX_NOTICE
from .surprise import SYMBOLS

_TIME = {
    "description": "A time: 45 (seconds), 1:30, 1:02:03.250, 90s, 500ms, 2m, 1m30s",
    "oneOf": [
        {"type": "number", "minimum": 0},
        {"type": "string",
         "pattern": r"^\s*(\d+(\.\d{1,6})?|(\d+:)?\d+:\d+(\.\d{1,6})?|(\d+(\.\d+)?h)?(\d+(\.\d+)?m)?(\d+(\.\d+)?s)?(\d+(\.\d+)?ms)?)\s*$"},
    ],
}
_GAIN = {"description": "Gain in dB, e.g. -6 or -6dB",
         "oneOf": [{"type": "number", "minimum": -60, "maximum": 24},
                   {"type": "string", "pattern": r"^[-+]?(\d+(\.\d*)?|\.\d+)\s*(dB|db)?$"}]}
_ID = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$"}
_TEXT = {"type": ["string", "number", "boolean"],
         # no control characters but tab and line feed (a pattern only constrains strings)
         "pattern": "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"}
_BOOL = {"type": ["boolean", "string"]}
_NAMES = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]}

_COMMON = {
    "id": {**_ID, "description": "Name of this cue, for 'after: ID' and 'stop: ID'"},
    "at": {**_TIME, "description": "Start time from the show (or section) start"},
    "after": {"description": "'previous', an earlier cue id, or a gap such as 2s",
              "type": ["string", "number"]},
    "gap": {**_TIME, "description": "Extra time after the 'after' anchor"},
    "groups": {**_NAMES, "description": "Groups this cue is for (default: all)"},
    "show": {**_TEXT, "description": "Caption shown on the phone"},
    "vibrate": {"description": "Vibration pattern in ms (on, off, on, ...)",
                "oneOf": [{"type": "integer", "minimum": 0, "maximum": 10000},
                          {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 10000},
                           "maxItems": 64}]},
}


def _cue(action: str, action_schema: dict, **extra) -> dict:
    props = {**_COMMON, action: action_schema, **extra}
    return {"type": "object", "required": [action], "properties": props, "additionalProperties": False}


def _cue_schema() -> dict:
    return {"oneOf": [
        _cue("say", {**_TEXT, "maxLength": MAX_LINE_CHARS, "description": "Text spoken by a voice"},
             voice={"type": "string"}, clip={"type": "string", "description": "Recording replacing TTS"},
             gain=_GAIN),
        _cue("sound", {"type": "string", "description": "Asset id"}, gain=_GAIN),
        _cue("music", {"type": "string", "description": "Asset id of the music bed"}, gain=_GAIN,
             fade_in=_TIME, fade_out=_TIME, loop=_BOOL, until=_TIME,
             duck={"description": "false, or the attenuation under speech in dB",
                   "oneOf": [{"type": "boolean"}, _GAIN]}),
        _cue("stop", {"type": "string", "description": "Id of the music cue to stop"}, fade_out=_TIME),
        _cue("countdown", {"type": "integer", "minimum": 1, "maximum": 60,
                           "description": "First number ('3' counts 3, 2, 1, then the beat)"},
             every=_TIME, voice={"type": "string"}, beep={"type": "string"}, beep_gain=_GAIN),
        _cue("play", {"type": "string", "description": "Section to play"},
             repeat={"type": "integer", "minimum": 1, "maximum": 1000}),
        _cue("end", {"oneOf": [{"type": "null"}, {"const": True}]}, fade_out=_TIME),
        {"type": "object", "required": ["show"], "properties": _COMMON, "additionalProperties": False,
         "not": {"anyOf": [{"required": [k]} for k in ("say", "sound", "music", "stop", "countdown",
                                                         "play", "end")]}},
    ]}


def _safety_schema() -> dict:
    people = {"type": "integer", "minimum": 0, "maximum": MAX_PEOPLE}
    text = {**_TEXT, "maxLength": MAX_TEXT}
    return {"type": ["object", "null"], "additionalProperties": False,
            "description": "The safety set-up, for the file given to the authorities (flashmob dossier); "
                           "organizer-only, never shown on phones",
            "properties": {
                "expected": {**people, "minimum": 1, "description": "Participants the organizer expects"},
                "stewards": {"description": "How many stewards, or {count, lead, note}", "oneOf": [
                    people, {"type": "object", "additionalProperties": False, "properties": {
                        "count": people, "lead": {**text, "description": "The chief steward and how to reach them"},
                        "note": {**text, "description": "How they are recognised, where they stand"}}}]},
                "first_aid": {**text, "description": "First aid: who, where"},
                "water": {**text, "description": "Where to find drinking water"},
                "exits": {"description": "Ways out of the place", "oneOf": [
                    text, {"type": "array", "items": text, "maxItems": MAX_EXITS}]},
                "console": {**text, "description": "Who holds the conductor's console, and how to reach them"}}}


def _signups_schema() -> dict:
    return {"type": ["object", "null"], "additionalProperties": False, "required": ["privacy"],
            "description": "A sign-up page served by the conductor before the show (docs/signups.md)",
            "properties": {
                "privacy": {"type": "string", "minLength": 1, "maxLength": MAX_NOTICE,
                            "description": "The privacy notice people agree to: what is kept, why, how long, "
                                           "who to ask"},
                "email": {"enum": list(EMAIL_CHOICES), "default": "no",
                          "description": "Whether the page asks for an e-mail address"},
                "capacity": {"type": "integer", "minimum": 1, "maximum": MAX_CAPACITY,
                             "description": "Places; beyond, a waiting list promoted when someone cancels"},
                "keep_days": {"type": "integer", "minimum": 0, "maximum": MAX_KEEP_DAYS,
                              "default": DEFAULT_KEEP_DAYS,
                              "description": "Days after the show before every sign-up is deleted"}}}


def score_schema() -> dict:
    """The JSON Schema document (a dict ready for ``json.dumps``)."""
    cue_list = {"type": "array", "items": {"$ref": "#/$defs/cue"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://flashmob.invalid/schema/score-1.json",
        "title": "flashmob score",
        "description": "A timed flashmob score (docs/score-format.md)",
        "type": "object",
        "required": ["flashmob", "title", "groups", "cues"],
        "additionalProperties": False,
        "properties": {
            "flashmob": {"const": FORMAT_VERSION, "description": "Format version"},
            "title": _TEXT,
            "organizer": {"oneOf": [{"type": "string"}, {
                "type": "object", "required": ["name"], "additionalProperties": False,
                "properties": {"name": _TEXT, "contact": _TEXT}}]},
            "language": {"type": "string", "description": "BCP 47 tag: en, fr, en-US..."},
            "sample_rate": {"enum": [32000, 44100, 48000]},
            "voice": {"type": "string", "description": "Default voice id"},
            "event": {"type": ["object", "null"], "additionalProperties": False, "properties": {
                "place": _TEXT, "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "time": {"type": ["string", "integer"]}, "timezone": {"type": "string"},
                "meeting_point": _TEXT, "safety": _TEXT, "bring": _TEXT}},
            "safety": _safety_schema(),
            "signups": _signups_schema(),
            "surprise": {"type": "object", "required": ["reveal"], "additionalProperties": False,
                         "description": "The groups are a surprise: phones are not told their group until "
                                        "the reveal",
                         "properties": {"reveal": {
                             "description": "A top-level cue id (the reveal is when it starts), a time from "
                                            "the show's start such as 12:30, or never",
                             "type": ["string", "number"]}}},
            "groups": {"type": "object", "minProperties": 1, "additionalProperties": {"oneOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": False, "properties": {
                    "name": _TEXT, "colour": {"type": "string"}, "color": {"type": "string"},
                    "share": {"type": "integer", "minimum": 1},
                    "symbol": {"enum": list(SYMBOLS), "description": "Shape shown with the name and colour "
                                                                    "at a surprise's reveal"}}}]}},
            "assets": {"type": "object", "additionalProperties": {
                "type": "string", "pattern": r"(?i)\.(wav|mp3|flac|ogg)$"}},
            "voices": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["engine"], "additionalProperties": False, "properties": {
                    "engine": {"enum": list(ENGINES)}, "voice": {"type": "string"},
                    "language": {"type": "string"}, "rate": {"type": "number", "minimum": 0.5, "maximum": 2},
                    "gain": _GAIN}}},
            "sections": {"type": "object", "additionalProperties": {"oneOf": [
                cue_list,
                {"type": "object", "required": ["cues"], "additionalProperties": False,
                 "properties": {"cues": cue_list, "length": _TIME}}]}},
            "cues": cue_list,
        },
        "$defs": {"cue": _cue_schema()},
    }
