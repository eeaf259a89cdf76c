"""A native PulseAudio client, timed by the sound server (ctypes over libpulse).

The server itself (private runtime dir, null sinks) is bench/engines/pulse.py.
:class:`Stream` is a native libpulse client (ctypes, the threaded main loop,
polled: no callbacks), used two ways, both timed by the sound server itself:

* recording a sink's monitor: :meth:`Stream.read` returns the next frames and the
  CLOCK_MONOTONIC time (µs) at which the first of them was *rendered by the sink*
  - ``now - pa_stream_get_latency()``, whose latency is negative for a monitor
  (PulseAudio reports a monitor source's latency as minus its sink's: a
  monitored sample is handed to us before the sink's clock reaches it);
* playing into a sink: :meth:`Stream.write` queues frames and returns the
  CLOCK_MONOTONIC time at which the first of them will be played
  (``now + latency``, the same accounting any native player uses).

Both read the latency with ``PA_STREAM_INTERPOLATE_TIMING`` and automatic timing
updates, so it is interpolated from the server's last timing report (every
100 ms) with the local clock; the calibration (``bench/acoustic/calibrate.py``)
measures what this is worth.
"""

from __future__ import annotations

import ctypes
import time
from pathlib import Path


class PulseMissing(RuntimeError):
    """libpulse is not installed."""


# --------------------------------------------------------------------------- native client (ctypes)

PA_SAMPLE_FLOAT32LE = 5
PA_STREAM_PLAYBACK, PA_STREAM_RECORD = 1, 2
PA_CONTEXT_READY, PA_CONTEXT_FAILED, PA_CONTEXT_TERMINATED = 4, 5, 6
PA_STREAM_READY, PA_STREAM_FAILED, PA_STREAM_TERMINATED = 2, 3, 4
PA_STREAM_INTERPOLATE_TIMING, PA_STREAM_AUTO_TIMING_UPDATE, PA_STREAM_ADJUST_LATENCY = 0x2, 0x8, 0x2000
PA_SEEK_RELATIVE = 0


class _SampleSpec(ctypes.Structure):
    _fields_ = [("format", ctypes.c_int), ("rate", ctypes.c_uint32), ("channels", ctypes.c_uint8)]


class _BufferAttr(ctypes.Structure):
    _fields_ = [("maxlength", ctypes.c_uint32), ("tlength", ctypes.c_uint32), ("prebuf", ctypes.c_uint32),
                ("minreq", ctypes.c_uint32), ("fragsize", ctypes.c_uint32)]


_lib = None


def _pa():
    global _lib
    if _lib is None:
        try:
            lib = ctypes.CDLL("libpulse.so.0")
        except OSError as exc:
            raise PulseMissing(f"libpulse.so.0 is missing (apt-get install libpulse0): {exc}") from None
        P, I, U, S = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint64, ctypes.c_size_t
        sig = {
            "pa_threaded_mainloop_new": (P, []), "pa_threaded_mainloop_get_api": (P, [P]),
            "pa_threaded_mainloop_start": (I, [P]), "pa_threaded_mainloop_stop": (None, [P]),
            "pa_threaded_mainloop_free": (None, [P]), "pa_threaded_mainloop_lock": (None, [P]),
            "pa_threaded_mainloop_unlock": (None, [P]),
            "pa_context_new": (P, [P, ctypes.c_char_p]), "pa_context_connect": (I, [P, ctypes.c_char_p, I, P]),
            "pa_context_get_state": (I, [P]), "pa_context_disconnect": (None, [P]), "pa_context_unref": (None, [P]),
            "pa_stream_new": (P, [P, ctypes.c_char_p, ctypes.POINTER(_SampleSpec), P]),
            "pa_stream_connect_record": (I, [P, ctypes.c_char_p, ctypes.POINTER(_BufferAttr), I]),
            "pa_stream_connect_playback": (I, [P, ctypes.c_char_p, ctypes.POINTER(_BufferAttr), I, P, P]),
            "pa_stream_get_state": (I, [P]), "pa_stream_peek": (I, [P, ctypes.POINTER(P), ctypes.POINTER(S)]),
            "pa_stream_drop": (I, [P]), "pa_stream_writable_size": (S, [P]),
            "pa_stream_write": (I, [P, P, S, P, ctypes.c_int64, I]),
            "pa_stream_get_latency": (I, [P, ctypes.POINTER(U), ctypes.POINTER(I)]),
            "pa_stream_disconnect": (I, [P]), "pa_stream_unref": (None, [P]),
        }
        for name, (res, args) in sig.items():
            f = getattr(lib, name)
            f.restype, f.argtypes = res, args
        _lib = lib
    return _lib


def _mono_us() -> float:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) / 1000


