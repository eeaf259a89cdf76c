"""flashmob conductor: the live server (clock, sync, show state, participants, hub, FastAPI shell)."""
