"""The score language: YAML scores -> validated model -> per-group timelines.

Public API::

    load_score(path, diags=None) -> Score           # file shell
    read_score(text, file, base_dir, ...) -> Score  # pure (file_exists injected)
    compile_score(score, durations=None, diags=None) -> Timeline

Every problem in a score raises :class:`ScoreError` carrying all diagnostics.
"""

from .compiler import compile_score
from .durations import Durations, EstimatedDurations
from .errors import Diagnostic, Diagnostics, Loc, ScoreError
from .model import Score
from .reader import load_score, read_score
from .timeline import GroupTimeline, Timeline, TimelineEvent

__all__ = ["compile_score", "Durations", "EstimatedDurations", "Diagnostic", "Diagnostics", "Loc",
           "ScoreError", "Score", "load_score", "read_score", "GroupTimeline", "Timeline", "TimelineEvent"]
