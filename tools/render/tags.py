"""ID3v2.4 tags of a group's MP3 (mutagen): what podcast apps and players show.

Written frames:

* ``TIT2`` "<show title> — <group name>", ``TALB`` show title, ``TPE1``
  organizer, ``TLAN`` language (ISO 639-2), ``APIC`` front cover (PNG);
* one ``CHAP`` per captioned cue (start/end in ms, ``TIT2`` = its text) under
  a top-level ordered ``CTOC``, so apps list the instructions as chapters;
* ``SYLT`` (synchronized lyrics, ms timestamps) with the same texts;
* ``TXXX:FLASHMOB_SHOW_ID`` and ``TXXX:FLASHMOB_GROUP`` for tools.

A surprise show's file (``surprise``, docs/score-format.md) must not give its
group away: ``TIT2`` is the show title alone and there is no
``TXXX:FLASHMOB_GROUP`` (``TXXX:FLASHMOB_SURPRISE`` = ``1`` instead); the
cover is the neutral one (tools/render/cover.py).

Tags sit in front of the audio frames and never change the decoded PCM (a
test decodes before and after). Output is deterministic (fixed padding).
"""

from __future__ import annotations

from dataclasses import dataclass

from mutagen.id3 import (APIC, CHAP, CTOC, ID3, SYLT, TALB, TIT2, TLAN, TPE1, TXXX, CTOCFlags, Encoding,
                         PictureType)

ISO639_2 = {"en": "eng", "fr": "fra", "de": "deu", "es": "spa", "it": "ita", "pt": "por", "nl": "nld",
            "pl": "pol", "ru": "rus", "ja": "jpn", "zh": "zho", "ar": "ara", "ca": "cat", "br": "bre"}
PADDING = 1024


@dataclass(frozen=True)
class Chapter:
    id: str
    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Mp3Tags:
    title: str
    group_name: str
    organizer: str | None
    language: str                 # BCP 47
    show_id: str
    group_id: str
    cover_png: bytes | None
    chapters: tuple[Chapter, ...]
    surprise: bool = False        # no group name nor id in the tags


def iso639_2(bcp47: str) -> str:
    return ISO639_2.get(bcp47.split("-")[0].lower(), "und")


def chapters_from_spans(spans, duration_ms: int) -> tuple[Chapter, ...]:
    """Contiguous chapters from caption spans [(start, end, id, text)]: each runs
    until the next one starts (apps expect chapters to tile the file)."""
    out = []
    for i, (start, _end, cid, text) in enumerate(spans):
        nxt = spans[i + 1][0] if i + 1 < len(spans) else duration_ms
        out.append(Chapter(f"ch{i:04d}", start, max(start + 1, nxt), text))
    return tuple(out)


def build_id3(tags: Mp3Tags) -> ID3:
    id3 = ID3()
    id3.add(TIT2(encoding=Encoding.UTF8, text=[tags.title if tags.surprise else f"{tags.title} — {tags.group_name}"]))
    id3.add(TALB(encoding=Encoding.UTF8, text=[tags.title]))
    if tags.organizer:
        id3.add(TPE1(encoding=Encoding.UTF8, text=[tags.organizer]))
    lang = iso639_2(tags.language)
    id3.add(TLAN(encoding=Encoding.UTF8, text=[lang]))
    if tags.cover_png:
        id3.add(APIC(encoding=Encoding.UTF8, mime="image/png", type=PictureType.COVER_FRONT,
                     desc="cover", data=tags.cover_png))
    if tags.chapters:
        id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                     child_element_ids=[c.id for c in tags.chapters],
                     sub_frames=[TIT2(encoding=Encoding.UTF8, text=["Instructions"])]))
        for c in tags.chapters:
            id3.add(CHAP(element_id=c.id, start_time=c.start_ms, end_time=c.end_ms,
                         start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                         sub_frames=[TIT2(encoding=Encoding.UTF8, text=[c.text])]))
        id3.add(SYLT(encoding=Encoding.UTF8, lang=lang, format=2, type=1, desc="instructions",
                     text=[(c.text, c.start_ms) for c in tags.chapters]))
    id3.add(TXXX(encoding=Encoding.UTF8, desc="FLASHMOB_SHOW_ID", text=[tags.show_id]))
    if tags.surprise:
        id3.add(TXXX(encoding=Encoding.UTF8, desc="FLASHMOB_SURPRISE", text=["1"]))
    else:
        id3.add(TXXX(encoding=Encoding.UTF8, desc="FLASHMOB_GROUP", text=[tags.group_id]))
    return id3


def write_tags(path: str, tags: Mp3Tags) -> None:
    """Prepend an ID3v2.4 tag to the MP3 at ``path`` (replacing any tag)."""
    build_id3(tags).save(path, v2_version=4, padding=lambda info: PADDING)
