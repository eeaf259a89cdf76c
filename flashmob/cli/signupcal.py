"""The event's date and calendar file for the conductor's sign-ups, from the print kit (docs/signups.md).

``conductor/`` never imports ``tools/`` (docs/architecture.md); the CLI, which
may import both, builds the :class:`~flashmob.conductor.signupapi.SignupEvent`
that ``flashmob serve`` gives the conductor: the start and end the print kit
reads from the score's event block (:func:`flashmob.tools.print.event.event_info`)
and a personal ``.ics`` made by the print kit's own calendar writer
(:func:`flashmob.tools.print.ics.event_ics`), so the calendar file of a sign-up
is the one ``flashmob qr`` prints, with the person's join URL in it.
"""

from __future__ import annotations

import datetime as dt


def signup_event(manifest, *, start: str | None = None):
    """``(SignupEvent, warning or None)`` for a manifest record (``start`` overrides the event's)."""
    from flashmob.conductor.signupapi import SignupEvent
    from flashmob.tools.print.errors import PrintError
    from flashmob.tools.print.event import event_info
    from flashmob.tools.print.ics import event_ics

    try:
        info = event_info(manifest, start)
    except PrintError as exc:
        return SignupEvent(), f"sign-ups: no calendar file and no erasure date from the event block ({exc})"
    if info.start is None:
        return SignupEvent(), None
    if info.start.tzinfo is None:
        return SignupEvent(calendar=lambda url, now_us: event_ics(info, url, now=_utc(now_us), uid_suffix="signup")), \
            ("sign-ups: the event has no timezone; sign-ups are deleted keep_days after the show record ends "
             "rather than after the event's date")

    def calendar(url: str, now_us: int) -> str:
        return event_ics(info, url, now=_utc(now_us), uid_suffix="signup")

    return SignupEvent(start_us=_us(info.start), end_us=_us(info.end), calendar=calendar), None


def _us(t: dt.datetime) -> int:
    return round(t.timestamp() * 1_000_000)


def _utc(now_us: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(now_us / 1e6, dt.timezone.utc)
