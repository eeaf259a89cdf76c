"""The bundle manifest (``manifest.json``, docs/bundle-format.md): records, one writer, one parser.

The records below are the format: field order is the key order the renderer
writes, a field's :func:`~.records.spec` says what a reader accepts, and the
JSON Schema (docs/manifest.schema.json) is generated from them
(:mod:`.schema`).  A field with a default may be absent: hand-made and older
bundles omit what the renderer always writes (``settings``, ``loudness``,
segment ``encoder_delay``...), and readers ignore unknown keys.

* :func:`manifest_json` — the one writer: :class:`Manifest` -> JSON-ready dict.
* :func:`parse_manifest_json` — the one parser: the decoded JSON -> :class:`Manifest`,
  or :class:`ManifestError` whose message is ``manifest.json: <field path> <what
  was expected>`` (``manifest.json: groups[0].colour must be "#rrggbb" ...``).
  Before the records it checks ``format`` and ``version`` (``SUPPORTED_VERSIONS``),
  the nesting depth (``MAX_DEPTH``) and that every text is valid Unicode; then every
  value is type- and range-checked (a phone computes with these numbers), paths may
  not leave the bundle, and the cross-field rules hold (unique group ids, a positive
  share somewhere, spans that do not end before they start).

Format versions: ``1`` (the only one so far; adding a key is not a new version).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from . import colours
from .jsonshape import MAX_DEPTH, JsonShapeError, check_json, may_hold_lone_surrogate
from .duration import show_duration_us
from .records import RecordError, parse, spec, write
from .symbols import SYMBOLS

MANIFEST = "manifest.json"
FORMAT = "flashmob-bundle"
VERSION = 1                      # what the renderer writes
SUPPORTED_VERSIONS = (1,)        # what readers accept
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_DURATION_MS = 24 * 3600 * 1000  # one day: far above any show, far below 2**53 µs
MAX_SAMPLES = MAX_DURATION_MS * 384
MAX_GROUPS = 1000
MAX_TITLE_CHARS = 500
MAX_NAME_CHARS = 500
SAMPLE_RATES = (8_000, 384_000)
MAX_SHARE = 1_000_000
MAX_BYTES = 1 << 40

ID = r"^[A-Za-z0-9_-]{1,64}$"
ID_EXPECTED = "1-64 letters, digits, '-' or '_'"
SHA256 = r"^[0-9a-f]{64}$"
# relative, "/"-separated, no "..", no backslash, no NUL (the same rule as _check_path)
REL_PATH = r"^(?!/)(?!(.*/)?\.\.(/|$))[^\\\u0000]+$"


class BundleError(ValueError):
    """A folder or manifest that is not a usable show bundle: the message says why."""


class ManifestError(BundleError):
    """A manifest that is not a show bundle's: the message names the field."""


def _check_path(value: str, where: str) -> None:
    p = PurePosixPath(value)
    if p.is_absolute() or ".." in p.parts or "\\" in value or "\x00" in value:
        raise RecordError(f"{where} escapes the bundle: {value!r}")


def _path(doc: str, **kw: Any) -> Any:
    return spec(doc, min_length=1, pattern=REL_PATH, expected="a relative path inside the bundle",
                check=_check_path, **kw)


def _ms(doc: str, **kw: Any) -> Any:
    return spec(doc, minimum=0, maximum=MAX_DURATION_MS, **kw)


def _span_check(record: Any, where: str) -> None:
    if record.end_ms < record.start_ms:
        raise RecordError(f"{where} ends (end_ms {record.end_ms}) before it starts (start_ms {record.start_ms})")


@dataclass(frozen=True, kw_only=True)
class Organizer:
    """Who organizes the show (printed on posters)."""

    name: str | None = spec("the organizer's name", default=None)
    contact: str | None = spec("an e-mail address, phone or handle", default=None)


_EVENT_TEXT = {"default": None, "text_or_number": True}


@dataclass(frozen=True, kw_only=True)
class Event:
    """Practical information from the score's event block (printed, shown on phones)."""

    place: str | None = spec("where", **_EVENT_TEXT)
    date: str | None = spec("YYYY-MM-DD", **_EVENT_TEXT)
    time: str | None = spec("local wall-clock start, HH:MM", **_EVENT_TEXT)
    timezone: str | None = spec("IANA name, e.g. Europe/Paris", **_EVENT_TEXT)
    meeting_point: str | None = spec("where to meet", **_EVENT_TEXT)
    safety: str | None = spec("a safety note", **_EVENT_TEXT)
    bring: str | None = spec("what to bring", **_EVENT_TEXT)
    starts: str | None = spec("an ISO 8601 date-time (hand-made bundles; the renderer writes date and time)",
                              omit_none=True, **_EVENT_TEXT)


