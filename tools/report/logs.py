"""Show logs read and merged: one numpy record array, in time order, with the node of each record.

A show served by several conductors (nodes) has one log per node
(:mod:`flashmob.contract.showlog`); a participant has the same key in all
of them, so merging is concatenating and sorting by time (stable: a node's
own order is kept for equal times).  ``node`` is the index of the log in the
list given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flashmob.contract import showlog as fmt

DTYPE = np.dtype(list(fmt.FIELDS))
assert DTYPE.itemsize == fmt.RECORD.size
MERGED = np.dtype(list(fmt.FIELDS) + [("node", "<u2")])


@dataclass(frozen=True)
class Logs:
    records: np.ndarray  # MERGED, sorted by t_us
    paths: tuple[Path, ...]
    torn_bytes: int  # trailing partial records ignored, all logs together


def read_log(path: Path) -> tuple[np.ndarray, int]:
    """One log's records (DTYPE) and its trailing partial bytes; ShowLogError on a bad header."""
    data = Path(path).read_bytes()
    fmt.parse(data[:fmt.HEADER.size], str(path))  # the header's checks, with the file's name
    body = data[fmt.HEADER.size:]
    whole = len(body) - len(body) % fmt.RECORD.size
    return np.frombuffer(body[:whole], dtype=DTYPE), len(body) - whole


def read_logs(paths: list[Path]) -> Logs:
    """Every log of a show, merged (raises ShowLogError naming a file that is not a show log)."""
    if not paths:
        raise fmt.ShowLogError("no show log given")
    parts, torn = [], 0
    for node, path in enumerate(paths):
        recs, extra = read_log(path)
        torn += extra
        merged = np.empty(len(recs), dtype=MERGED)
        for name in DTYPE.names:
            merged[name] = recs[name]
        merged["node"] = node
        parts.append(merged)
    allrecs = parts[0] if len(parts) == 1 else np.concatenate(parts)
    order = np.argsort(allrecs["t_us"], kind="stable")
    return Logs(allrecs[order], tuple(Path(p) for p in paths), torn)


def find_logs(bundle: Path) -> list[Path]:
    """The logs a conductor serving ``bundle`` wrote with its default state file (``*.showlog`` in it)."""
    return sorted(p for p in Path(bundle).glob("*" + fmt.SUFFIX) if p.is_file())
