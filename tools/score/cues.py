"""Reading cues (the timeline entries of a score) from YAML mappings.

A cue is one mapping with a time (``at`` or ``after`` [+ ``gap``]), optional
``groups``/``id``/``show``/``vibrate``, and exactly one action key:
``say``, ``sound``, ``music``, ``stop``, ``countdown``, ``end``, ``play``
— or only ``show`` (a silent caption). See docs/score-format.md.

References to groups, voices, assets, sections and other cues are checked
here against the :class:`Context`; time relations are checked by the
compiler.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Diagnostics, Loc, did_you_mean, one_of
from .fields import ID_PATTERN, Fields, describe
from .limits import MAX_LINE_CHARS
from .model import (ACTION_KEYS, PREVIOUS, Caption, Countdown, Cue, End, Music, Play, Say, Sound,
                    Stop, Timing)
from .source import Map, Scalar, Seq
from .timecode import TimeFormatError, parse_time

DEFAULT_MUSIC_GAIN_DB = -8.0
DEFAULT_DUCK_DB = -12.0
DEFAULT_END_FADE_US = 3_000_000
MAX_VIBRATE_ITEMS = 64
IMPLICIT_VOICE = "default"  # the voice chosen from the score's language when none is defined
_PREVIOUS_WORDS = {"previous", "prev", "previous cue", "last"}


@dataclass
class Context:
    """What cue references are checked against."""

    groups: tuple[str, ...]
    voices: tuple[str, ...]
    assets: tuple[str, ...]
    sections: tuple[str, ...]
    in_section: str | None = None


def _check_ref(diags: Diagnostics, loc: Loc, kind: str, name: str, known: tuple[str, ...],
               how_to_define: str) -> bool:
    if name in known:
        return True
    if known:
        diags.error(loc, f"unknown {kind} '{name}'; expected {one_of(known)}{did_you_mean(name, known)}")
    else:
        diags.error(loc, f"unknown {kind} '{name}': the score defines no {kind}s ({how_to_define})")
    return False


def read_timing(f: Fields) -> Timing | None:
    loc = f.node.loc
    has_at, has_after = f.has("at"), f.has("after")
    if has_at and has_after:
        f.raw("at"), f.raw("after")
        f.diags.error(f.key_loc("after"), "a cue has either 'at' or 'after', not both")
        return None
    gap = f.time("gap", default=None)
    if has_at:
        if gap is not None:
            f.diags.error(f.key_loc("gap"), "'gap' goes with 'after', not with 'at'")
        at = f.time("at", required=True)
        return None if at is None else Timing(at=at, after=None, gap=0, loc=f.loc("at"))
    if has_after:
        node = f.raw("after")
        if not isinstance(node, Scalar) or node.is_null:
            f.bad("after", "'previous', a cue id, or a gap such as 2s")
            return None
        word = node.text.strip()
        if word.lower() in _PREVIOUS_WORDS:
            return Timing(at=None, after=PREVIOUS, gap=gap or 0, loc=node.loc)
        if word[:1].isdigit():
            try:
                shorthand_gap = parse_time(word)
            except TimeFormatError as exc:
                f.diags.error(node.loc, f"'after': {exc}")
                return None
            if gap is not None:
                f.diags.error(f.key_loc("gap"), f"'after: {word}' already gives the gap; remove 'gap'")
            return Timing(at=None, after=PREVIOUS, gap=shorthand_gap, loc=node.loc)
        if not ID_PATTERN.match(word):
            f.bad("after", "'previous', a cue id, or a gap such as 2s")
            return None
        return Timing(at=None, after=word, gap=gap or 0, loc=node.loc)
    f.diags.error(loc, "a cue needs a time: 'at: 1:30' (from the start) or 'after: previous' "
                       "(when the previous cue of its groups ends)")
    return None


def _vibrate(f: Fields) -> tuple[int, ...] | None:
    node = f.raw("vibrate")
    if node is None or (isinstance(node, Scalar) and node.is_null):
        return None
    items = node.items if isinstance(node, Seq) else (node,)
    if isinstance(node, Map) or not items:
        f.bad("vibrate", "a duration in ms or a list of them (on, off, on, ...)")
        return None
    out = []
    for item in items:
        text = item.text.strip() if isinstance(item, Scalar) else ""
        if not text.isdigit() or not 0 <= int(text) <= 10_000:
            f.diags.error(item.loc, f"'vibrate' lists durations in ms from 0 to 10000, found {describe(item)}")
            return None
        out.append(int(text))
    if len(out) > MAX_VIBRATE_ITEMS:
        f.diags.error(node.loc, f"'vibrate' has {len(out)} entries; at most {MAX_VIBRATE_ITEMS}")
        return None
    return tuple(out)


def _action_key(f: Fields) -> str | None:
    keys = [k for k in f.node.keys() if k in ACTION_KEYS and k != "show"]
    if len(keys) > 1:
        f.diags.error(f.key_loc(keys[1]), f"a cue has one action; found '{keys[0]}' and '{keys[1]}' "
                                          "(split it into two cues)")
        return None
    if keys:
        return keys[0]
    if f.has("show"):
        return "show"
    f.diags.error(f.node.loc, "a cue needs an action: one of 'say', 'sound', 'music', 'stop', "
                              "'countdown', 'show', 'play' or 'end'" + _guess_action(f))
    return None


def _guess_action(f: Fields) -> str:
    for key in f.node.keys():
        hint = did_you_mean(key, [k for k in ACTION_KEYS])
        if hint and key not in ("at", "after", "gap", "groups", "id", "vibrate"):
            return f"; '{key}'{hint}"
    return ""


def _asset_ref(f: Fields, key: str, ctx: Context) -> str | None:
    name = f.text(key, required=True, expected="an asset id")
    if name is None:
        return None
    _check_ref(f.diags, f.loc(key), "asset", name, ctx.assets, "add it under 'assets:'")
    return name


def _voice_ref(f: Fields, ctx: Context) -> str | None:
    name = f.text("voice")
    if name is not None and name != IMPLICIT_VOICE:
        _check_ref(f.diags, f.loc("voice"), "voice", name, ctx.voices, "add it under 'voices:'")
    return name


def _read_action(f: Fields, kind: str, ctx: Context):
    d = f.diags
    if kind == "say":
        text = f.text("say", required=True, expected="the text to speak")
        if text is not None and len(text) > MAX_LINE_CHARS:
            d.error(f.loc("say"), f"this spoken line has {len(text)} characters; a line holds at most "
                                  f"{MAX_LINE_CHARS} (3 to 6 minutes of speech): split it into several cues")
            text = text[:MAX_LINE_CHARS]
        voice = _voice_ref(f, ctx)
        clip = f.text("clip")
        if clip is not None and clip not in ctx.assets and "." not in clip:
            _check_ref(d, f.loc("clip"), "asset", clip, ctx.assets, "add it under 'assets:'")
        return None if text is None else Say(text, voice, clip, f.gain("gain"))
    if kind == "sound":
        asset = _asset_ref(f, "sound", ctx)
        return None if asset is None else Sound(asset, f.gain("gain"))
    if kind == "music":
        asset = _asset_ref(f, "music", ctx)
        duck_node = f.raw("duck")
        duck: float | None = DEFAULT_DUCK_DB
        if isinstance(duck_node, Scalar) and not duck_node.is_null:
            word = duck_node.text.strip().lower()
            if word in ("false", "no", "off"):
                duck = None
            elif word in ("true", "yes", "on"):
                duck = DEFAULT_DUCK_DB
            else:
                duck = f.gain("duck", default=DEFAULT_DUCK_DB)
                if duck > 0:
                    d.error(duck_node.loc, f"'duck' must be false or a negative gain in dB such as -12, "
                                           f"found '{duck_node.text}'")
        elif duck_node is not None and not (isinstance(duck_node, Scalar) and duck_node.is_null):
            f.bad("duck", "false or a gain in dB such as -12")
        music = Music(asset or "", f.gain("gain", default=DEFAULT_MUSIC_GAIN_DB),
                      f.time("fade_in", default=0), f.time("fade_out", default=0),
                      f.boolean("loop", default=False), f.time("until"), duck)
        return None if asset is None else music
    if kind == "stop":
        target = f.text("stop", required=True, expected="the id of a music cue")
        return None if target is None else Stop(target, f.time("fade_out"))
    if kind == "countdown":
        count = f.integer("countdown", minimum=1, maximum=60, required=True,
                          expected="the first number to say (e.g. 3 for '3, 2, 1')")
        voice = _voice_ref(f, ctx)
        beep = f.text("beep")
        if beep is not None and beep.lower() not in ("none", "builtin"):
            _check_ref(d, f.loc("beep"), "asset", beep, ctx.assets, "add it under 'assets:'")
        every = f.time("every", default=1_000_000)
        if every is not None and every < 300_000:
            d.error(f.loc("every"), "'every' must leave time to say a number: at least 0.3s")
            every = 1_000_000
        if count is None:
            return None
        return Countdown(count, every, voice, beep if beep and beep.lower() != "builtin" else None,
                         f.gain("beep_gain"))
    if kind == "show":
        f.text("show", required=True, expected="the caption text")
        return Caption()
    if kind == "end":
        node = f.raw("end")
        if not (isinstance(node, Scalar) and (node.is_null or node.text.strip().lower() in ("true", "yes"))):
            f.bad("end", "empty or true ('end: true')")
        return End(f.time("fade_out", default=DEFAULT_END_FADE_US))
    if kind == "play":
        section = f.text("play", required=True, expected="a section name")
        repeat = f.integer("repeat", default=1, minimum=1, maximum=1000)
        if section is None:
            return None
        _check_ref(d, f.loc("play"), "section", section, ctx.sections, "add it under 'sections:'")
        return Play(section, repeat)
    raise AssertionError(kind)  # pragma: no cover


def read_cue(node, diags: Diagnostics, ctx: Context) -> Cue | None:
    """Read one cue; None (with diagnostics) when it cannot be used."""
    if not isinstance(node, Map):
        diags.error(node.loc, "a cue is a mapping such as '- at: 0:05' + 'say: Hello', "
                              f"found {describe(node)}")
        return None
    where = f"section '{ctx.in_section}'" if ctx.in_section else "the cue list"
    f = Fields(node, diags, f"a cue in {where}")
    kind = _action_key(f)
    if kind:
        f.what = f"a '{kind}' cue"
    timing = read_timing(f)
    cue_id = f.ident("id", what="a cue id")
    groups = None
    names = f.text_list("groups")
    if names is not None:
        ok = [n for n, loc in names
              if _check_ref(diags, loc, "group", n, ctx.groups, "add it under 'groups:'")]
        if not names:
            diags.error(f.loc("groups"), "'groups' is empty; leave it out to address every group")
        groups = tuple(dict.fromkeys(ok)) or None
    show = f.text("show")
    vibrate = _vibrate(f)
    action = _read_action(f, kind, ctx) if kind else None
    if kind == "end" and ctx.in_section:
        diags.error(f.key_loc("end"), f"'end' ends the whole show and cannot be inside section "
                                      f"'{ctx.in_section}'; put it in the top-level cue list")
        action = None
    if kind == "end" and groups is not None:
        diags.error(f.key_loc("groups"), "'end' ends the show for every group; remove 'groups'")
    if kind:  # with no usable action, which keys belong is unknown: the action error says it
        f.finish()
    if timing is None or action is None:
        return None
    return Cue(cue_id, timing, groups, action, show, vibrate, node.loc)
