"""Conductor load: K simulated phones (Node) on one conductor process."""
