"""A user-space link simulator: seeded delay profiles (pure) and a TCP relay (I/O).

``profiles.py`` draws per-chunk delays and stall windows from a seed,
``link.py`` turns arrivals into in-order delivery times, ``relay.py`` moves
bytes between sockets at those times and measures the delays it really gave.
"""
