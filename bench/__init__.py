"""Benchmarks of flashmob; each prints a table (results: docs/benchmarks.md).

* ``python -m bench.netlink`` - a user-space TCP relay that delays each
  direction with a seeded link profile (this sandbox has no netem);
* ``python -m bench.sync`` - clock-sync accuracy of the web client's
  ``clocksync.js`` against the npm libraries ``timesync`` and ``@ircam/sync``
  over the same simulated links;
* ``python -m bench.load`` - how many phones one conductor process holds;
* ``python -m bench.showlog`` - what the show log costs (bytes per phone, the
  recorder's CPU, the report's time) at 20,000 phones over an hour;
* ``python -m bench.browsers`` - start spread of real headless Chromium pages
  with skewed clocks (libfaketime).
"""
