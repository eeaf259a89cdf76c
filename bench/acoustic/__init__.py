"""The sound as ground truth: record each page's PulseAudio null sink and time its clicks.

For tests (the start assertion of the browser tests)::

    from bench.acoustic import SinkRecorder, first_onset_us
    from bench.procs import epoch_offset_us

    with SinkRecorder(pa, sink, rate) as rec:      # pa: bench.engines.PulseServer
        rec.wait_settled()                          # ~1-3 s after connecting
        ... arm the show (start_at_us) and wait until it has played ...
        heard = first_onset_us(rec, after_us=start_at_us - 500_000, epoch_us=epoch_offset_us())
        assert heard is not None and abs(heard - start_at_us) < 20_000

The benchmark is ``python -m bench.acoustic`` (bench/acoustic/__main__.py).
"""

from .recorder import AnchorLine, SinkRecorder, first_onset_us

__all__ = ["AnchorLine", "SinkRecorder", "first_onset_us"]
