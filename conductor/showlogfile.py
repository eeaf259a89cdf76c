"""The show log's file: the recorder's records appended to one file (the I/O shell).

One file per conductor process, next to its state file (``<state file>.showlog``;
one per node when several conductors serve one show: ``flashmob report`` merges
them).  Append-only: a new file gets the header of
:mod:`flashmob.contract.showlog`, an existing one must have it (else the
conductor refuses to start, naming the file: it never overwrites one).  Writes
are not fsynced — the log is for the report, not for resuming the show — and a
failing write (disk full) loses those records, is logged once per failure
streak, and never stops the show.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flashmob.contract import showlog as fmt

log = logging.getLogger("flashmob.conductor.showlog")


def default_path(state_file: Path) -> Path:
    """A single conductor's log: beside its state file, the same name + ``.showlog``."""
    return state_file.with_name(state_file.name + fmt.SUFFIX)


def node_path(folder: Path, node_id: str) -> Path:
    """A node's log when several conductors share a show (no state file): one file per node id."""
    return Path(folder) / f".flashmob-node-{node_id}{fmt.SUFFIX}"


class ShowLogFile:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lost_bytes = 0
        self._failing = False
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(self._fd).st_size
            if size == 0:
                os.write(self._fd, fmt.header())
            else:
                with open(self.path, "rb") as f:
                    fmt.parse(f.read(fmt.HEADER.size), str(self.path))
                torn = (size - fmt.HEADER.size) % fmt.RECORD.size
                if torn:  # a crash in the middle of a record: cut it, so what follows stays aligned
                    log.warning("show log %s: cut a partial last record (%d bytes)", self.path, torn)
                    os.ftruncate(self._fd, size - torn)
        except BaseException:
            os.close(self._fd)
            raise

    def append(self, data: bytes) -> None:
        """Append whole records (a failure loses them, logged; never raised)."""
        if not data or self._fd < 0:
            return
        try:
            view = memoryview(data)
            while view:
                n = os.write(self._fd, view)
                view = view[n:]
            if self._failing:
                log.warning("show log %s: writing again (%d bytes were lost)", self.path, self.lost_bytes)
            self._failing = False
        except OSError as exc:
            self.lost_bytes += len(data)
            if not self._failing:
                log.warning("show log %s: cannot write (%s); its records are lost until it can", self.path, exc)
            self._failing = True

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
