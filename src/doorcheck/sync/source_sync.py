"""The station sync's stand-in for guest sources without doorcheck's write extension
(a spreadsheet, XING Events): check-ins stay at the door (and are exported), and the
list follows the source: a file is read again when it changes, a feed is polled
from its cursor, and a lost cursor means loading everything again."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from doorcheck.connectors.base import (
    Capability,
    Connector,
    CursorLostError,
    SourceError,
    load_full,
)
from doorcheck.connectors.spreadsheet import SpreadsheetError
from doorcheck.domain.changes import Presence
from doorcheck.protocol.liststream import WireGuest
from doorcheck.protocol.wire import ChangeOutcome, ChangeResult, OutgoingChange
from doorcheck.store.local import LocalStore
from doorcheck.sync.health import WorkerHealth
from doorcheck.sync.station_sync import SyncReport, push_pending
from doorcheck.sync.worker import Background
from doorcheck.views import SyncStatus
from doorcheck.words import Phrase, phrase

log = logging.getLogger(__name__)


class SourceSync(Background):
    """Same face as StationSync (start, stop, nudge, run_once, status). ``remote``
    sources are online or offline; a file is neither."""

    thread_name = "doorcheck-source"
    worker = "source"

    def __init__(
        self,
        store: LocalStore,
        connector: Connector,
        *,
        interval: float = 3.0,
        remote: bool = False,
        on_status: Callable[[SyncStatus], None] | None = None,
        on_health: Callable[[WorkerHealth], None] | None = None,
    ) -> None:
        super().__init__(interval, state=store, on_health=on_health)
        self.store = store
        self.connector = connector
        self.remote = remote
        self._on_status = on_status
        self.status = SyncStatus(online=None, last_success=None, last_error=None, retry_in=None)

    def step(self) -> None:
        """A local change (nudged) is applied to the door's copy at once; the source
        is asked for news."""
        self.run_once()

    def delay(self) -> float:
        """The usual interval, or longer when the source asked for a pause."""
        wait = self.status.retry_in
        return max(self.interval, wait) if wait is not None else self.interval

    def run_once(self) -> SyncReport | None:
        written = 0
        try:
            push_pending(self.store, LocalListWriter(self.store))
            written = self._follow_source()
        except (OSError, SpreadsheetError, SourceError) as exc:
            # The list already loaded stays: the door works on with it.
            message: str | Phrase = (
                exc.words
                if isinstance(exc, SourceError)
                else phrase(
                    "The guest list cannot be read: {why}",
                    why=exc.phrase if isinstance(exc, SpreadsheetError) else exc,
                )
            )
            online = False if self.remote else None
            wait = getattr(exc, "retry_after", None)  # a rate limit says how long
            self._publish(SyncStatus(online, self.status.last_success, message, wait))
            if isinstance(exc, SourceError) and not exc.retryable:
                self.fail(message, stopped=True)  # a refused key: its words say what to do
            elif not self.remote:
                self.fail(message)  # a file that cannot be read is not "offline"
            return None
        self.store.set_state("last_sync", datetime.now(UTC).isoformat())
        self._publish(SyncStatus(True if self.remote else None, datetime.now(UTC), None, None))
        return SyncReport(full=False, guests_received=written, uploaded=0, conflicts=0,
                          rejected=0)  # fmt: skip

    def _follow_source(self) -> int:
        cursor = self.store.get_state("cursor")
        increments = Capability.INCREMENTS in self.connector.capabilities
        if cursor is not None and increments:
            changes = getattr(self.connector, "changes")  # noqa: B009 - declared capability
            try:
                batch, following = changes(cursor)
            except CursorLostError:
                log.info("the source lost our cursor; loading everything again")
                cursor = None
            else:
                written = self.store.write_wire(_merged(self.store, batch))
                self.store.finish_recent(following)
                return written
        if cursor is None or (not increments and self.connector.cursor() != cursor):
            written = load_list(self.store, self.connector)
            log.info("loaded %d guests from %s", written, self.connector.name)
            return written
        return 0

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        if self._on_status is not None:
            self._on_status(status)


class LocalListWriter:
    """The ChangeWriter of a source without a write endpoint: each change is applied
    to the door's own copy (the same fold the server uses) and answered "applied"."""

    max_batch = 500

    def __init__(self, store: LocalStore) -> None:
        self.store = store

    def push(self, changes: Sequence[OutgoingChange]) -> list[ChangeResult]:
        guests = self.store.apply_local(c.guest_id for c in changes)
        return [
            ChangeResult(change.nonce, ChangeOutcome.APPLIED, guest=guests.get(change.guest_id))
            for change in changes
        ]


def load_list(store: LocalStore, connector: Connector) -> int:
    """Load (or load again) a whole list, keeping this door's check-ins."""
    return load_full(store, _Merging(connector, store))


class _Merging:
    """The source's guests with this door's check-ins and check-outs already in them,
    so a reload never shows a checked-in guest as out, not even for a moment."""

    def __init__(self, connector: Connector, store: LocalStore) -> None:
        self.connector = connector
        self.store = store
        self.name = connector.name
        self.capabilities = connector.capabilities

    def cursor(self) -> str:
        return self.connector.cursor()

    def full_load(self) -> Iterator[Sequence[WireGuest]]:
        changed = set(self.store.guests_with_changes())  # once, not per batch
        for batch in self.connector.full_load():
            yield _merged(self.store, batch, changed)


def _merged(
    store: LocalStore, batch: Sequence[WireGuest], changed: set[str] | None = None
) -> list[WireGuest]:
    """``changed``: the guests this door has changes for (read here if not given)."""
    ids = {str(obj.get("id")) for obj, _ in batch}
    if changed is None:
        changed = set(store.guests_with_changes())
    presence = store.local_presence(ids & changed)
    result = []
    for obj, raw in batch:
        guest_id = str(obj.get("id"))
        merged = obj
        if obj.get("deleteDateTime") and not obj.get("accessCode"):
            # A deletion names only the guest: keep what the door knew of them, so a
            # scan of the ticket says "removed from the list", not "unknown".
            known = store.guest_by_id(guest_id)
            if known is not None:
                merged = {**_known(known.guest), "deleteDateTime": obj["deleteDateTime"]}
        if guest_id in presence:
            merged = _with_presence(merged, presence[guest_id])
        result.append((merged, raw if merged is obj else json.dumps(merged, ensure_ascii=False)))
    return result


def _known(guest: Any) -> dict[str, Any]:
    from doorcheck.protocol.wire import guest_to_json

    return dict(guest_to_json(guest))


def _with_presence(obj: dict[str, Any], presence: Presence) -> dict[str, Any]:
    merged = dict(obj)
    merged["checkInDateTime"] = _iso(presence.check_in)
    merged["checkInStationName"] = presence.check_in_station
    merged["checkOutDateTime"] = _iso(presence.check_out)
    merged["checkOutStationName"] = presence.check_out_station
    return merged


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
