"""Score -> per-group timelines in samples (pure, no I/O).

Rules (docs/score-format.md states them for organizers):

1. ``at`` is relative to the enclosing block: the show, or a section instance.
2. ``after: previous`` starts when every group of the cue has finished its
   previous *foreground* cue (say, sound, countdown, caption, played
   section). Music beds and ``stop`` run in the background and are not
   anchors. At the start of a block, "previous" ends at the block start.
3. ``after: ID`` starts when cue ``ID`` (earlier in the same block, or in an
   enclosing block) ends; ``gap`` is added in both forms.
4. Within a group, cues are written in time order: a cue starting before the
   previous cue of one of its groups is an error ("out of order").
5. A countdown's ``at`` is its beat (the number 0, where the beep sounds);
   with ``after`` the first number starts at the anchor. Its numbers must
   fit after the block start and after the previous cue's start.
6. ``end`` closes the show for all groups; nothing may follow it. Without an
   ``end`` the show lasts until its last cue ends (a warning says so).
7. Two ``say`` cues of one group may not start at the same instant.
8. A music bed ends at ``until``, at a ``stop``, at the end of its asset
   (without ``loop``) or at the end of the show.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .durations import BEEP_US, DEFAULT_SOUND_US, Durations, EstimatedDurations
from .errors import Diagnostics, Loc, did_you_mean
from .limits import show_length_error
from .model import (Caption, Countdown, Cue, End, Music, Play, Say, Score, Sound, Stop,
                    Voice, PREVIOUS)
from .reader import DEFAULT_VOICE_ID
from .timecode import format_time, us_to_samples
from .surprise import check_reveal
from .timeline import GroupTimeline, Timeline, TimelineEvent

MAX_SECTION_DEPTH = 16
MAX_EVENTS = 100_000
OPEN_END = -1


@dataclass
class _Placed:
    start: int
    end: int
    groups: tuple[str, ...]
    loc: Loc


@dataclass
class _Block:
    """Scope of one block (the show or one section instance)."""

    start: int
    groups: tuple[str, ...]
    prefix: str
    last_end: dict[str, int]
    last_start: dict[str, tuple[int, Loc]] = field(default_factory=dict)
    ids: dict[str, _Placed] = field(default_factory=dict)
    later_ids: dict[str, Loc] = field(default_factory=dict)
    parent: "_Block | None" = None

    def lookup(self, cue_id: str) -> _Placed | None:
        block: _Block | None = self
        while block is not None:
            if cue_id in block.ids:
                return block.ids[cue_id]
            block = block.parent
        return None


@dataclass
class _Music:
    event: dict
    stopped: bool = False


class _Compiler:
    def __init__(self, score: Score, durations: Durations, diags: Diagnostics):
        self.score = score
        self.durations = durations
        self.diags = diags
        self.events: list[dict] = []
        self.music: dict[str, _Music] = {}
        self.end_at: int | None = None
        self.end_cue: Cue | None = None
        self.say_starts: dict[tuple[str, int], Loc] = {}
        self.stack: list[str] = []

    # -- helpers ----------------------------------------------------------
    def voice(self, name: str | None) -> Voice:
        name = name or self.score.default_voice
        if name and name in self.score.voices:
            return self.score.voices[name]
        lang = self.score.language
        engine = "piper" if lang.lower().startswith("en") else "espeak"
        return Voice(DEFAULT_VOICE_ID, engine, None, lang, 1.0, 0.0, self.score.loc or Loc(self.score.file, 1, 1))

    def emit(self, cue: Cue, block: _Block, kind: str, start: int, end: int, groups, suffix: str = "", **kw):
        if len(self.events) >= MAX_EVENTS:
            if len(self.events) == MAX_EVENTS:
                self.diags.error(cue.loc, f"the score expands to more than {MAX_EVENTS} events "
                                          "(check 'repeat' counts)")
                self.events.append({})
            return None
        base = cue.id or f"cue{cue.loc.line}"
        ev = dict(id=f"{block.prefix}{base}{suffix}", kind=kind, start_us=start, end_us=end, loc=cue.loc,
                  groups=groups, vibrate=cue.vibrate, **kw)
        self.events.append(ev)
        return ev

    # -- timing -----------------------------------------------------------
    def anchor(self, cue: Cue, block: _Block, groups: tuple[str, ...]) -> int | None:
        t = cue.timing
        if t.at is not None:
            return block.start + t.at
        if t.after == PREVIOUS:
            return max(block.last_end.get(g, block.start) for g in groups) + t.gap
        placed = block.lookup(t.after)
        if placed is None:
            if t.after in block.later_ids:
                self.diags.error(t.loc, f"'after: {t.after}' refers to a cue defined later (line "
                                        f"{block.later_ids[t.after].line}); 'after' refers to earlier cues")
            else:
                known = list(block.ids)
                self.diags.error(t.loc, f"'after: {t.after}': no earlier cue has id '{t.after}'"
                                        + did_you_mean(t.after, known))
            return None
        if placed.end == OPEN_END:
            self.diags.error(t.loc, f"'after: {t.after}': that cue has no end (a music bed without "
                                    "'until'); use 'at' or anchor on another cue")
            return None
        return placed.end + t.gap

    def check_order(self, cue: Cue, block: _Block, groups, start: int) -> bool:
        for g in groups:
            prev = block.last_start.get(g)
            if prev is not None and start < prev[0]:
                self.diags.error(cue.timing.loc, f"out of order: this cue starts at {format_time(start)}, "
                                 f"before the previous cue of group '{g}' (line {prev[1].line}, at "
                                 f"{format_time(prev[0])}); write cues in time order")
                return False
        return True

    # -- cues ---------------------------------------------------------------
    def cue(self, cue: Cue, block: _Block) -> None:
        groups = cue.groups or block.groups
        if cue.groups and block.groups != self.score.group_ids:
            outside = [g for g in cue.groups if g not in block.groups]
            if outside:
                self.diags.error(cue.loc, f"group '{outside[0]}' is not among the groups this section "
                                          f"is played for ({', '.join(block.groups)})")
                return
        if self.end_cue is not None:
            self.diags.error(cue.loc, f"cue after 'end' (line {self.end_cue.loc.line}); "
                                      "the show is over by then")
            return
        start = self.anchor(cue, block, groups)
        if start is None:
            return
        a = cue.action
        if isinstance(a, Countdown):
            first = start - a.count * a.every if cue.timing.at is not None else start
            if not self.countdown_fits(cue, block, groups, first):
                return
        elif not self.check_order(cue, block, groups, start):
            return
        end, foreground = self.action(cue, block, groups, start)
        if end is None:
            return
        if cue.id is not None:
            block.ids[cue.id] = _Placed(start, end, groups, cue.loc)
        if isinstance(a, Countdown):  # later cues may start on the beat
            start = start if cue.timing.at is not None else start + a.count * a.every
        for g in groups:
            block.last_start[g] = (start, cue.loc)
            if foreground:
                block.last_end[g] = max(block.last_end.get(g, block.start), end)

    def countdown_fits(self, cue: Cue, block: _Block, groups, first: int) -> bool:
        a = cue.action
        assert isinstance(a, Countdown)
        where = "the section's start" if block.prefix else "the start of the show"
        if first < block.start:
            self.diags.error(cue.loc, f"countdown cannot fit: {a.count} numbers every "
                             f"{a.every / 1e6:g}s would start at {format_time(first - block.start)}, "
                             f"before {where}")
            return False
        for g in groups:
            prev = block.last_start.get(g)
            if prev is not None and first < prev[0]:
                self.diags.error(cue.loc, f"countdown cannot fit: its first number at {format_time(first)} "
                                 f"comes before the previous cue of group '{g}' (line {prev[1].line}, "
                                 f"at {format_time(prev[0])})")
                return False
        return True

    def check_say_instant(self, cue: Cue, groups, start: int) -> bool:
        for g in groups:
            other = self.say_starts.get((g, start))
            if other is not None:
                self.diags.error(cue.loc, f"two 'say' cues for group '{g}' at the same instant "
                                          f"{format_time(start)} (the other is at line {other.line})")
                return False
        for g in groups:
            self.say_starts[(g, start)] = cue.loc
        return True

    def action(self, cue: Cue, block: _Block, groups, start: int) -> tuple[int | None, bool]:
        a = cue.action
        if isinstance(a, Say):
            if not self.check_say_instant(cue, groups, start):
                return None, True
            voice = self.voice(a.voice)
            dur, est = self.durations.speech(a.text, voice, a.clip)
            self.emit(cue, block, "say", start, start + dur, groups, text=a.text, voice=voice, clip=a.clip,
                      gain_db=a.gain_db + voice.gain_db, caption=cue.show or a.text, estimated=est)
            return start + dur, True
        if isinstance(a, Sound):
            dur, est = self.durations.asset(a.asset)
            dur = DEFAULT_SOUND_US if dur is None else dur
            self.emit(cue, block, "sound", start, start + dur, groups, asset=a.asset, gain_db=a.gain_db,
                      caption=cue.show, estimated=est)
            return start + dur, True
        if isinstance(a, Music):
            return self.music_bed(cue, block, groups, start, a), False
        if isinstance(a, Stop):
            return self.stop(cue, block, start, a), False
        if isinstance(a, Countdown):
            return self.countdown(cue, block, groups, start, a), True
        if isinstance(a, Caption):
            self.emit(cue, block, "caption", start, start, groups, caption=cue.show)
            return start, True
        if isinstance(a, End):
            self.end_at, self.end_cue = start, cue
            self.emit(cue, block, "end", start, start, groups, caption=cue.show, fade_out_us=a.fade_out)
            return start, True
        if isinstance(a, Play):
            return self.play(cue, block, groups, start, a), True
        raise AssertionError(a)  # pragma: no cover

    def music_bed(self, cue: Cue, block: _Block, groups, start: int, a: Music) -> int:
        end = OPEN_END
        if a.until is not None:
            end = block.start + a.until
            if end <= start:
                self.diags.error(cue.loc, f"music 'until' {format_time(a.until)} is not after its start "
                                          f"{format_time(start - block.start)}")
                return None  # type: ignore[return-value]
        elif not a.loop:
            dur, _ = self.durations.asset(a.asset)
            if dur is not None:
                end = start + dur
        ev = self.emit(cue, block, "music", start, end, groups, asset=a.asset, gain_db=a.gain_db,
                       fade_in_us=a.fade_in, fade_out_us=a.fade_out, loop=a.loop, duck_db=a.duck_db,
                       caption=cue.show)
        if cue.id is not None and ev is not None:
            self.music[block.prefix + cue.id] = _Music(ev)
        return end

    def stop(self, cue: Cue, block: _Block, start: int, a: Stop) -> int | None:
        target = None
        b: _Block | None = block
        while b is not None and target is None:
            target = self.music.get(b.prefix + a.music)
            b = b.parent
        if target is None:
            self.diags.error(cue.loc, f"'stop: {a.music}': no earlier music cue has id '{a.music}'"
                             + did_you_mean(a.music, [k.rsplit('/', 1)[-1] for k in self.music]))
            return None
        ev = target.event
        if target.stopped or (ev["end_us"] != OPEN_END and ev["end_us"] <= start):
            self.diags.error(cue.loc, f"'stop: {a.music}': that music has already ended by "
                                      f"{format_time(start)}")
            return None
        target.stopped = True
        ev["end_us"] = start
        if a.fade_out is not None:
            ev["fade_out_us"] = a.fade_out
        return start

    def countdown(self, cue: Cue, block: _Block, groups, start: int, a: Countdown) -> int:
        voice = self.voice(a.voice)
        first = start - a.count * a.every if cue.timing.at is not None else start
        for i in range(a.count):
            n = a.count - i
            t = first + i * a.every
            if not self.check_say_instant(cue, groups, t):
                return None  # type: ignore[return-value]
            dur, est = self.durations.speech(str(n), voice, None)
            self.emit(cue, block, "say", t, t + dur, groups, suffix=f".{n}", text=str(n), voice=voice,
                      gain_db=voice.gain_db, caption=str(n), estimated=est)
        beat = first + a.count * a.every
        dur, est = (self.durations.asset(a.beep) if a.beep else (BEEP_US, False))
        dur = BEEP_US if dur is None else dur
        self.emit(cue, block, "sound", beat, beat + dur, groups, suffix=".beep", asset=a.beep,
                  gain_db=a.beep_gain_db, caption=cue.show, estimated=est)
        return beat + dur

    def play(self, cue: Cue, block: _Block, groups, start: int, a: Play) -> int | None:
        section = self.score.sections.get(a.section)
        if section is None:
            return None
        if a.section in self.stack or len(self.stack) >= MAX_SECTION_DEPTH:
            chain = " -> ".join(self.stack + [a.section])
            self.diags.error(cue.loc, f"section '{a.section}' plays itself ({chain}); sections cannot loop")
            return None
        self.stack.append(a.section)
        t = start
        base = cue.id or f"{a.section}@{cue.loc.line}"
        for r in range(a.repeat):
            inner = _Block(start=t, groups=groups, prefix=f"{block.prefix}{base}[{r + 1}]/",
                           last_end={g: t for g in groups}, parent=block)
            for c in section.cues:
                if c.id is not None:
                    inner.later_ids.setdefault(c.id, c.loc)
            for c in section.cues:
                inner.later_ids.pop(c.id, None) if c.id else None
                self.cue(c, inner)
            if len(self.events) > MAX_EVENTS:
                break
            natural = max([inner.last_end[g] for g in groups] + [t])
            t = t + section.length if section.length is not None else natural
        self.stack.pop()
        return t

    # -- whole score ----------------------------------------------------------
    def run(self) -> None:
        top = _Block(start=0, groups=self.score.group_ids, prefix="",
                     last_end={g: 0 for g in self.score.group_ids})
        for c in self.score.cues:
            if c.id is not None:
                top.later_ids.setdefault(c.id, c.loc)
        for c in self.score.cues:
            if c.id:
                top.later_ids.pop(c.id, None)
            self.cue(c, top)


def compile_score(score: Score, durations: Durations | None = None,
                  diags: Diagnostics | None = None) -> Timeline:
    """Compile a validated score into per-group timelines.

    Raises ScoreError with every timing problem; warnings (e.g. no ``end``)
    are added to ``diags`` when given.
    """
    diags = diags if diags is not None else Diagnostics()
    comp = _Compiler(score, durations or EstimatedDurations(), diags)
    comp.run()
    events = [e for e in comp.events if e]
    if comp.end_at is not None:
        end_us = comp.end_at
        for e in events:
            if e["kind"] != "end" and e["start_us"] >= end_us:
                diags.error(e["loc"], f"cue after 'end': it starts at {format_time(e['start_us'])}, "
                                      f"the show ends at {format_time(end_us)} (line {comp.end_cue.loc.line})")
            if e["kind"] == "music" and (e["end_us"] == OPEN_END or e["end_us"] > end_us):
                e["end_us"] = end_us
    else:
        for e in events:
            if e["kind"] == "music" and e["end_us"] == OPEN_END:
                diags.error(e["loc"], f"music '{e['asset']}' never ends: give it 'until', a 'stop' cue, "
                                      "or end the show with an 'end' cue")
        ends = [e["end_us"] for e in events if e["end_us"] != OPEN_END] or [0]
        end_us = max(ends)
        diags.warning(score.loc or Loc(score.file, 1, 1),
                      f"the score has no 'end' cue: the show lasts until its last cue ends "
                      f"({format_time(end_us)}); add '- at: {format_time(end_us)}' + 'end: true' to say so")
    check_reveal(score, events, end_us, diags)
    too_long = show_length_error(events, end_us)
    if too_long is not None:
        diags.items.append(too_long)
    diags.raise_if_errors()
    return _build(score, events, end_us, comp.end_at is not None)


def _build(score: Score, events: list[dict], end_us: int, explicit: bool) -> Timeline:
    sr = score.sample_rate
    ordered = sorted(enumerate(events), key=lambda p: (p[1]["start_us"], p[0]))
    per_group: dict[str, list[TimelineEvent]] = {g: [] for g in score.group_ids}
    seen_ids: dict[str, int] = {}
    for _, e in ordered:
        eid = e["id"]
        if eid in seen_ids:  # two cues on one line without ids (flow style)
            seen_ids[eid] += 1
            eid = f"{eid}-{seen_ids[e['id']]}"
        seen_ids.setdefault(eid, 0)
        fade_in = e.pop("fade_in_us", 0)
        fade_out = e.pop("fade_out_us", 0)
        fields = {k: v for k, v in e.items() if k not in ("id", "start_us", "end_us")}
        meeting = (len(score.group_ids) > 1 and set(e["groups"]) == set(score.group_ids)
                   and e["kind"] not in ("music", "end"))
        ev = TimelineEvent(id=eid, meeting=meeting, start=us_to_samples(e["start_us"], sr), end=us_to_samples(e["end_us"], sr),
                           start_us=e["start_us"], end_us=e["end_us"], fade_in=us_to_samples(fade_in, sr),
                           fade_out=us_to_samples(fade_out, sr), **fields)
        for g in (score.group_ids if ev.kind == "end" else ev.groups):
            per_group[g].append(ev if ev.kind != "end" else replace(ev, groups=score.group_ids))
    meetings = _meeting_points(ordered, set(score.group_ids))
    groups = tuple(GroupTimeline(score.group(g), tuple(per_group[g])) for g in score.group_ids)
    return Timeline(sr, us_to_samples(end_us, sr), end_us, explicit, groups, tuple(meetings))


def _meeting_points(ordered, all_groups: set[str]) -> tuple[int, ...]:
    """Times where the groups come back together: a cue for every group after
    cues for only some of them (the moments the MP3 Experiment was made of)."""
    if len(all_groups) < 2:
        return ()
    points, diverged = [], False
    for _, e in ordered:
        if e["kind"] in ("music", "end"):
            continue
        if set(e["groups"]) == all_groups:
            if diverged and (not points or points[-1] != e["start_us"]):
                points.append(e["start_us"])
            diverged = False
        else:
            diverged = True
    return tuple(points)