@dataclass(frozen=True, kw_only=True)
class Duration:
    """The show's length: ``samples`` at ``sample_rate`` (the rule: contract/duration.py), and in ms."""

    samples: int | None = spec("at sample_rate", default=None, minimum=1, maximum=MAX_SAMPLES)
    ms: int | None = spec("rounded up from samples", default=None, minimum=1, maximum=MAX_DURATION_MS)


@dataclass(frozen=True, kw_only=True)
class Mp3:
    """A group's full MP3 (tagged, constant bitrate, gapless)."""

    path: str = _path("relative to the bundle, with /")
    bytes: int | None = spec("file size", default=None, minimum=0, maximum=MAX_BYTES)
    sha256: str | None = spec("of the file", default=None, pattern=SHA256, expected="64 lower-case hex digits")
    samples: int | None = spec("decoded length", default=None, minimum=1, maximum=MAX_SAMPLES)
    duration_ms: int | None = _ms("rounded up from samples", default=None)


@dataclass(frozen=True, kw_only=True)
class Segment:
    """A web-playback segment: ``samples`` of the timeline from ``first_sample``, decodable alone."""

    path: str = _path("relative to the bundle, with /")
    first_sample: int = spec("the sum of the previous segments' samples", minimum=0, maximum=MAX_SAMPLES)
    samples: int = spec("decoded length", minimum=1, maximum=MAX_SAMPLES)
    bytes: int | None = spec("file size", default=None, minimum=0, maximum=MAX_BYTES)
    sha256: str | None = spec("of the file", default=None, pattern=SHA256, expected="64 lower-case hex digits")
    encoder_delay: int | None = spec("leading samples the decoder drops (LAME tag)", default=None,
                                     minimum=0, maximum=1 << 20)
    padding: int | None = spec("trailing samples the decoder drops (LAME tag)", default=None,
                               minimum=0, maximum=1 << 20)


@dataclass(frozen=True, kw_only=True)
class Loudness:
    """The group's MP3 as decoded: integrated loudness (LUFS) and true peak (dBTP)."""

    integrated_lufs: float = spec("ITU-R BS.1770")
    true_peak_dbtp: float = spec("dB true peak")


@dataclass(frozen=True, kw_only=True)
class Cue:
    """One timeline event of a group.

    ``start_ms``/``end_ms`` are the event's own span (real speech durations; an
    event without audio has ``end_ms == start_ms``).  ``caption_end_ms`` is when
    its caption leaves the screen by the caption rule (contract/captions.py),
    ``null`` when it shows none; a manifest without the key (written before it
    existed) shows a cue's text from ``start_ms`` to ``end_ms``.
    """

    id: str = spec("the event id (PLAY[n]/CUE inside a played section)", max_length=200)
    kind: str = spec("say, sound, music, caption or end", max_length=40)
    start_ms: int = _ms("when the event starts")
    end_ms: int = _ms("when its audio ends")
    text: str | None = spec("the caption text", default=None)
    vibrate: tuple[int, ...] | None = spec("vibration pattern (ms)", default=None, minimum=0, maximum=60_000,
                                           max_items=100)
    line: int | None = spec("line in the score", default=None, minimum=0, maximum=10_000_000)
    meeting: bool | None = spec("a cue every group shares", default=None)
    caption_end_ms: int | None = _ms("the caption is on screen from start_ms until then (null: never shown; "
                                     "absent in manifests written before it existed)", default=None)

    def _check(self, where: str) -> None:
        _span_check(self, where)
        if self.caption_end_ms is not None and self.caption_end_ms < self.start_ms:
            raise RecordError(f"{where}.caption_end_ms ({self.caption_end_ms}) is before start_ms ({self.start_ms})")


@dataclass(frozen=True, kw_only=True)
class Silence:
    """A stretch where nothing sounds: a player may re-anchor its clock there."""

    start_ms: int = _ms("start")
    end_ms: int = _ms("end")

    def _check(self, where: str) -> None:
        _span_check(self, where)


def _check_colour(value: str, where: str) -> None:
    if not colours.is_manifest_colour(value):
        raise RecordError(f"{where} must be {colours.EXPECTED}, got {value[:40]!r}")


