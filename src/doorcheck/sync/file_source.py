"""The sync engine's stand-in for a guest list from a file: nothing is uploaded (the
file is the organizer's, and check-ins are exported), and the list is loaded again
when the file changes on disk."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from doorcheck.background import Background
from doorcheck.connectors.spreadsheet import SpreadsheetConnector, SpreadsheetError
from doorcheck.station.liststream import WireGuest
from doorcheck.station.wire import ChangeOutcome, ChangeResult, OutgoingChange
from doorcheck.store.local import LocalStore
from doorcheck.sync.connector import load_full
from doorcheck.sync.engine import SyncReport, SyncStatus, push_pending

log = logging.getLogger(__name__)


class FileSync(Background):
    """Same face as SyncEngine (start, stop, nudge, run_once, status)."""

    thread_name = "doorcheck-file"

    def __init__(
        self,
        store: LocalStore,
        path: Path,
        *,
        interval: float = 3.0,
        on_status: Callable[[SyncStatus], None] | None = None,
    ) -> None:
        super().__init__(interval)
        self.store = store
        self.connector = SpreadsheetConnector(path)
        self._on_status = on_status
        self.status = SyncStatus(online=None, last_success=None, last_error=None, retry_in=None)

    def run_once(self) -> SyncReport | None:
        """Load the file again if it changed since the last load."""
        written = 0
        try:
            push_pending(self.store, LocalListWriter(self.store))
            cursor = self.connector.cursor()
            if cursor != self.store.get_state("cursor"):
                written = load_list(self.store, self.connector)
                log.info("loaded %d guests from %s", written, self.connector.path)
                self.store.set_state("last_sync", datetime.now(UTC).isoformat())
        except (OSError, SpreadsheetError) as exc:
            # The list already loaded stays: the door works on with it.
            message = f"The guest list file cannot be read: {exc}"
            self._publish(SyncStatus(None, self.status.last_success, message, None))
            return None
        self._publish(SyncStatus(None, datetime.now(UTC), None, None))
        return SyncReport(full=bool(written), guests_received=written, uploaded=0, conflicts=0,
                          rejected=0)  # fmt: skip

    def step(self) -> None:
        """A local change (nudged) is applied to the door's copy at once; the file
        is read again if it changed."""
        self.run_once()

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        if self._on_status is not None:
            self._on_status(status)


class LocalListWriter:
    """The ChangeWriter of a guest list without a server: each change is applied to
    the door's own copy (the same fold the server uses) and answered "applied"."""

    max_batch = 500

    def __init__(self, store: LocalStore) -> None:
        self.store = store

    def push(self, changes: Sequence[OutgoingChange]) -> list[ChangeResult]:
        guests = self.store.apply_local(c.guest_id for c in changes)
        return [
            ChangeResult(change.nonce, ChangeOutcome.APPLIED, guest=guests.get(change.guest_id))
            for change in changes
        ]


def load_list(store: LocalStore, connector: SpreadsheetConnector) -> int:
    """Load (or load again) a guest list file, keeping this door's check-ins."""
    return load_full(store, _WithPresence(connector, store))


class _WithPresence:
    """The file's guests with this door's check-ins and check-outs already in them,
    so a reload never shows a checked-in guest as out, not even for a moment."""

    def __init__(self, connector: SpreadsheetConnector, store: LocalStore) -> None:
        self.connector = connector
        self.name = connector.name
        self.capabilities = connector.capabilities
        self.presence = store.local_presence(store.guests_with_changes())

    def cursor(self) -> str:
        return self.connector.cursor()

    def full_load(self) -> Iterator[list[WireGuest]]:
        for batch in self.connector.full_load():
            yield [self._merged(obj, raw) for obj, raw in batch]

    def _merged(self, obj: dict[str, Any], raw: str) -> WireGuest:
        presence = self.presence.get(str(obj.get("id")))
        if presence is None:
            return obj, raw
        merged = dict(obj)
        merged["checkInDateTime"] = _iso(presence.check_in)
        merged["checkInStationName"] = presence.check_in_station
        merged["checkOutDateTime"] = _iso(presence.check_out)
        merged["checkOutStationName"] = presence.check_out_station
        return merged, json.dumps(merged, ensure_ascii=False)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
