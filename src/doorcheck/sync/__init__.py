"""Keeping the local store in step with the station server (no Qt here)."""
