"""The bundle manifest (docs/bundle-format.md), built from rendered facts (pure).

The manifest is a :class:`flashmob.contract.manifest.Manifest` record written
by the contract's one writer; durations follow the contract's duration rule
and each cue carries its caption span by the contract's caption rule.

:func:`show_id` hashes everything that determines the bundle's bytes: the
score text, every asset file's bytes, voice settings and engine versions,
encoding and loudness settings, and flashmob's version — so two bundles with
the same show id are the same show.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from flashmob.contract.captions import caption_spans
from flashmob.contract.duration import samples_to_ms
from flashmob.contract.manifest import (FORMAT, VERSION, Cue, Duration, Event, Group, Loudness, Manifest, Mp3,
                                        Organizer, Segment, Settings, Silence, Surprise, manifest_json)
from flashmob.contract.symbols import default_symbol
from flashmob.contract.records import parse, write
from flashmob.contract.safety import FORMAT as SAFETY_FORMAT
from flashmob.contract.safety import VERSION as SAFETY_VERSION
from flashmob.contract.safety import SafetyFile, Stewards
from flashmob.contract.signups import FORMAT as SIGNUP_FORMAT
from flashmob.contract.signups import VERSION as SIGNUP_VERSION
from flashmob.contract.signups import EmailRule, SignupSettings
from flashmob.tools.score.model import Safety, Score, Signups
from flashmob.tools.score.surprise import reveal_us
from flashmob.tools.score.timeline import GroupTimeline, Timeline


def show_id(score_text: bytes, asset_hashes: dict[str, str], settings: dict) -> str:
    """16 hex digits identifying the rendered show (see module docstring)."""
    h = hashlib.sha256()
    h.update(b"flashmob-show\0")
    h.update(score_text)
    h.update(json.dumps({"assets": asset_hashes, "settings": settings}, sort_keys=True).encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class FileFact:
    path: str          # relative posix path inside the bundle
    bytes: int
    sha256: str


@dataclass(frozen=True)
class SegmentFact:
    path: str
    first_sample: int
    samples: int
    bytes: int
    sha256: str
    encoder_delay: int
    padding: int


@dataclass(frozen=True)
class GroupFacts:
    """What rendering one group produced."""

    group_id: str
    mp3: FileFact
    segments: tuple[SegmentFact, ...]
    captions: str
    cover: str
    integrated_lufs: float             # of the MP3 as decoded (tools.codec_check), not of the PCM
    true_peak_dbtp: float


def cue_records(group: GroupTimeline, duration_ms: int) -> tuple[Cue, ...]:
    """Every event of the group, with its caption span by the caption rule (contract/captions.py)."""
    shown = {span.id: span.end_ms for span in caption_spans(group.events, duration_ms)}
    return tuple(Cue(id=e.id, kind=e.kind, start_ms=e.start_us // 1000, end_ms=max(e.start_us, e.end_us) // 1000,
                     text=e.caption, vibrate=tuple(e.vibrate) if e.vibrate else None, line=e.loc.line,
                     meeting=e.meeting, caption_end_ms=shown.get(e.id))
                 for e in group.events)


def cue_list(group: GroupTimeline, duration_ms: int) -> list[dict]:
    return [write(c) for c in cue_records(group, duration_ms)]


def manifest_record(score: Score, timeline: Timeline, facts: dict[str, GroupFacts], sid: str,
                    silences: dict[str, list[tuple[int, int]]], settings: dict) -> Manifest:
    """The manifest record of a rendered show."""
    sr = timeline.sample_rate
    duration_ms = samples_to_ms(timeline.duration, sr)
    groups = []
    surprise = score.surprise is not None
    for index, gt in enumerate(timeline.groups):
        g, f = gt.group, facts[gt.group.id]
        groups.append(Group(
            id=g.id, name=g.name, colour=g.colour, share=g.share,
            mp3=Mp3(path=f.mp3.path, bytes=f.mp3.bytes, sha256=f.mp3.sha256, samples=timeline.duration,
                    duration_ms=duration_ms),
            segments=tuple(Segment(**asdict(s)) for s in f.segments),
            captions=f.captions, cover=f.cover,
            loudness=Loudness(integrated_lufs=round(f.integrated_lufs, 2), true_peak_dbtp=round(f.true_peak_dbtp, 2)),
            cues=cue_records(gt, duration_ms),
            silences=tuple(Silence(start_ms=a, end_ms=b) for a, b in silences[g.id]),
            symbol=(g.symbol or default_symbol(index)) if surprise or g.symbol else None,
        ))
    reveal = reveal_us(score, timeline) if surprise else None
    org, event = score.organizer, score.event
    return Manifest(
        format=FORMAT, version=VERSION, show_id=sid, title=score.title,
        organizer=Organizer(name=org.name, contact=org.contact) if org else None,
        language=score.language,
        event=Event(**{k: v for k, v in asdict(event).items() if k != "loc"}) if event else None,
        sample_rate=sr, duration=Duration(samples=timeline.duration, ms=duration_ms),
        meetings_ms=tuple(us // 1000 for us in timeline.meetings_us),
        settings=parse(Settings, settings, "settings"), groups=tuple(groups),
        surprise=Surprise(reveal_ms=None if reveal is None else reveal // 1000) if surprise else None)


def safety_record(safety: Safety) -> SafetyFile:
    """The bundle's private safety file (contract/safety.py) of the score's ``safety`` block."""
    st = safety.stewards
    return SafetyFile(format=SAFETY_FORMAT, version=SAFETY_VERSION, expected=safety.expected,
                      stewards=Stewards(count=st.count, lead=st.lead, note=st.note) if st else None,
                      first_aid=safety.first_aid, water=safety.water, exits=tuple(safety.exits),
                      console=safety.console)


def signup_record(signups: Signups) -> SignupSettings:
    """The bundle's sign-up settings file (contract/signups.py) of the score's ``signups`` block."""
    return SignupSettings(format=SIGNUP_FORMAT, version=SIGNUP_VERSION, privacy=signups.privacy,
                          email=EmailRule(signups.email), capacity=signups.capacity, keep_days=signups.keep_days)


def build_manifest(score: Score, timeline: Timeline, facts: dict[str, GroupFacts], sid: str,
                   silences: dict[str, list[tuple[int, int]]], settings: dict) -> dict:
    """The manifest as a JSON-ready dict, through the one writer (key order is part of the format)."""
    return manifest_json(manifest_record(score, timeline, facts, sid, silences, settings))
