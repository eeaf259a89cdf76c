"""bench.attack: honest phones with and without a hostile client, in one run."""
