"""How long things last, as the compiler needs to know for ``after`` chains.

The compiler is pure: it asks a :class:`Durations` object. Before rendering
we only have estimates (speech from its length, assets from their file
headers when the shell probed them); the renderer recompiles with the real
durations of the synthesized speech, so the final timeline is exact.
"""

from __future__ import annotations

from typing import Protocol

from .model import Voice

CHARS_PER_SECOND = 14.0      # typical read-aloud speed, spaces included
MIN_SPEECH_US = 400_000
DEFAULT_SOUND_US = 1_000_000
BEEP_US = 250_000


class Durations(Protocol):
    def speech(self, text: str, voice: Voice | None, clip: str | None) -> tuple[int, bool]:
        """(µs, estimated?) for speaking ``text`` (or playing ``clip``)."""

    def asset(self, asset_id: str) -> tuple[int | None, bool]:
        """(µs or None if unknown, estimated?) of an asset's audio."""


class EstimatedDurations:
    """Estimates: speech from its text length; assets from a probed table."""

    def __init__(self, asset_us: dict[str, int] | None = None, clip_us: dict[str, int] | None = None):
        self.asset_us = dict(asset_us or {})
        self.clip_us = dict(clip_us or {})

    def speech(self, text: str, voice: Voice | None, clip: str | None) -> tuple[int, bool]:
        if clip is not None:
            known = self.clip_us.get(clip, self.asset_us.get(clip))
            if known is not None:
                return known, False
        rate = voice.rate if voice else 1.0
        us = int(len(text.strip()) / CHARS_PER_SECOND / rate * 1_000_000)
        return max(MIN_SPEECH_US, us), True

    def asset(self, asset_id: str) -> tuple[int | None, bool]:
        if asset_id in self.asset_us:
            return self.asset_us[asset_id], False
        return None, True
