"""Score text -> validated :class:`~tools.score.model.Score`.

:func:`read_score` is pure except for the injected ``file_exists`` used to
check asset paths; :func:`load_score` is the file-reading shell. Both raise
:class:`~tools.score.errors.ScoreError` with *every* problem found, and
nothing else, whatever the input. Warnings (non-fatal) are returned in
``Diagnostics`` for the caller to print.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from .colours import default_colour, parse_colour
from .cues import Context, read_cue
from .errors import Diagnostic, Diagnostics, Loc, ScoreError, one_of
from .fields import ID_PATTERN, Fields, describe
from .model import (ASSET_EXTENSIONS, DEFAULT_SAMPLE_RATE, ENGINES, FORMAT_VERSION, Asset, Cue,
                    Event, Group, Organizer, Score, Section, Voice)
from .safety import read_safety
from .signups import read_signups
from .surprise import read_surprise, read_symbol
from .source import Map, Scalar, Seq, parse_yaml

HEADER_KEYS = ("flashmob", "title", "organizer", "language", "sample_rate", "voice", "event", "safety", "signups",
               "surprise", "groups", "assets", "voices", "sections", "cues")
SAMPLE_RATES = (32000, 44100, 48000)  # MPEG-1 layer III rates
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?(-[A-Za-z0-9]{5,8}|-\d[A-Za-z0-9]{3})*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")
from .cues import IMPLICIT_VOICE as DEFAULT_VOICE_ID


def _named_ids(node: Map, diags: Diagnostics, kind: str):
    for key, value in node.entries:
        if not ID_PATTERN.match(key.text):
            diags.error(key.loc, f"{kind} id '{key.text}' must be letters, digits, '_' or '-', "
                                 "starting with a letter")
            continue
        yield key, value


def _read_groups(f: Fields) -> tuple[Group, ...]:
    node = f.mapping("groups", required=True, hint="e.g. 'groups: {red: {name: Reds}}'")
    if node is None:
        return ()
    groups = []
    for index, (key, value) in enumerate(_named_ids(node, f.diags, "group")):
        if isinstance(value, Scalar) and not value.is_null:
            groups.append(Group(key.text, value.text.strip(), default_colour(index), 1, key.loc))
            continue
        if not isinstance(value, Map):
            value = Map((), key.loc)
        g = Fields(value, f.diags, f"group '{key.text}'")
        name = g.text("name", default=key.text)
        colour = default_colour(index)
        ckey = "colour" if g.has("colour") or not g.has("color") else "color"
        cnode = g.raw(ckey)
        if isinstance(cnode, Scalar) and cnode.is_null:
            f.diags.error(g.key_loc(ckey), f"'{ckey}' is empty; in YAML an unquoted '#' starts a comment: "
                                           f"write {ckey}: \"#d32f2f\" (with quotes) or a name such as red")
        elif cnode is not None:
            parsed = parse_colour(cnode.text) if isinstance(cnode, Scalar) else None
            if parsed is None:
                g.bad(ckey, "a colour such as \"#d32f2f\", \"#d33\" or a name such as red")
            else:
                colour = parsed
        share = g.integer("share", default=1, minimum=1, expected="a whole-number weight such as 1 or 2")
        symbol = read_symbol(g)
        g.finish(("name", "colour", "color", "share", "symbol"))
        groups.append(Group(key.text, name or key.text, colour, share or 1, key.loc, symbol))
    if not groups and not f.diags.has_errors:
        f.diags.error(node.loc, "'groups' is empty; a score has at least one group")
    return tuple(groups)


def _read_assets(f: Fields, base_dir: str, file_exists: Callable[[str], bool]) -> dict[str, Asset]:
    node = f.mapping("assets")
    if node is None:
        return {}
    assets = {}
    for key, value in _named_ids(node, f.diags, "asset"):
        if not isinstance(value, Scalar) or value.is_null:
            f.diags.error(value.loc if not isinstance(value, Scalar) else key.loc,
                          f"asset '{key.text}' must be a file path such as sounds/gong.wav, found {describe(value)}")
            continue
        path = value.text.strip()
        ext = os.path.splitext(path)[1].lower()
        if ext not in ASSET_EXTENSIONS:
            f.diags.error(value.loc, f"asset '{key.text}': '{path}' is not an audio file; expected "
                                     f"{one_of(ASSET_EXTENSIONS)}")
        elif not file_exists(os.path.join(base_dir, path)):
            f.diags.error(value.loc, f"asset '{key.text}': file '{path}' not found "
                                     f"(paths are relative to the score's folder)")
        assets[key.text] = Asset(key.text, path, value.loc)
    return assets


def _read_voices(f: Fields) -> dict[str, Voice]:
    node = f.mapping("voices")
    if node is None:
        return {}
    voices = {}
    for key, value in _named_ids(node, f.diags, "voice"):
        if not isinstance(value, Map):
            f.diags.error(value.loc, f"voice '{key.text}' is a mapping such as '{{engine: espeak, "
                                     f"language: fr}}', found {describe(value)}")
            continue
        v = Fields(value, f.diags, f"voice '{key.text}'")
        engine = v.text("engine", required=True, hint=f"one of {one_of(ENGINES)}")
        if engine is not None and engine not in ENGINES:
            v.bad("engine", one_of(ENGINES))
            engine = None
        language = v.text("language")
        if language is not None and not _BCP47.match(language):
            v.bad("language", "a BCP 47 language tag such as fr, en-US or pt-BR")
        voice = Voice(key.text, engine or "espeak", v.text("voice"), language,
                      v.number("rate", default=1.0, minimum=0.5, maximum=2.0,
                               expected="a speed factor (1.0 = normal)") or 1.0,
                      v.gain("gain"), key.loc)
        v.finish(("engine", "voice", "language", "rate", "gain"))
        if engine is not None:
            voices[key.text] = voice
    return voices


def _read_event(f: Fields) -> Event | None:
    node = f.mapping("event")
    if node is None:
        return None
    e = Fields(node, f.diags, "the event block")
    date = e.text("date")
    if date is not None and not _DATE.match(date):
        e.bad("date", "a date written YYYY-MM-DD, such as 2026-12-05")
        date = None
    time = e.text("time")
    if time is not None:
        m = _CLOCK.match(time)
        if not m:
            e.bad("time", "a local clock time such as 18:30")
            time = None
        else:
            time = f"{int(m.group(1)):02d}:{m.group(2)}"
    event = Event(place=e.text("place"), date=date, time=time, timezone=e.text("timezone"),
                  meeting_point=e.text("meeting_point"), safety=e.text("safety"),
                  bring=e.text("bring"), loc=node.loc)
    e.finish()
    return event


def _read_organizer(f: Fields) -> Organizer | None:
    node = f.raw("organizer")
    if node is None or (isinstance(node, Scalar) and node.is_null):
        return None
    if isinstance(node, Scalar):
        return Organizer(node.text.strip(), None, node.loc)
    if not isinstance(node, Map):
        f.bad("organizer", "a name, or a mapping with 'name' and 'contact'")
        return None
    o = Fields(node, f.diags, "the organizer block")
    org = Organizer(o.text("name", required=True) or "", o.text("contact"), node.loc)
    o.finish()
    return org


def _read_cue_list(seq: Seq | None, diags: Diagnostics, ctx: Context) -> tuple[Cue, ...]:
    if seq is None:
        return ()
    cues = [read_cue(item, diags, ctx) for item in seq.items]
    seen: dict[str, Loc] = {}
    for cue in cues:
        if cue is not None and cue.id is not None:
            if cue.id in seen:
                diags.error(cue.loc, f"cue id '{cue.id}' is already used at line {seen[cue.id].line}; "
                                     "ids are unique")
            seen.setdefault(cue.id, cue.loc)
    return tuple(c for c in cues if c is not None)


def _read_sections(f: Fields, ctx: Context) -> dict[str, Section]:
    node = f.mapping("sections")
    if node is None:
        return {}
    sections = {}
    for key, value in _named_ids(node, f.diags, "section"):
        sctx = Context(ctx.groups, ctx.voices, ctx.assets, ctx.sections, in_section=key.text)
        if isinstance(value, Seq):
            sections[key.text] = Section(key.text, _read_cue_list(value, f.diags, sctx), None, key.loc)
            continue
        if not isinstance(value, Map):
            f.diags.error(value.loc, f"section '{key.text}' is a list of cues, or a mapping with 'cues' "
                                     f"(and optional 'length'), found {describe(value)}")
            continue
        s = Fields(value, f.diags, f"section '{key.text}'")
        length = s.time("length")
        cues = _read_cue_list(s.sequence("cues", required=True), f.diags, sctx)
        s.finish(("cues", "length"))
        sections[key.text] = Section(key.text, cues, length, key.loc)
    return sections


def read_score(text: str, file: str = "<score>", base_dir: str = ".",
               file_exists: Callable[[str], bool] = os.path.isfile,
               diags: Diagnostics | None = None) -> Score:
    """Parse and validate a score. Raises ScoreError listing every problem;
    warnings are left in ``diags`` (pass one to receive them)."""
    diags = diags if diags is not None else Diagnostics()
    root = parse_yaml(text, file, diags)
    if not isinstance(root, Map):
        found = "an empty file" if root is None else describe(root)
        loc = Loc(file, 1, 1) if root is None else root.loc
        raise ScoreError(diags.items + [Diagnostic(loc, f"a score is a YAML mapping starting with "
                                                        f"'flashmob: {FORMAT_VERSION}', found {found}")])
    f = Fields(root, diags, "the score")
    version = f.integer("flashmob", required=True, expected=f"the format version {FORMAT_VERSION}",
                        hint=f"the first line of a score is 'flashmob: {FORMAT_VERSION}'")
    if version is not None and version != FORMAT_VERSION:
        f.bad("flashmob", f"the format version {FORMAT_VERSION} (this flashmob reads version "
                          f"{FORMAT_VERSION} scores)")
    title = f.text("title", required=True, hint="the show's name, shown on phones and posters")
    language = f.text("language", default="en")
    if not _BCP47.match(language or ""):
        f.bad("language", "a BCP 47 language tag such as fr, en-US or pt-BR")
        language = "en"
    rate = f.integer("sample_rate", default=DEFAULT_SAMPLE_RATE)
    if rate not in SAMPLE_RATES:
        f.bad("sample_rate", "one of " + ", ".join(str(r) for r in SAMPLE_RATES))
        rate = DEFAULT_SAMPLE_RATE
    groups = _read_groups(f)
    base_dir = base_dir or "."
    assets = _read_assets(f, base_dir, file_exists)
    voices = _read_voices(f)
    default_voice = f.text("voice")
    if default_voice is not None and default_voice not in voices and default_voice != DEFAULT_VOICE_ID:
        from .cues import _check_ref
        _check_ref(diags, f.loc("voice"), "voice", default_voice, tuple(voices), "add it under 'voices:'")
    section_node = root.get("sections")
    section_names = tuple(k.text for k, _ in section_node.entries) if isinstance(section_node, Map) else ()
    ctx = Context(tuple(g.id for g in groups), tuple(voices), tuple(assets), section_names)
    sections = _read_sections(f, ctx)
    cues = _read_cue_list(f.sequence("cues", required=True, hint="the timeline of the show"), diags, ctx)
    score = Score(file=file, base_dir=base_dir, version=version or FORMAT_VERSION, title=title or "",
                  organizer=_read_organizer(f), language=language or "en", sample_rate=rate,
                  default_voice=default_voice, event=_read_event(f), groups=groups, assets=assets,
                  voices=voices, sections=sections, cues=cues, loc=root.loc, safety=read_safety(f),
                  signups=read_signups(f), surprise=read_surprise(f, cues))
    f.finish(HEADER_KEYS)
    diags.raise_if_errors()
    return score


def load_score(path: str, diags: Diagnostics | None = None) -> Score:
    """Read a score file (UTF-8) and validate it; see :func:`read_score`."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ScoreError([Diagnostic(Loc(path, 1, 1), f"cannot read the score: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScoreError([Diagnostic(Loc(path, line, col), "the score is not UTF-8 text; save it as UTF-8")]) from None
    return read_score(text, path, os.path.dirname(path) or ".", diags=diags)
