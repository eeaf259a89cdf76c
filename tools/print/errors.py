"""The one error type of the print toolchain: its message is printed as is."""

from __future__ import annotations


class PrintError(ValueError):
    """Invalid input for printed matter (bundle, event data, registrants CSV...).

    ``str(exc)`` is a complete message for a person, possibly several lines,
    naming the file and line or the score field to fix."""
