"""The show contract: what the renderer, the print kit and the conductor agree on (docs/architecture.md)."""
