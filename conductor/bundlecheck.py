"""The limits the conductor enforces on a bundle, as the contract defines them.

The checks themselves (nesting at most ``MAX_DEPTH`` levels, valid Unicode,
whole numbers in range for everything a phone computes with, sha256 and size
of every file) are the manifest's parser and the bundle loader in
:mod:`flashmob.contract` (:mod:`~flashmob.contract.manifest`,
:mod:`~flashmob.contract.bundle`); this module names their limits for the
conductor's limits table (:mod:`conductor.limits`, docs/protocol.md).
"""

from __future__ import annotations

from flashmob.contract.bundle import verify_files
from flashmob.contract.manifest import (MAX_BYTES, MAX_DEPTH, MAX_DURATION_MS, MAX_GROUPS, MAX_MANIFEST_BYTES,
                                        MAX_SAMPLES, MAX_SHARE, MAX_TITLE_CHARS, SAMPLE_RATES)

__all__ = ["LIMITS", "MAX_DEPTH", "MAX_DURATION_MS", "MAX_GROUPS", "MAX_MANIFEST_BYTES", "MAX_TITLE_CHARS",
           "verify_files"]

LIMITS = {  # name: (lowest, highest) for integers the conductor or the phones compute with
    "sample_rate": SAMPLE_RATES,
    "duration.ms": (1, MAX_DURATION_MS),
    "share": (0, MAX_SHARE),
    "first_sample": (0, MAX_SAMPLES),
    "samples": (1, MAX_SAMPLES),
    "bytes": (0, MAX_BYTES),
    "start_ms": (0, MAX_DURATION_MS),
    "end_ms": (0, MAX_DURATION_MS),
    "duration_ms": (0, MAX_DURATION_MS),
}
