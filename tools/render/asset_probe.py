"""Shell: probe every audio file a score names before rendering it.

:func:`probe_assets` applies :func:`tools.audio.probe.probe_audio` to every
asset and every recording given by path in ``clip:``, and returns the
durations the compiler needs plus one diagnostic per bad file, at the
``file:line:col`` of the asset's path (or of the cue naming the clip) in the
score. Used by ``flashmob check`` and by the renderer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from flashmob.tools.audio.probe import ProbeError, probe_audio
from flashmob.tools.score.errors import Diagnostic


@dataclass(frozen=True)
class AssetProbe:
    """Every asset's info by id (and recorded clips' by the path written in ``clip:``), and the
    diagnostics for the files that cannot be used."""

    infos: dict
    diagnostics: list
    clips: dict = None

    @property
    def durations_us(self) -> dict[str, int]:
        return {aid: info.duration_us for aid, info in self.infos.items()}

    @property
    def clip_durations_us(self) -> dict[str, int]:
        return {path: info.duration_us for path, info in (self.clips or {}).items()}


def _all_cues(score):
    yield from score.cues
    for section in score.sections.values():
        yield from section.cues


def probe_assets(score) -> AssetProbe:
    """Probe every asset of ``score`` that exists (the reader reported the missing ones)."""
    infos, diags = {}, []
    for asset in score.assets.values():
        path = os.path.join(score.base_dir, asset.path)
        if not os.path.exists(path):
            continue
        try:
            infos[asset.id] = probe_audio(path)
        except ProbeError as exc:
            diags.append(Diagnostic(asset.loc, f"asset '{asset.id}': '{asset.path}' cannot be used: {exc}"))
    clips: dict = {}
    for cue in _all_cues(score):
        clip = getattr(cue.action, "clip", None)
        if clip is None or clip in score.assets or clip in clips:
            continue
        path = os.path.join(score.base_dir, clip)
        if not os.path.exists(path):
            diags.append(Diagnostic(cue.loc, f"recorded clip '{clip}' not found (paths are relative to "
                                             "the score's folder)"))
            continue
        try:
            clips[clip] = probe_audio(path)
        except ProbeError as exc:
            diags.append(Diagnostic(cue.loc, f"recorded clip '{clip}' cannot be used: {exc}"))
    return AssetProbe(infos, diags, clips)
