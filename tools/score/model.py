"""The score model: what a valid score says, as frozen dataclasses.

A :class:`Score` is produced by :func:`tools.score.reader.read_score` and is
already validated field by field (types, ids, references). Times are integer
microseconds; gains are decibels. Each element keeps the :class:`Loc` of its
source so later stages (compiler, renderer) can report ``file:line:col``.

Timing of a cue (``Timing``): exactly one of ``at`` (absolute, relative to the
enclosing section's start) or ``after`` (relative to the end of an earlier
cue) is set; ``gap`` is added after the anchor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .errors import Loc

FORMAT_VERSION = 1
DEFAULT_SAMPLE_RATE = 44100
ENGINES = ("espeak", "piper", "clips")
ASSET_EXTENSIONS = (".wav", ".mp3", ".flac", ".ogg")
PREVIOUS = "previous"  # the `after` anchor meaning "the previous cue of my groups"


@dataclass(frozen=True)
class Organizer:
    name: str
    contact: str | None
    loc: Loc


@dataclass(frozen=True)
class Event:
    """Practical information printed on posters and shown on phones."""

    place: str | None = None
    date: str | None = None          # ISO 8601 date, e.g. 2026-12-05
    time: str | None = None          # local wall-clock start, HH:MM
    timezone: str | None = None      # IANA name, e.g. Europe/Paris
    meeting_point: str | None = None
    safety: str | None = None
    bring: str | None = None
    loc: Loc | None = None


@dataclass(frozen=True)
class Stewards:
    """Who keeps the crowd safe on the day (the ``safety.stewards`` entry)."""

    count: int | None = None         # how many stewards
    lead: str | None = None          # the chief steward and how to reach them
    note: str | None = None          # how they are recognised, where they stand


@dataclass(frozen=True)
class Safety:
    """The safety set-up, for the file given to the authorities (``flashmob dossier``).

    Organizer-only: never shown on phones nor printed on posters (the renderer
    writes it to the bundle's private ``.flashmob-safety.json``). Every field
    is optional; the dossier lists what is missing."""

    expected: int | None = None      # participants the organizer expects
    stewards: Stewards | None = None
    first_aid: str | None = None
    water: str | None = None
    exits: tuple[str, ...] = ()
    console: str | None = None       # who holds the conductor's console, and how to reach them
    loc: Loc | None = None


@dataclass(frozen=True)
class Signups:
    """The sign-up page the conductor serves before the show (the ``signups`` block, docs/signups.md)."""

    privacy: str                     # the notice people agree to
    email: str = "no"                # "no" | "optional" | "required"
    capacity: int | None = None      # places; beyond, a waiting list
    keep_days: int = 30              # days after the show before every sign-up is deleted
    loc: Loc | None = None


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    colour: str                      # "#rrggbb"
    share: int                       # weight for balanced assignment (>= 1)
    loc: Loc
    symbol: str | None = None        # contract/symbols.py; None = the default of its position


@dataclass(frozen=True)
class Surprise:
    """The groups are a surprise until the reveal (the ``surprise`` block).

    Exactly one of: ``reveal_cue`` (the reveal happens when that cue starts),
    ``reveal_at`` (µs from the show's start), or neither (never revealed)."""

    reveal_cue: str | None
    reveal_at: int | None
    loc: Loc


@dataclass(frozen=True)
class Asset:
    id: str
    path: str                        # as written, relative to the score
    loc: Loc


@dataclass(frozen=True)
class Voice:
    id: str
    engine: str                      # espeak | piper | clips
    voice: str | None                # espeak voice name / piper model name or .onnx path
    language: str | None
    rate: float                      # 1.0 = engine's normal speed
    gain_db: float
    loc: Loc


@dataclass(frozen=True)
class Timing:
    at: int | None                   # µs, relative to the enclosing block's start
    after: str | None                # PREVIOUS or a cue id
    gap: int                         # µs added after the anchor
    loc: Loc


# ---- actions ---------------------------------------------------------------

@dataclass(frozen=True)
class Say:
    text: str
    voice: str | None                # voice id; None = score default
    clip: str | None                 # asset id or path of a recording replacing TTS
    gain_db: float


@dataclass(frozen=True)
class Sound:
    asset: str
    gain_db: float


@dataclass(frozen=True)
class Music:
    asset: str
    gain_db: float
    fade_in: int                     # µs
    fade_out: int                    # µs
    loop: bool
    until: int | None                # µs (absolute, same frame as `at`)
    duck_db: float | None            # attenuation under speech; None = no ducking


@dataclass(frozen=True)
class Stop:
    music: str                       # id of the music cue to stop
    fade_out: int | None             # µs; None = the music cue's own fade_out


@dataclass(frozen=True)
class Countdown:
    count: int                       # first number spoken ("3" -> 3, 2, 1)
    every: int                       # µs between numbers
    voice: str | None
    beep: str | None                 # asset id; None = built-in beep
    beep_gain_db: float


@dataclass(frozen=True)
class Caption:
    """A silent cue: only shows text (and may vibrate)."""


@dataclass(frozen=True)
class End:
    fade_out: int                    # µs of fade applied to music still playing


@dataclass(frozen=True)
class Play:
    """Plays a section (``play: name``), ``repeat`` times back to back."""

    section: str
    repeat: int


Action = Union[Say, Sound, Music, Stop, Countdown, Caption, End, Play]
ACTION_KEYS = ("say", "sound", "music", "stop", "countdown", "show", "end", "play")


@dataclass(frozen=True)
class Cue:
    id: str | None                   # explicit id, for `after:` and `stop:`
    timing: Timing
    groups: tuple[str, ...] | None   # None = all groups (or the enclosing play's groups)
    action: Action
    show: str | None                 # caption text (say defaults to its text)
    vibrate: tuple[int, ...] | None  # ms pattern: on, off, on, ...
    loc: Loc

    @property
    def kind(self) -> str:
        return type(self.action).__name__.lower()


@dataclass(frozen=True)
class Section:
    name: str
    cues: tuple[Cue, ...]
    length: int | None               # µs; None = until its last cue ends
    loc: Loc


@dataclass(frozen=True)
class Score:
    file: str                        # path as given (for messages)
    base_dir: str                    # asset paths are relative to it
    version: int
    title: str
    organizer: Organizer | None
    language: str
    sample_rate: int
    default_voice: str | None
    event: Event | None
    groups: tuple[Group, ...]
    assets: dict[str, Asset] = field(default_factory=dict)
    voices: dict[str, Voice] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    cues: tuple[Cue, ...] = ()
    loc: Loc | None = None
    safety: Safety | None = None
    surprise: Surprise | None = None
    signups: Signups | None = None

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)

    def group(self, gid: str) -> Group:
        for g in self.groups:
            if g.id == gid:
                return g
        raise KeyError(gid)
