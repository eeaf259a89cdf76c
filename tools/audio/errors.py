"""The one exception family raised by the audio building blocks.

Every module of the renderer's audio layer (voices, encoding, decoding,
loudness) raises a subclass of :class:`AudioError` for bad input or a broken
environment, never a bare traceback from numpy, ctypes or a subprocess. The
message is written for an organizer: it says what was asked, what went wrong
and, when possible, what to do about it. A CLI can therefore do::

    try:
        ...
    except AudioError as e:
        print(f"error: {e}")
"""

from __future__ import annotations


class AudioError(Exception):
    """Base class: a problem an organizer can read and act on."""
