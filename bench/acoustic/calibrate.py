"""Calibrate the recording chain with a native PulseAudio player.

A native libpulse client (bench/acoustic/pulse.py, :class:`Stream` in playback)
writes silence with a click every ``every_s`` into a null sink; for each click
it knows, from the sound server's own latency accounting, the CLOCK_MONOTONIC
instant the click is played.  A :class:`SinkRecorder` records the sink's monitor
through the same path the pages are recorded through and times each onset.
``recorded - played`` over many clicks is the chain's error: its median is a
bias (subtracted by nobody: it is reported, and must stay far below the
targets), its spread the resolution of every acoustic number.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .native import Stream
from .recorder import AnchorLine, SinkRecorder


@dataclass(frozen=True)
class Calibration:
    rate: int
    clicks: int
    heard: int
    median_us: float
    p5_us: float
    p95_us: float
    max_abs_us: float
    anchor_spread_us: float

    @property
    def reliable(self) -> bool:
        """Most clicks timed, and their p5..p95 within 1 ms: the median is a bias worth subtracting."""
        return (self.heard >= max(3, self.clicks * 2 // 3) and np.isfinite(self.median_us)
                and self.p95_us - self.p5_us <= 1000 and abs(self.median_us) <= 2000)


def click_pcm(rate: int) -> np.ndarray:
    """A 6-sample burst at 0.95, like the bundles' clicks (at 44.1/48 kHz: 0.12-0.14 ms)."""
    return np.full(6, 0.95, dtype=np.float32)


def calibrate(pulse, sink: str, rate: int, *, clicks: int = 20, every_s: float = 0.25,
              latency_ms: float = 60.0) -> Calibration:
    """Play ``clicks`` clicks into ``sink`` with a native player and time them in its recording.

    The player writes in real time, keeping about ``latency_ms`` queued; each write is timed
    by the server (``now + latency``: when its first frame plays) and the writes form an
    :class:`AnchorLine` like the recorder's reads, so a click's played time is the local
    median of the writes' estimates, and an underrun on a loaded machine (a jump) leaves
    the clicks around it untimed instead of wrong.
    """
    lead = int(rate * 0.5)
    period = int(rate * every_s)
    total = lead + clicks * period + int(rate * 0.3)
    train = np.zeros(total, np.float32)
    for k in range(clicks):
        train[lead + k * period:lead + k * period + 6] = click_pcm(rate)
    anchors: list[tuple[int, float]] = []
    block = int(rate * 0.005)
    with SinkRecorder(pulse, sink, rate) as rec:
        rec.wait_settled()
        with Stream(pulse.socket, sink, record=False, rate=rate, latency_ms=latency_ms,
                    name="calibration-player") as out:
            pos = 0
            deadline = time.monotonic() + total / rate + 5
            while pos < total and time.monotonic() < deadline:
                n = min(out.writable(), total - pos, block * 4)
                if n < min(block, total - pos):
                    time.sleep(0.002)
                    continue
                t = out.write(train[pos:pos + n])
                if t is not None:
                    anchors.append((pos, t))
                pos += n
            time.sleep(latency_ms / 1000 + 0.3)
    line = AnchorLine(anchors, rate)
    played = [line.at(lead + k * period) for k in range(clicks)]
    played = [p for p in played if p is not None]
    heard = rec.onsets_mono_us()
    errs = []
    for p in played:
        near = [h - p for h in heard if abs(h - p) < every_s * 0.4e6]
        if near:
            errs.append(near[0])
    e = np.array(errs) if errs else np.array([np.nan])
    return Calibration(rate=rate, clicks=len(played), heard=len(errs), median_us=float(np.median(e)),
                       p5_us=float(np.percentile(e, 5)), p95_us=float(np.percentile(e, 95)),
                       max_abs_us=float(np.max(np.abs(e - np.median(e)))),
                       anchor_spread_us=max(rec.anchor_spread_us(), line.spread_us()))


if __name__ == "__main__":
    import sys
    import tempfile

    from bench.engines import PulseServer

    for rate in (44100, 48000):
        with tempfile.TemporaryDirectory() as d, PulseServer(d, default_rate=rate) as pa:
            pa.null_sink("cal", rate=rate)
            print(calibrate(pa, "cal", rate, clicks=int(sys.argv[1]) if len(sys.argv) > 1 else 20))
