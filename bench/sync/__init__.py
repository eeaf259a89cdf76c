"""Clock-sync accuracy, side by side: flashmob's clocksync.js, timesync and
@ircam/sync on the same virtual phone clocks over the same simulated links."""
