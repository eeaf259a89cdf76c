"""Record a null sink's monitor, timed on CLOCK_MONOTONIC (the conductor's clock
without --ntp is CLOCK_MONOTONIC + a fixed epoch offset: bench/procs.py).

How sample 0 of a recording maps to conductor time: each read of the monitor
stream (bench/acoustic/pulse.py) gives the CLOCK_MONOTONIC instant at which the
sink rendered its first frame (now - the stream's signed latency, interpolated
by libpulse from the server's timing reports).  Each read is an *anchor*:
``t(frame f) = anchor + (f - f_read) / rate``.  The null sink's clock is the
system's monotonic clock (it renders on an rtclock timer), so within a run of
reads the anchors agree to a few µs; the first ~2 s after connecting (the sink
renders big blocks until our latency request takes effect) and any jump (an
underrun, a new latency) do not, so a frame is timed by the median of the
anchors of its steady run within ``window_s`` of it.
The chain as a whole - a native player's own account of when its click plays,
recorded through the same path - is measured by bench/acoustic/calibrate.py.

:class:`SinkRecorder` is the context manager the benchmark and the browser
tests use; :func:`first_onset_us` the one-call form of the start assertion.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from .onsets import onsets
from .native import Stream


class AnchorLine:
    """Frame -> CLOCK_MONOTONIC µs of a stream from its timed reads or writes.

    ``anchors``: (frame index of a read's/write's first frame, µs at which the sink plays it).
    Runs of consecutive anchors whose frame-0 estimates agree (steps below ``jump_us``)
    and cover at least ``min_run_s`` of audio are trusted; a frame is timed by the
    median frame-0 estimate of the anchors of its run within ``window_s`` of it.
    Outside any run (right after connecting the sink hands over a backlog rendered at
    another latency; an underrun or a latency change makes a jump) it cannot be timed.
    """

    def __init__(self, anchors, rate: int, *, window_s: float = 0.25, jump_us: float = 500.0,
                 min_run_s: float = 0.5) -> None:
        self.a = np.array(anchors, dtype=np.float64).reshape(-1, 2)
        self.rate, self.window_s, self.jump_us, self.min_run_s = rate, window_s, jump_us, min_run_s

    def segments(self) -> list[np.ndarray]:
        """The trusted runs: rows (frame of the anchor, µs of frame 0)."""
        a = self.a
        if len(a) < 2:
            return []
        zero = a[:, 1] - a[:, 0] / self.rate * 1e6
        cuts = np.flatnonzero(np.abs(np.diff(zero)) > self.jump_us) + 1
        out = []
        for part in np.split(np.arange(len(a)), cuts):
            if len(part) and a[part[-1], 0] - a[part[0], 0] >= self.min_run_s * self.rate:
                out.append(np.column_stack([a[part, 0], zero[part]]))
        return out

    def at(self, frame: float) -> float | None:
        """µs at which ``frame`` plays, or None (the sink's sample clock may drift against
        CLOCK_MONOTONIC: at 44.1 kHz PulseAudio's null sink advances its clock by whole µs
        per block, about 100 ppm off, so the anchors used are local)."""
        for seg in self.segments():
            if seg[0, 0] - self.rate * 0.05 <= frame <= seg[-1, 0] + self.rate * 0.05:
                near = np.abs(seg[:, 0] - frame) <= self.window_s * self.rate
                zero = np.median(seg[near, 1]) if near.any() else seg[np.argmin(np.abs(seg[:, 0] - frame)), 1]
                return float(zero + frame / self.rate * 1e6)
        return None

    def spread_us(self) -> float:
        """Largest spread (p95 - p5) of the frame-0 estimates within ``window_s`` of any anchor (µs)."""
        worst = 0.0
        for seg in self.segments():
            step = max(1, len(seg) // 50)
            for k in range(0, len(seg), step):
                near = np.abs(seg[:, 0] - seg[k, 0]) <= self.window_s * self.rate
                p5, p95 = np.percentile(seg[near, 1], [5, 95])
                worst = max(worst, float(p95 - p5))
        return worst


class SinkRecorder:
    """Record ``sink``'s monitor (at the sink's ``rate``) while the ``with`` block runs (a thread
    reads it). ``pulse``: the bench/engines PulseServer the sink lives on."""

    def __init__(self, pulse, sink: str, rate: int, *, window_s: float = 0.25, jump_us: float = 1500.0,
                 min_run_s: float = 0.3, latency_ms: float = 10.0) -> None:
        self.pulse, self.sink, self.rate = pulse, sink, rate
        self.window_s, self.jump_us, self.min_run_s, self.latency_ms = window_s, jump_us, min_run_s, latency_ms
        self.chunks: list[np.ndarray] = []
        self.anchors: list[tuple[int, float]] = []  # (frame index of the read's first frame, mono µs)
        self._stop = threading.Event()
        self._thread = None
        self.error: BaseException | None = None
        self.started_mono_us = None

    def __enter__(self) -> SinkRecorder:
        # A null sink whose inputs all stop (Gecko's graph closes its stream when silent) stops
        # rendering, and its monitor then hands over an untimed backlog when sound resumes: a
        # silent input of our own keeps the sink running, so every frame of the page is timed.
        # Its latency request is short (30 ms, like a real device's): a long one makes the sink
        # render far ahead and rewind whenever a page's stream starts, and a monitor cannot
        # take back what it delivered (measured: a 5 ms bias and a jump at every start).
        self.keepalive = Stream(self.pulse.socket, self.sink, record=False, rate=self.rate, latency_ms=30.0,
                                name=f"keepalive-{self.sink}")
        self.keepalive.write(np.zeros(int(self.rate * 0.03), np.float32))
        self.stream = Stream(self.pulse.socket, f"{self.sink}.monitor", record=True, rate=self.rate,
                             latency_ms=self.latency_ms, name=f"recorder-{self.sink}")
        self.started_mono_us = time.clock_gettime_ns(time.CLOCK_MONOTONIC) / 1000
        self._thread = threading.Thread(target=self._run, name=f"rec-{self.sink}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                n = self.keepalive.writable()
                if n >= self.rate // 200:  # top the silence up
                    self.keepalive.write(np.zeros(n, np.float32))
                first = self.stream.frames
                buf, t = self.stream.read()
                if buf is None:
                    time.sleep(0.005)  # a light poll: 2 cores are shared by every page
                    continue
                self.chunks.append(buf)
                if t is not None:
                    self.anchors.append((first, t))
        except BaseException as exc:  # reported by samples()
            self.error = exc

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self.stream.close()
        self.keepalive.close()

    def _line(self) -> AnchorLine:
        return AnchorLine(self.anchors, self.rate, window_s=self.window_s, jump_us=self.jump_us,
                          min_run_s=self.min_run_s)

    def wait_settled(self, timeout: float = 10.0) -> None:
        """Block until the reads have agreed for ``min_run_s`` (after connecting, the sink
        hands over a backlog rendered at another latency: those reads cannot be timed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            segs = self._line().segments()
            if segs and abs(segs[-1][-1, 0] - self.anchors[-1][0]) < self.rate * 0.05:
                return
            time.sleep(0.05)
        raise RuntimeError(f"recording of {self.sink} did not settle ({len(self.anchors)} reads)")

    def samples(self) -> np.ndarray:
        if self.error:
            raise RuntimeError(f"recording {self.sink} failed: {self.error}")
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)

    def mono_us_at(self, frame: float) -> float | None:
        """CLOCK_MONOTONIC µs at which the sink played ``frame`` of this recording (see AnchorLine)."""
        return self._line().at(frame)

    def anchor_spread_us(self) -> float:
        return self._line().spread_us()

    def onsets_mono_us(self, *, after_mono_us: float | None = None, **kw) -> list[float]:
        """CLOCK_MONOTONIC µs of every click onset heard (after ``after_mono_us``)."""
        x = self.samples()
        out = []
        for f in onsets(x, rate=self.rate, **kw):
            t = self.mono_us_at(f)
            if t is None:
                continue
            if after_mono_us is None or t >= after_mono_us:
                out.append(t)
        return out


def first_onset_us(recorder: SinkRecorder, *, after_us: float, epoch_us: int, **kw) -> float | None:
    """Conductor time (µs) of the first click heard at or after conductor time ``after_us``,
    or None. ``epoch_us``: the conductor's server time minus CLOCK_MONOTONIC (procs.epoch_offset_us())."""
    found = recorder.onsets_mono_us(after_mono_us=after_us - epoch_us, **kw)
    return found[0] + epoch_us if found else None
