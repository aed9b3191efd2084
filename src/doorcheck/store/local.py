"""The kiosk's local store: one SQLite file per event and station.

``LocalStore`` opens the database and composes the store's parts, one concern each,
all over one ``Database`` (store/transactions.py), so a caller's transaction can span
several of them:

- ``guests``: the server's copies of guests and their ingest (store/guests.py);
- ``outbox``: changes made at this door until the server has answered them, laid
  over the server's copies whenever a guest is shown or judged (store/outbox.py,
  DESIGN.md §2.5);
- ``log``: the same changes as the event's replicated log, exchanged with the other
  doors of the mesh (store/changelog.py, docs/peers.md);
- ``journal``: the scan journal; ``searcher``: search; ``reports``: status and
  statistics; ``forwards``: the forward queue (Event Cadence); ``state``: settings
  and sync state; ``zones``: the zone plan and the daily check-out time
  (store/zones.py, docs/occupancy.md); ``badge_prints``: the badge print log
  (store/badges.py).

Its methods delegate to the parts and stay while callers move to the parts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError

from doorcheck.domain.changes import Presence
from doorcheck.domain.guest import Guest
from doorcheck.protocol.liststream import WireGuest
from doorcheck.protocol.wire import ChangeResult, OutgoingChange
from doorcheck.store.badges import BadgePrints
from doorcheck.store.changelog import ChangeLog
from doorcheck.store.cipher import Locked, StoreKey, StoreLockedError, is_not_a_database
from doorcheck.store.database import migrate, open_engine
from doorcheck.store.forwards import ForwardQueue
from doorcheck.store.guests import GuestCopies
from doorcheck.store.journal import ScanJournal
from doorcheck.store.outbox import Outbox
from doorcheck.store.reports import Reports
from doorcheck.store.search import GuestSearch
from doorcheck.store.state import SyncState
from doorcheck.store.transactions import Database
from doorcheck.store.zones import Zones
from doorcheck.views import ChangeView, GuestView, SearchHits, Statistics, StoreStatus


class LocalStore:
    def __init__(self, engine: Engine, path: Path, key: StoreKey | None = None) -> None:
        self.db = Database(engine, path, key)
        self.path = path
        self.state = SyncState(self.db)
        self.guests = GuestCopies(self.db, self.state)
        self.outbox = Outbox(self.db, self.state, self.guests)
        self.log = ChangeLog(self.db, self.outbox, self.guests)
        self.journal = ScanJournal()
        self.searcher = GuestSearch(self.db)
        self.zones = Zones(self.db, self.state)
        self.reports = Reports(self.db, self.zones)
        self.forwards = ForwardQueue(self.db, self.state, self.guests)
        self.badge_prints = BadgePrints(self.db)

    @classmethod
    def open(cls, path: Path, key: StoreKey | None = None) -> LocalStore:
        """The store at ``path``, made if new, migrated. With ``key``, an encrypted one
        (store/cipher.py). A file that the key does not open, or an encrypted one
        opened without a key, is refused (StoreLockedError), and left as it is."""
        engine = open_engine(path, key)
        try:
            migrate(engine)
        except StoreLockedError:
            engine.dispose()
            raise
        except DatabaseError as exc:
            engine.dispose()
            if not is_not_a_database(exc):
                raise
            raise StoreLockedError(Locked.NOT_A_DATABASE, path) from None
        store = cls(engine, path, key)
        store.guests.resume_bulk_load()
        return store

    @property
    def encrypted(self) -> bool:
        return self.db.key is not None

    def close(self) -> None:
        self.db.close()

    def write(self, *, durable: bool = True) -> AbstractContextManager[Connection]:
        """One short write transaction; see Database.write."""
        return self.db.write(durable=durable)

    def read(self) -> AbstractContextManager[Connection]:
        return self.db.read()

    # -- settings and sync state ------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        return self.state.get(key)

    def set_state(self, key: str, value: str | None) -> None:
        self.state.set({key: value})

    def set_states(self, values: dict[str, str | None]) -> None:
        self.state.set(values)

    def get_setting(self, key: str) -> str | None:
        return self.state.get_setting(key)

    def set_setting(self, key: str, value: str | None) -> None:
        self.state.set_setting(key, value)

    # -- guests ---------------------------------------------------------------------

    def start_full_sync(self) -> int:
        return self.guests.start_full_sync()

    def write_guests(self, guests: Sequence[Guest]) -> int:
        return self.guests.write_guests(guests)

    def write_wire(self, objects: Sequence[WireGuest], *, generation: int | None = None) -> int:
        return self.guests.write_wire(objects, generation=generation)

    def finish_full_sync(self, generation: int, cursor: str) -> int:
        return self.guests.finish_full_sync(generation, cursor)

    def finish_recent(self, cursor: str) -> None:
        self.guests.finish_recent(cursor)

    def guest_by_code(self, code: str, conn: Connection | None = None) -> GuestView | None:
        return self.guests.guest_by_code(code, conn)

    def guest_by_id(self, guest_id: str, conn: Connection | None = None) -> GuestView | None:
        return self.guests.guest_by_id(guest_id, conn)

    def add_local_guest(self, conn: Connection, guest: Guest) -> None:
        self.guests.add_local_guest(conn, guest)

    # -- the outbox -----------------------------------------------------------------

    def add_changes(
        self, conn: Connection, changes: Sequence[OutgoingChange], station: str
    ) -> None:
        self.outbox.add_changes(conn, changes, station)

    def last_door_time(self) -> datetime | None:
        return self.outbox.last_door_time()

    def waiting_changes(self, limit: int = 500) -> list[OutgoingChange]:
        return self.outbox.waiting_changes(limit)

    def mark_sent(self, nonces: Sequence[str]) -> None:
        self.outbox.mark_sent(nonces)

    def record_results(self, results: Iterable[ChangeResult]) -> None:
        self.outbox.record_results(results)

    def record_failure(self, nonces: Sequence[str], error: str) -> None:
        self.outbox.record_failure(nonces, error)

    def changes(self, states: Sequence[str] | None = None, limit: int = 500) -> list[ChangeView]:
        return self.outbox.changes(states, limit)

    def guests_with_changes(self) -> list[str]:
        return self.outbox.guests_with_changes()

    # -- spreadsheet presence (no server: this door's change log is the history) ----

    def local_presence(self, guest_ids: Iterable[str]) -> dict[str, Presence]:
        return self.outbox.local_presence(guest_ids)

    def apply_local(self, guest_ids: Iterable[str]) -> dict[str, Guest]:
        """The stored copies with this door's changes folded in; returns the guests
        as now stored."""
        return self.guests.apply_presence(self.outbox.local_presence(guest_ids))

    # -- the scan journal, search, reports --------------------------------------------

    def journal_scan(
        self, conn: Connection, code: str, source: str, verdict: str, guest_id: str | None
    ) -> None:
        self.journal.record(conn, code, source, verdict, guest_id)

    def search(self, text_typed: str, limit: int = 50) -> SearchHits:
        return self.searcher.search(text_typed, limit)

    def status(self) -> StoreStatus:
        return self.reports.status()

    def status_and_statistics(self) -> tuple[StoreStatus, Statistics]:
        return self.reports.status_and_statistics()

    def statistics(self) -> Statistics:
        return self.reports.statistics()

    def guests_with_presence(self) -> list[Guest]:
        return self.reports.guests_with_presence()

    # -- forwards to destinations (Event Cadence) ----------------------------------

    def enqueue_forwards(self, destination: str, build: Callable[[Guest], str | None]) -> int:
        return self.forwards.enqueue(destination, build)

    def pending_forwards(self, destination: str, limit: int = 50) -> list[tuple[int, str]]:
        return self.forwards.pending(destination, limit)

    def answer_forward(self, forward_id: int, state: str, error: str | None = None) -> None:
        self.forwards.answer(forward_id, state, error)

    def forward_counts(self, destination: str) -> dict[str, int]:
        return self.forwards.counts(destination)

    def forward_problems(self, destination: str) -> list[tuple[str, str]]:
        return self.forwards.problems(destination)