@dataclass(frozen=True, kw_only=True)
class Group:
    """One participant group: its audio, captions, cues."""

    id: str = spec("letters, digits, - and _", pattern=ID, expected=ID_EXPECTED)
    name: str = spec("shown on phones and posters (default: the id)", min_length=1, max_length=MAX_NAME_CHARS,
                     default_from="id")
    colour: str = spec("the group colour", default=colours.DEFAULT_COLOUR, pattern=colours.MANIFEST_COLOUR,
                       expected=colours.EXPECTED, check=_check_colour)
    share: int = spec("whole-number weight when phones are assigned a group", default=1, minimum=0,
                      maximum=MAX_SHARE)
    mp3: Mp3 | None = spec("the full file", default=None)
    segments: tuple[Segment, ...] = spec("web-playback segments, tiling the timeline", default=())
    captions: str | None = _path("WebVTT captions", default=None)
    cover: str | None = _path("PNG cover", default=None)
    loudness: Loudness | None = spec("of the decoded MP3", default=None)
    cues: tuple[Cue, ...] = spec("every timeline event of the group, in time order", default=())
    silences: tuple[Silence, ...] = spec("stretches where nothing sounds", default=())
    symbol: str | None = spec("the shape shown with the name and colour when the group is revealed "
                              "(contract/symbols.py)", default=None, enum=SYMBOLS, omit_none=True)


@dataclass(frozen=True, kw_only=True)
class Surprise:
    """The groups are a surprise (docs/bundle-format.md, "Surprise groups"): until ``reveal_ms``
    (a position in the show; ``null``: never) a phone is not told its group.  The bundle's
    manifest is then for organizers only: the conductor gives each phone a view of its own
    group under an opaque alias (contract/surprise.py) and sends the group at the reveal."""

    reveal_ms: int | None = _ms("show position of the reveal (null: never revealed)", default=None)


@dataclass(frozen=True, kw_only=True)
class Encoding:
    """How the MP3s were encoded."""

    codec: str | None = spec("mp3", default=None, omit_none=True)
    bitrate_kbps: int | None = spec("constant bitrate", default=None, minimum=8, maximum=640, omit_none=True)
    channels: int | None = spec("1: mono", default=None, minimum=1, maximum=8, omit_none=True)
    quality: int | None = spec("LAME's quality (0 best - 9 fastest)", default=None, minimum=0, maximum=9,
                               omit_none=True)


@dataclass(frozen=True, kw_only=True)
class LoudnessTarget:
    """The loudness every group was normalised to."""

    target_lufs: float | None = spec("integrated loudness", default=None, omit_none=True)
    ceiling_dbtp: float | None = spec("true-peak ceiling", default=None, omit_none=True)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """How the bundle was rendered (part of the show id); hand-made bundles may leave any of it out."""

    encoding: Encoding | None = spec("MP3 encoding", default=None, omit_none=True)
    loudness: LoudnessTarget | None = spec("normalisation", default=None, omit_none=True)
    segment_seconds: float | None = spec("longest web-playback segment", default=None, minimum=0, omit_none=True)
    engines: dict[str, Any] | None = spec("speech and decoding engines: name -> version", default=None,
                                          omit_none=True)
    flashmob: str | None = spec("the renderer's version", default=None, omit_none=True)


