"""flashmob.tools.audio.crc16: one CRC-16/ARC, three ways to compute it, all the same number."""

import numpy as np
import pytest

from flashmob.tools.audio.crc16 import crc16, crc16_join, frame_crcs


def bitwise_crc16(data: bytes) -> int:
    """The textbook definition: reflected polynomial 0xA001, one bit at a time."""
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def test_check_value_and_the_textbook_definition():
    assert crc16(b"123456789") == 0xBB3D  # the catalogued check value of CRC-16/ARC
    data = np.random.default_rng(1).integers(0, 256, 1000, dtype=np.uint8).tobytes()
    assert crc16(data) == bitwise_crc16(data)
    assert crc16(b"") == 0


def test_continuing_a_crc_is_the_crc_of_the_concatenation():
    a, b = b"Info frame bytes", b"\xff\xfb\x90\x00" * 50
    assert crc16(b, crc16(a)) == crc16(a + b)


@pytest.fixture
def frames():
    """Frames of mixed sizes (even and odd, as padded MP3 frames are) in one byte string."""
    rng = np.random.default_rng(7)
    sizes = np.array([417, 418, 417, 417, 418, 1, 2, 3, 418], np.int64)
    data = rng.integers(0, 256, int(sizes.sum()) + 11, dtype=np.uint8).tobytes()
    starts = 11 + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return data, starts, sizes


def test_frame_crcs_are_each_frames_crc(frames):
    data, starts, sizes = frames
    crcs = frame_crcs(data, starts, sizes)
    assert crcs.tolist() == [crc16(data[s : s + n]) for s, n in zip(starts.tolist(), sizes.tolist())]


def test_joined_frame_crcs_are_the_crc_of_the_frames_bytes(frames):
    data, starts, sizes = frames
    crcs = frame_crcs(data, starts, sizes)
    prefix = b"primer frame"
    joined = crc16_join(crc16(prefix), sizes[2:7].tolist(), crcs[2:7].tolist())
    assert joined == crc16(prefix + data[int(starts[2]) : int(starts[7])])
    assert crc16_join(0, sizes.tolist(), crcs.tolist()) == crc16(data[11:])
    assert crc16_join(0x1234, [], []) == 0x1234
