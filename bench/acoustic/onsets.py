"""Click onsets in recorded sound, to a fraction of a sample; pure (numpy only).

A click of the benchmark's bundle is a short full-scale burst on a quiet (or
silent) bed. :func:`onsets` finds each one: the first sample whose magnitude
exceeds ``threshold`` (absolute, far above the bed and above MP3 pre-echo)
at least ``min_gap_s`` after the previous click; its onset is where the
magnitude first crosses half of the click's peak (its first ``peak_window``
samples), interpolated linearly between the two samples around the crossing.
The half-peak crossing of a band-limited version of a step lands within a
sample of the step whatever decoder or resampler smeared it, so the same rule
applied to the decoded bundle (:func:`reference_offset`) gives the bias to
subtract.
"""

from __future__ import annotations

import numpy as np


def onsets(x: np.ndarray, *, threshold: float = 0.25, min_gap_s: float = 0.1, rate: int = 48000,
           peak_window: int = 48) -> list[float]:
    """Fractional sample indices of the click onsets in ``x`` (mono float)."""
    a = np.abs(np.asarray(x, dtype=np.float64))
    above = np.flatnonzero(a > threshold)
    out: list[float] = []
    last = -np.inf
    gap = min_gap_s * rate
    for i in above:
        if i - last < gap:
            if out:
                last = i
            continue
        half = a[i:i + peak_window].max() / 2
        j = i + int(np.argmax(a[i:i + peak_window] >= half))  # first sample at or above half the peak
        while j > 0 and a[j - 1] >= half:  # (the threshold may be above half a quiet click)
            j -= 1
        if j == 0:
            out.append(0.0)
        else:
            y0, y1 = a[j - 1], a[j]
            out.append(j - 1 + (half - y0) / (y1 - y0) if y1 > y0 else float(j))
        last = i
    return out


def reference_offset(decoded: np.ndarray, click_sample: int, rate: int, **kw) -> float:
    """Onset (fractional samples) minus the nominal click sample, in a decoded bundle."""
    found = [o for o in onsets(decoded, rate=rate, **kw) if abs(o - click_sample) < rate * 0.01]
    if not found:
        raise ValueError(f"no click near sample {click_sample}")
    return found[0] - click_sample
