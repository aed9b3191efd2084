"""The one small interface through which a kiosk records changes on a server.

doorcheck's own endpoint (``POST /api/v1/guest/changes``) is one implementation;
a vendor's real write endpoint can replace it without touching the station sync.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from doorcheck.protocol.wire import ChangeResult, OutgoingChange
from doorcheck.station.client import StationClient


class ChangeWriter(Protocol):
    max_batch: int

    def push(self, changes: Sequence[OutgoingChange]) -> list[ChangeResult]:
        """Send changes; answer each one. Raises StationError if none could be sent."""
        ...


class StationChangeWriter:
    """Writes through doorcheck's batched, nonce-idempotent write extension."""

    max_batch = 500

    def __init__(self, client: StationClient) -> None:
        self._client = client

    def push(self, changes: Sequence[OutgoingChange]) -> list[ChangeResult]:
        results: list[ChangeResult] = []
        for start in range(0, len(changes), self.max_batch):
            results.extend(self._client.push_changes(changes[start : start + self.max_batch]))
        return results
