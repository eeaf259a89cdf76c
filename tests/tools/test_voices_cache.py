"""flashmob.tools.voices.cache: content-addressed, atomic, tolerant of damaged entries."""

import numpy as np
import pytest

from flashmob.tools.voices.base import VoiceError
from flashmob.tools.voices.cache import VoiceCache, cache_key, default_cache_dir

BASE = dict(engine="espeak", engine_version="1", identity="", settings={"rate": 1.0}, text="salut", sample_rate=44100)


def test_key_changes_with_every_input():
    k = cache_key(**BASE)
    assert len(k) == 64 and k == cache_key(**dict(BASE))
    for field, other in [("engine", "piper"), ("engine_version", "2"), ("identity", "abc"),
                         ("settings", {"rate": 1.5}), ("text", "Salut"), ("sample_rate", 48000)]:
        assert cache_key(**{**BASE, field: other}) != k, field


def test_round_trip_and_miss(tmp_path):
    cache = VoiceCache(tmp_path / "v")
    key = cache_key(**BASE)
    assert cache.get(key) is None
    x = np.linspace(-1, 1, 1001, dtype=np.float32)
    cache.put(key, x)
    got = cache.get(key)
    assert got.dtype == np.float32 and np.array_equal(got, x)
    assert cache.path(key).parent.name == key[:2]
    assert not list(cache.path(key).parent.glob(".tmp-*"))


def test_damaged_entry_is_a_miss(tmp_path):
    cache = VoiceCache(tmp_path)
    key = cache_key(**BASE)
    cache.path(key).parent.mkdir(parents=True)
    cache.path(key).write_bytes(b"garbage")
    assert cache.get(key) is None


def test_unwritable_cache_raises_voice_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(VoiceError, match="voice cache"):
        VoiceCache(blocker / "sub").put(cache_key(**BASE), np.zeros(3, np.float32))


def test_default_dir_honours_flashmob_cache(tmp_path):
    assert default_cache_dir({"FLASHMOB_CACHE": str(tmp_path)}) == tmp_path / "voices"
    assert default_cache_dir({}).parts[-3:] == (".cache", "flashmob", "voices")
