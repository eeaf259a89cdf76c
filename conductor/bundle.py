"""The show bundle the conductor serves: the contract's bundle loader, re-exported.

The manifest's records, its one parser and the bundle loader live in
:mod:`flashmob.contract` (:mod:`~flashmob.contract.manifest`,
:mod:`~flashmob.contract.bundle`), shared with the renderer and the print kit;
the conductor reads a bundle only through them.  :func:`load_bundle` reads
``manifest.json``, checks it (errors name the field), verifies every file
with a sha256, and returns a frozen :class:`Bundle`; :func:`parse_manifest`
does the same from manifest bytes without reading any file.
"""

from __future__ import annotations

from pathlib import Path

from flashmob.contract.bundle import Bundle, BundleError, GroupInfo, bundle_of, load_bundle
from flashmob.contract.colours import DEFAULT_COLOUR
from flashmob.contract.manifest import MANIFEST, MAX_NAME_CHARS

__all__ = ["MANIFEST", "DEFAULT_COLOUR", "MAX_NAME_CHARS", "Bundle", "BundleError", "GroupInfo", "load_bundle",
           "parse_manifest"]


def parse_manifest(root: Path, raw: bytes) -> Bundle:
    """A :class:`Bundle` rooted at ``root`` from ``manifest.json`` bytes (files are not read)."""
    return bundle_of(root, raw)