def _check_version(value: int, where: str) -> None:
    if value not in SUPPORTED_VERSIONS:
        raise RecordError(f"version {value} is not supported (this reader reads version "
                          f"{', '.join(map(str, SUPPORTED_VERSIONS))})")


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """A show bundle's manifest.json (docs/bundle-format.md)."""

    format: str = spec("always flashmob-bundle", const=FORMAT, expected=f'"{FORMAT}"')
    version: int = spec("the format version", check=_check_version, enum=SUPPORTED_VERSIONS)
    show_id: str = spec("16 hex digits from the score, assets and settings", pattern=ID, expected=ID_EXPECTED)
    title: str = spec("the show's name", max_length=MAX_TITLE_CHARS)
    organizer: Organizer | None = spec("who organizes", default=None)
    language: str | None = spec("BCP 47 language of the texts", default=None, max_length=35)
    event: Event | None = spec("the score's event block", default=None)
    sample_rate: int | None = spec("of every timeline (Hz)", default=None, minimum=SAMPLE_RATES[0],
                                   maximum=SAMPLE_RATES[1])
    duration: Duration = spec("of every group's timeline (all groups have the same length)")
    meetings_ms: tuple[int, ...] = spec("where the groups come back together", default=(), minimum=0,
                                        maximum=MAX_DURATION_MS)
    settings: Settings = spec("how it was rendered", default_factory=Settings)
    groups: tuple[Group, ...] = spec("in score order", min_items=1, max_items=MAX_GROUPS)
    surprise: Surprise | None = spec("the groups are a surprise (absent: they are not)", default=None,
                                     omit_none=True)

    def _check(self, where: str) -> None:
        d = self.duration
        if d.samples is not None and self.sample_rate is not None \
                and d.samples > MAX_DURATION_MS * self.sample_rate // 1000:
            raise RecordError(f"duration.samples is longer than {MAX_DURATION_MS // 3_600_000} hours")
        if d.ms is None and (d.samples is None or self.sample_rate is None):
            raise RecordError("duration.ms is missing")
        if not self.groups:
            raise RecordError("groups is empty")
        seen: set[str] = set()
        for g in self.groups:
            if g.id in seen:
                raise RecordError(f"group id {g.id!r} appears twice")
            seen.add(g.id)
        if not any(g.share > 0 for g in self.groups):
            raise RecordError("at least one group needs a positive share")
        if self.surprise is not None and self.surprise.reveal_ms is not None \
                and self.surprise.reveal_ms > self.duration_ms:
            raise RecordError(f"surprise.reveal_ms ({self.surprise.reveal_ms}) is after the end of the show "
                              f"({self.duration_ms} ms)")

    @property
    def duration_us(self) -> int:
        """The show's length by the duration rule (contract/duration.py)."""
        us = show_duration_us(self.duration.samples, self.duration.ms, self.sample_rate)
        assert us is not None  # _check refused a manifest without one
        return us

    @property
    def duration_ms(self) -> int:
        """The show's length in ms, by the same rule (rounded up)."""
        return -(-self.duration_us // 1000)

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)


# ------------------------------------------------------------------ writer and parser


def manifest_json(manifest: Manifest) -> dict[str, Any]:
    """The one writer: the manifest as a JSON-ready dict (key order is part of the format)."""
    return write(manifest)


def parse_manifest_json(obj: Any, *, _texts: bool = True) -> Manifest:
    """The one parser: decoded JSON -> :class:`Manifest` (see the module docstring)."""
    if not isinstance(obj, dict):
        raise ManifestError(f"{MANIFEST} must hold an object")
    if obj.get("format") != FORMAT:
        raise ManifestError(f'{MANIFEST}: format must be "{FORMAT}"')
    version = obj.get("version")
    if type(version) is not int:
        raise ManifestError(f"{MANIFEST}: version is missing" if version is None
                            else f"{MANIFEST}: version must be a whole number, got {str(version)[:40]!r}")
    try:
        _check_version(version, "version")
    except RecordError as exc:
        raise ManifestError(f"{MANIFEST}: {exc}") from None
    try:
        check_json(obj, texts=_texts)
    except JsonShapeError as exc:
        raise ManifestError(f"{MANIFEST}: {exc}") from None
    try:
        return parse(Manifest, obj)
    except RecordError as exc:
        raise ManifestError(f"{MANIFEST}: {exc}") from None


def parse_manifest_bytes(raw: bytes) -> tuple[Manifest, dict[str, Any]]:
    """``manifest.json`` bytes -> (the record, the decoded JSON), size-limited (``MAX_MANIFEST_BYTES``)."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"{MANIFEST} is {len(raw)} bytes: the limit is {MAX_MANIFEST_BYTES}")
    try:
        obj = json.loads(raw)
    except RecursionError:
        raise ManifestError(f"{MANIFEST} is nested too deeply to be a show bundle") from None
    except ValueError as exc:
        raise ManifestError(f"{MANIFEST} is not JSON: {str(exc)[:200]}") from None
    # no \udXXX escape (nor surrogate-pass UTF-8) in the bytes: no text to check
    return parse_manifest_json(obj, _texts=may_hold_lone_surrogate(raw)), obj


def parse_part(cls: type, obj: Any, where: str) -> Any:
    """One part of a manifest (``Event`` at ``event``...), for readers of a part: ManifestError on error."""
    try:
        return parse(cls, obj, where)
    except RecordError as exc:
        raise ManifestError(f"{MANIFEST}: {exc}") from None


__all__ = ["MANIFEST", "FORMAT", "VERSION", "SUPPORTED_VERSIONS", "BundleError", "ManifestError", "Manifest",
           "Group", "Mp3", "Segment", "Cue", "Silence", "Loudness", "Settings", "Encoding", "LoudnessTarget",
           "Organizer", "Event", "Duration", "Surprise", "manifest_json", "parse_manifest_json", "parse_manifest_bytes",
           "parse_part"]
