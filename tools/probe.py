"""Shell: read asset headers to learn their durations (for compile estimates).

Errors reading a file are not fatal here (the reader already reported missing
files); an unreadable asset simply has no known duration.
"""

from __future__ import annotations

import os

from tools.score.model import Score


def asset_durations_us(score: Score) -> dict[str, int]:
    """Duration in µs of every readable asset of ``score``, by asset id."""
    import soundfile

    out: dict[str, int] = {}
    for asset in score.assets.values():
        path = os.path.join(score.base_dir, asset.path)
        try:
            info = soundfile.info(path)
        except Exception:  # noqa: BLE001 - any unreadable file just has no known duration
            continue
        if info.samplerate > 0 and info.frames > 0:
            out[asset.id] = info.frames * 1_000_000 // info.samplerate
    return out
