"""What a render will make and roughly how long it will take (pure).

``flashmob render`` prints this before it starts, so an organizer who typed
an hour too many sees "3 groups x 11:00:00 ... about 18 min" and can press
Ctrl-C at once. The costs are the measurements of docs/benchmarks.md
(``python -m bench.render``, 3 groups x 60 min on this 2-core machine):

* mixing, loudness and MP3 encoding: about 33 s of CPU per group-hour
  (~98 s of CPU for 3 group-hours at LAME quality 5), spread over
  ``min(cores, 2 x groups)`` cores (each group is a mixer process feeding
  an ffmpeg process);
* speech synthesis of lines not in the voice cache: at most ~4.5 ms of CPU
  per character (piper "joe" 4.4, espeak 0.2; ``python -m bench.speech_rate``),
  spread over every core by onnxruntime;
* about 3 s of fixed work (imports, worker start, manifest).

An estimate, stated as such: other users of the machine make it slower.
"""

from __future__ import annotations

from dataclasses import dataclass

from flashmob.tools.score.timecode import format_time

CPU_S_PER_GROUP_HOUR = 33.0
SPEECH_CPU_S_PER_CHAR = 0.0045
FIXED_S = 3.0


@dataclass(frozen=True)
class RenderPlan:
    groups: int
    duration_us: int
    lines: int               # distinct spoken lines
    characters: int          # their total length
    cores: int

    @property
    def audio_us(self) -> int:
        return self.groups * self.duration_us

    @property
    def estimated_s(self) -> float:
        parallel = max(1, min(self.cores, 2 * self.groups))
        mix = CPU_S_PER_GROUP_HOUR * self.audio_us / 3.6e9 / parallel
        return FIXED_S + mix + SPEECH_CPU_S_PER_CHAR * self.characters / max(1, self.cores)

    def describe(self) -> str:
        """One line: ``rendering 3 groups x 1:00:00 (3:00:00 of audio), 41 spoken lines: about 52 s``."""
        s = "s" if self.groups != 1 else ""
        lines = f", {self.lines} spoken line{'s' if self.lines != 1 else ''}" if self.lines else ""
        return (f"rendering {self.groups} group{s} x {format_time(self.duration_us)} "
                f"({format_time(self.audio_us)} of audio){lines}: about {_human(self.estimated_s)}")


def _human(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def plan_of(timeline, cores: int) -> RenderPlan:
    """The plan of a compiled (estimated) timeline."""
    texts = {(e.text, e.voice, e.clip) for gt in timeline.groups for e in gt.events
             if e.kind == "say" and e.clip is None}
    return RenderPlan(len(timeline.groups), timeline.duration_us, len(texts),
                      sum(len(t[0] or "") for t in texts), cores)