class Stream:
    """One mono float32 stream at ``rate`` on the server listening on ``socket``: ``record``
    from a device (a sink's monitor) or play into a sink. Close it (or use ``with``)."""

    def __init__(self, socket: str | Path, device: str, *, record: bool, rate: int,
                 latency_ms: float = 5.0, name: str = "flashmob-acoustic") -> None:
        pa = _pa()
        self.pa, self.rate, self.record = pa, rate, record
        self.ml = pa.pa_threaded_mainloop_new()
        self.ctx = pa.pa_context_new(pa.pa_threaded_mainloop_get_api(self.ml), name.encode())
        pa.pa_context_connect(self.ctx, f"unix:{socket}".encode(), 0x0001, None)  # NOAUTOSPAWN
        pa.pa_threaded_mainloop_start(self.ml)
        self._wait(lambda: pa.pa_context_get_state(self.ctx), PA_CONTEXT_READY, (PA_CONTEXT_FAILED, PA_CONTEXT_TERMINATED))
        spec = _SampleSpec(PA_SAMPLE_FLOAT32LE, self.rate, 1)
        nbytes = int(self.rate * latency_ms / 1000) * 4
        # playback: a target length of latency_ms, no prebuffering (playback starts with the
        # first write); record: fragments of latency_ms
        attr = _BufferAttr(0xFFFFFFFF, nbytes if not record else 0xFFFFFFFF, 0,
                           0xFFFFFFFF, nbytes if record else 0xFFFFFFFF)
        flags = PA_STREAM_INTERPOLATE_TIMING | PA_STREAM_AUTO_TIMING_UPDATE | PA_STREAM_ADJUST_LATENCY
        self._lock()
        self.s = pa.pa_stream_new(self.ctx, name.encode(), ctypes.byref(spec), None)
        if record:
            pa.pa_stream_connect_record(self.s, device.encode(), ctypes.byref(attr), flags)
        else:
            pa.pa_stream_connect_playback(self.s, device.encode(), ctypes.byref(attr), flags, None, None)
        self._unlock()
        self._wait(lambda: pa.pa_stream_get_state(self.s), PA_STREAM_READY, (PA_STREAM_FAILED, PA_STREAM_TERMINATED))
        self.frames = 0  # frames read or written so far

    def _lock(self):
        self.pa.pa_threaded_mainloop_lock(self.ml)

    def _unlock(self):
        self.pa.pa_threaded_mainloop_unlock(self.ml)

    def _wait(self, state, ok, bad, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            self._lock()
            st = state()
            self._unlock()
            if st == ok:
                return
            if st in bad or time.monotonic() > deadline:
                raise RuntimeError(f"pulseaudio stream/context state {st}")
            time.sleep(0.005)

    def read(self):
        """(frames float32 array or None, CLOCK_MONOTONIC µs at which the sink rendered the first frame)."""
        import numpy as np

        pa = self.pa
        data, n = ctypes.c_void_p(), ctypes.c_size_t()
        us, neg = ctypes.c_uint64(), ctypes.c_int()
        self._lock()
        try:
            lat_ok = pa.pa_stream_get_latency(self.s, ctypes.byref(us), ctypes.byref(neg)) >= 0
            now = _mono_us()
            if pa.pa_stream_peek(self.s, ctypes.byref(data), ctypes.byref(n)) < 0 or n.value == 0:
                return None, None
            if data.value:
                buf = np.frombuffer(ctypes.string_at(data.value, n.value), dtype="<f4").copy()
            else:  # a hole
                buf = np.zeros(n.value // 4, dtype=np.float32)
            pa.pa_stream_drop(self.s)
        finally:
            self._unlock()
        self.frames += len(buf)
        if not lat_ok:
            return buf, None
        lat = (-1.0 if neg.value else 1.0) * us.value
        return buf, now - lat

    def writable(self) -> int:
        self._lock()
        try:
            return self.pa.pa_stream_writable_size(self.s) // 4
        finally:
            self._unlock()

    def write(self, frames) -> float | None:
        """Queue float32 frames (none: just ask); CLOCK_MONOTONIC µs at which the first will be
        played, i.e. when the frame at the write index plays (None before a timing update)."""
        import numpy as np

        b = np.ascontiguousarray(frames, dtype="<f4").tobytes()
        us, neg = ctypes.c_uint64(), ctypes.c_int()
        self._lock()
        try:
            lat_ok = self.pa.pa_stream_get_latency(self.s, ctypes.byref(us), ctypes.byref(neg)) >= 0
            now = _mono_us()
            if b:
                self.pa.pa_stream_write(self.s, b, len(b), None, 0, PA_SEEK_RELATIVE)
        finally:
            self._unlock()
        self.frames += len(b) // 4
        if not lat_ok:
            return None
        return now + (-1.0 if neg.value else 1.0) * us.value

    def close(self) -> None:
        pa = self.pa
        self._lock()
        pa.pa_stream_disconnect(self.s)
        pa.pa_stream_unref(self.s)
        pa.pa_context_disconnect(self.ctx)
        pa.pa_context_unref(self.ctx)
        self._unlock()
        pa.pa_threaded_mainloop_stop(self.ml)
        pa.pa_threaded_mainloop_free(self.ml)

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
