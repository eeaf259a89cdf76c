"""A disk cache of synthesized utterances, shared by every group and every render.

Keys are sha256 digests of everything that determines the samples (engine,
engine version, voice identity such as a model file's hash, settings, text,
sample rate), so a stale entry can never be returned: change any of them
and the key changes. Values are float32 ``.npy`` files written atomically
(temporary file + rename), so concurrent renders may share a directory.

Location: ``$FLASHMOB_CACHE/voices`` when ``FLASHMOB_CACHE`` is set, else
``~/.cache/flashmob/voices``; or any directory given explicitly.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Mapping

import numpy as np

from .base import VoiceError

KEY_FORMAT = 1
"""Bump when the pipeline changes what a key's samples are."""


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$FLASHMOB_CACHE/voices`` or ``~/.cache/flashmob/voices``."""
    env = os.environ if environ is None else environ
    root = env.get("FLASHMOB_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "flashmob") / "voices"


def cache_key(*, engine: str, engine_version: str, identity: str, settings: dict, text: str, sample_rate: int) -> str:
    """Hex sha256 of a canonical JSON of the arguments."""
    doc = {
        "format": KEY_FORMAT, "engine": engine, "engine_version": engine_version, "identity": identity,
        "settings": settings, "text": text, "sample_rate": sample_rate,
    }
    blob = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


class VoiceCache:
    """float32 arrays stored under ``directory/ab/abcdef....npy``."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.npy"

    def get(self, key: str) -> np.ndarray | None:
        """The stored array, or None when absent or unreadable (a damaged entry is a miss)."""
        p = self.path(key)
        try:
            arr = np.load(p, allow_pickle=False)
        except (OSError, ValueError):
            return None
        return arr if arr.dtype == np.float32 and arr.ndim == 1 else None

    def put(self, key: str, samples: np.ndarray) -> None:
        """Store ``samples`` (float32, 1-D) atomically."""
        p = self.path(key)
        tmp = None
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".tmp-", suffix=".npy")
            with os.fdopen(fd, "wb") as f:
                np.save(f, np.asarray(samples, np.float32), allow_pickle=False)
            os.replace(tmp, p)
        except OSError as e:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            raise VoiceError(f"cannot write to the voice cache {self.directory}: {e}") from e
