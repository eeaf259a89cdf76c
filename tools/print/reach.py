"""How fast the console reaches every phone: the measured figures the dossier cites.

The authorities ask how an urgent message or a stop reaches the crowd and how
long it takes. The answer is not invented here: it is the fan-out measured by
``python -m bench.load`` and published in docs/benchmarks.md, section
"Conductor load", table "Settled phones" (column *cue to last phone*: from the
console's command to the last phone receiving the broadcast). That table is
copied below with its command, and ``tests/tools/print/test_reach.py`` checks
each figure against docs/benchmarks.md, so the two cannot drift apart.

What the figure measures, said as it is (:data:`CAVEATS` words it in the
dossier): the broadcast of an ``arm`` (the armed ``show``), over loopback, on
one conductor process of a 2-core machine. An ``abort`` and an
``announcement`` leave by the same broadcast but without waiting for the
state-file write that ``arm`` waits for (docs/protocol.md, "Persistence");
they were not timed separately. The radio network of the day adds its own
delay, and phones without a connection are not reached at all.

:func:`reach_for` picks the smallest measured crowd at least as large as the
expected attendance (pure).
"""

from __future__ import annotations

from dataclasses import dataclass

SECTION = "Conductor load"
TABLE = "Settled phones"
COMMAND = "python -m bench.load --phones 1000,2000,3000,5000 --steady 20 --period-ms 10000 --all --py-spy"
HEALTHY_PHONES = 2_000
"""The largest crowd one conductor process served within all targets in that run
(docs/benchmarks.md: "one conductor process on this machine holds about 2,000 phones")."""


@dataclass(frozen=True)
class Measured:
    phones: int
    last_phone_ms: float      # console command -> last phone has the broadcast
    errors: int


FIGURES = (
    Measured(1_000, 70.82, 0),
    Measured(2_000, 251.72, 0),
    Measured(3_000, 225.46, 0),
    Measured(5_000, 1_026.60, 0),
)


@dataclass(frozen=True)
class Reach:
    """The figure that applies to a crowd (``figure`` None: larger than any measured)."""

    attendance: int | None
    figure: Measured | None
    beyond_healthy: bool      # more phones than one process served within its targets


def reach_for(attendance: int | None) -> Reach:
    """The measured figure for ``attendance`` phones (none when the attendance is unknown)."""
    if attendance is None:
        return Reach(None, None, False)
    figure = next((f for f in FIGURES if f.phones >= attendance), None)
    return Reach(attendance, figure, attendance > HEALTHY_PHONES)


__all__ = ["SECTION", "TABLE", "COMMAND", "HEALTHY_PHONES", "Measured", "FIGURES", "Reach", "reach_for"]
