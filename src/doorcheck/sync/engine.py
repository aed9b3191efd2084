"""One round of sync: upload waiting changes, then pull the server's changes.

Uploads go first (as libpretixsync does) so a pull never brings back a state that
predates this door's own changes. The store then lays any still-pending change
over the server's copy, so an older server copy never hides a local check-in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from doorcheck.station.client import StationClient
from doorcheck.station.errors import StationError
from doorcheck.station.writer import ChangeWriter
from doorcheck.store.local import LocalStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncReport:
    full: bool
    guests_received: int
    uploaded: int
    conflicts: int
    rejected: int


def push_pending(store: LocalStore, writer: ChangeWriter) -> tuple[int, int, int]:
    """Upload the outbox in batches; returns (uploaded, conflicts, rejected)."""
    uploaded = conflicts = rejected = 0
    while True:
        batch = store.pending_changes(limit=writer.max_batch)
        if not batch:
            return uploaded, conflicts, rejected
        try:
            results = writer.push(batch)
        except StationError as exc:
            store.record_failure([c.nonce for c in batch], exc.message)
            raise
        store.record_results(results)
        uploaded += len(results)
        conflicts += sum(1 for r in results if r.effective.value == "conflict")
        rejected += sum(1 for r in results if r.effective.value == "rejected")


def sync_once(store: LocalStore, client: StationClient, writer: ChangeWriter) -> SyncReport:
    uploaded, conflicts, rejected = push_pending(store, writer)
    cursor = store.get_state("cursor")
    if cursor is None:
        answer = client.guests_all()
        received = store.replace_all(answer.guests, answer.date_time)
    else:
        answer = client.guests_recent(cursor)
        received = store.apply_recent(answer.guests, answer.date_time)
    return SyncReport(cursor is None, received, uploaded, conflicts, rejected)
