"""In-order delivery times of one direction of a TCP connection, pure.

TCP delivers bytes in order: a chunk held by a spike or a stall holds every
chunk behind it (head-of-line blocking), as on a real link with
retransmissions.  :class:`Direction` is fed arrival times (relay seconds) and
returns delivery times; it keeps per-direction statistics of the delays it
*scheduled*.  The relay measures what it really delivered on top of that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .profiles import DelayModel


@dataclass
class Direction:
    model: DelayModel
    index: int = 0
    last_s: float = 0.0
    delays: list[float] = field(default_factory=list)  # scheduled one-way delays, in order

    def schedule(self, arrival_s: float) -> float:
        """Delivery time of the next chunk, which arrived at ``arrival_s``."""
        due = arrival_s + self.model.delay_s(self.index, arrival_s)
        due = self.model.release_s(due)
        due = max(due, self.last_s)
        self.index += 1
        self.last_s = due
        self.delays.append(due - arrival_s)
        return due
