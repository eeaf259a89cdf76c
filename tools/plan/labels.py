"""Label placement on a few stacked rows without overlaps (pure).

Each label starts at its event's x, with a thin leader line dropping from
its row to the track below, so a label on row ``r`` occupies ``[x, x + width]``
on row ``r`` and the point ``x`` on every row below it (row 0 is nearest to
the track). Placement:

1. left to right, each label goes on the lowest row offering its whole text
   (or ``COMFORT`` px), else on the row offering most room. A label on row
   ``r`` may reach over the next ``r`` labels only -- their leaders pass under
   it -- so crowded labels form descending staircases and the label after
   them always finds a row;
2. labels that found no room get a second chance in the gaps left
   (important first);
3. truncated labels grow back into whatever room is left on their row.

Important labels (``priority`` 0) are truncated with an ellipsis down to
``min_chars`` characters; minor ones (``priority`` > 0) are shown whole or not
at all. Skipped labels are simply absent.
The result never overlaps: tested on crowded random inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .metrics import clean, fit_text, text_width

PAD = 3.0        # text starts this far right of its leader
GAP = 8.0        # minimum space between two labels on a row
COMFORT = 110.0  # a row offering this much is good enough for a long label


@dataclass(frozen=True)
class LabelRequest:
    key: str
    x: float
    text: str
    priority: int = 0
    min_chars: int = 4


@dataclass(frozen=True)
class PlacedLabel:
    key: str
    x: float                 # the leader's x; the text starts at x + PAD
    row: int
    text: str                # possibly truncated with an ellipsis
    width: float             # occupied width on its row, leader included


@dataclass
class _Rows:
    rows: int
    spans: list[list[tuple[float, float, str]]]

    def free(self, row: int, a: float, b: float, ignore: str | None = None) -> bool:
        return all(e <= a or s >= b or k == ignore for s, e, k in self.spans[row])

    def room(self, row: int, x: float, limit: float, ignore: str | None = None) -> float:
        """Width available on ``row`` from ``x`` to the next occupant (or ``limit``)."""
        if not self.free(row, x - 1, x + 1, ignore):
            return 0.0
        nxt = min((s for s, _e, k in self.spans[row] if s >= x and k != ignore), default=limit + GAP)
        return min(nxt - GAP, limit) - x

    def leader_free(self, row: int, x: float) -> bool:
        return all(self.free(r, x - 1, x + 1) for r in range(row))

    def take(self, row: int, x: float, width: float, key: str) -> None:
        self.spans[row].append((x, x + width, key))
        for r in range(row):
            self.spans[r].append((x - 1, x + 1, key))

    def drop(self, key: str) -> None:
        for spans in self.spans:
            spans[:] = [s for s in spans if s[2] != key]


def _fit(req: LabelRequest, room: float, size: float, max_px: float) -> str | None:
    text = clean(req.text)
    if req.priority > 0:
        return text if PAD + text_width(text, size) <= room else None
    return fit_text(text, min(room, max_px) - PAD, size, min_chars=req.min_chars)


def place_labels(requests: list[LabelRequest], rows: int, x_max: float, size: float,
                 max_px: float = 260.0) -> tuple[PlacedLabel, ...]:
    """Place labels on ``rows`` rows, none extending past ``x_max``; returns
    the placed ones (skipped labels are simply absent), sorted by x."""
    if rows <= 0:
        return ()
    occ = _Rows(rows, [[] for _ in range(rows)])
    placed: dict[str, PlacedLabel] = {}
    ordered = sorted(requests, key=lambda r: (r.x, r.priority))
    later: list[LabelRequest] = []

    def put(req: LabelRequest, row: int, text: str) -> None:
        width = PAD + text_width(text, size)
        occ.take(row, req.x, width, req.key)
        placed[req.key] = PlacedLabel(req.key, req.x, row, text, width)

    # 1. left to right; a label on row r may only reach over the next r labels
    #    (their leaders pass below it), so row r is capped at label i+r+1
    for i, req in enumerate(ordered):
        want = min(PAD + text_width(clean(req.text), size), COMFORT, max_px)
        best: tuple[float, int] | None = None
        for row in range(rows):
            if not occ.leader_free(row, req.x):
                break
            nxt = ordered[i + row + 1].x - GAP if i + row + 1 < len(ordered) else x_max
            room = min(occ.room(row, req.x, x_max), nxt - req.x)
            if room >= want:
                best = (room, row)
                break
            if best is None or room > best[0]:
                best = (room, row)
        text = _fit(req, best[0], size, max_px) if best and best[0] > PAD else None
        if text is None:
            later.append(req)
        else:
            put(req, best[1], text)

    # 2. skipped labels into any gap now left, important ones first
    for req in sorted(later, key=lambda r: (r.priority, r.x)):
        for row in range(rows):
            if not occ.leader_free(row, req.x):
                break
            room = occ.room(row, req.x, x_max)
            text = _fit(req, room, size, max_px) if room > PAD else None
            if text is not None:
                put(req, row, text)
                break

    # 3. truncated labels grow into the room left on their row
    by_key = {r.key: r for r in requests}
    for key, lab in sorted(placed.items(), key=lambda kv: kv[1].x):
        req = by_key[key]
        if lab.text == clean(req.text) or req.priority > 0:
            continue
        room = occ.room(lab.row, lab.x, x_max, ignore=key)
        text = _fit(req, room, size, max_px)
        if text is not None and len(text) > len(lab.text):
            width = PAD + text_width(text, size)
            occ.drop(key)
            occ.take(lab.row, lab.x, width, key)
            placed[key] = PlacedLabel(key, lab.x, lab.row, text, width)

    return tuple(sorted(placed.values(), key=lambda p: (p.x, p.row)))
