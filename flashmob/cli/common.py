"""Helpers shared by subcommands: loading + compiling with diagnostics on stderr."""

from __future__ import annotations

import sys

from flashmob.tools.score import Diagnostics, ScoreError, compile_score, load_score
from flashmob.tools.score.durations import EstimatedDurations


def print_diagnostics(items, stream=None) -> None:
    stream = stream or sys.stderr
    for d in items:
        print(d, file=stream)


def load_and_compile(path: str, quiet_warnings: bool = False, allow_overlap: bool = False):
    """(score, timeline, diags) or raises ScoreError (after nothing was printed).

    Every asset is probed (undecodable files are errors at their path in the
    score; durations feed the compiler) and every spoken line must fit its
    slot (:func:`tools.score.limits.speech_fit_errors`)."""
    from flashmob.tools.render.asset_probe import probe_assets
    from flashmob.tools.score.limits import speech_fit_errors

    diags = Diagnostics()
    score = load_score(path, diags)
    probed = probe_assets(score)
    diags.items.extend(probed.diagnostics)
    timeline = compile_score(score, EstimatedDurations(probed.durations_us, probed.clip_durations_us), diags)
    fit = speech_fit_errors(timeline, allow_overlap)
    if fit:
        raise ScoreError(diags.items + fit)
    return score, timeline, diags


def report_score_error(exc: ScoreError) -> int:
    print_diagnostics(exc.diagnostics)
    n = len(exc.errors)
    print(f"{n} error{'s' if n != 1 else ''} found", file=sys.stderr)
    return 1


def compile_or_report(path: str):
    """(score, timeline) with warnings printed, or an exit code after printing every error."""
    from flashmob.tools.score import ScoreError

    try:
        score, timeline, diags = load_and_compile(path)
    except ScoreError as exc:
        return report_score_error(exc)
    print_diagnostics(diags.warnings)
    return score, timeline, diags
