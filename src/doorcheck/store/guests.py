"""Guest copies: the server's copies of guests, their ingest, and the door's view.

Guests are the server's copies (DESIGN.md §2.5); a sync writes them in batches with
raw executemany, and a first load into an empty store builds the search index once
at the end (store/search_index.py).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from doorcheck.domain.changes import Presence
from doorcheck.domain.guest import Guest
from doorcheck.domain.timeutil import parse_datetime
from doorcheck.protocol.liststream import WireGuest
from doorcheck.protocol.wire import guest_id_of, guest_to_json, unreadable_reason
from doorcheck.store import search_index
from doorcheck.store.outbox import mark_superseded, overlay_all, waiting_count
from doorcheck.store.rows import COLUMNS, guest_from_raw, guest_values, row_from_wire, stored_time
from doorcheck.store.schema import GuestRow
from doorcheck.store.state import STATE, UNCONFIRMED, UNREADABLE, SyncState
from doorcheck.store.transactions import Database, bad_row_errors, cannot_write, dumps, now_text
from doorcheck.views import GuestView

GUESTS = GuestRow.__table__  # type: ignore[attr-defined]

log = logging.getLogger(__name__)

_RESYNC_BATCH = 500


def _upsert(keep_generation: bool) -> str:
    """Insert a guest row, or replace it: the server's latest answer is the truth
    about its copy (DESIGN.md §2.5), whatever its time stamps say."""
    updated = [c for c in COLUMNS if c != "id" and not (keep_generation and c == "generation")]
    names, marks = ", ".join(COLUMNS), ", ".join("?" for _ in COLUMNS)
    assignments = ", ".join(f"{c} = excluded.{c}" for c in updated)
    # Built from the fixed column names above only; values go in as parameters.
    insert = f"INSERT INTO guests ({names}) VALUES ({marks})"  # noqa: S608
    return f"{insert} ON CONFLICT(id) DO UPDATE SET {assignments}"


_UPSERT_FULL = _upsert(keep_generation=False)
_UPSERT_RECENT = _upsert(keep_generation=True)


class GuestCopies:
    def __init__(self, db: Database, state: SyncState) -> None:
        self._db = db
        self._state = state
        self._bulk_loading = False  # a first full sync into an empty store is running

    def resume_bulk_load(self) -> None:
        """A first load was cut off (the process died): index what arrived."""
        if self._state.get("search_bulk_load"):
            with self._db.write() as conn:
                search_index.resume(conn)
                self._state.set({"search_bulk_load": None}, conn)

    # -- from the server --------------------------------------------------------------

    def start_full_sync(self) -> int:
        """A new generation number; guests the full list brings are stamped with it.

        Into an empty store (the first sync) the search index is built at the end in
        one pass, which is three times faster than row by row.
        """
        generation = int(self._state.get("generation") or "0") + 1
        with self._db.write() as conn:
            empty = conn.execute(select(GUESTS.c.rownum).limit(1)).first() is None
            values: dict[str, str | None] = {"generation": str(generation)}
            # The full list says anew which guests cannot be read.
            conn.execute(STATE.delete().where(STATE.c.key.startswith(UNREADABLE, autoescape=True)))
            if empty:
                search_index.pause_for_bulk_load(conn)
                values["search_bulk_load"] = "1"
            self._state.set(values, conn)
        self._bulk_loading = empty
        return generation

    def write_guests(self, guests: Sequence[Guest]) -> int:
        """Store server copies (from upload answers); see write_wire."""
        return self.write_wire([(obj, dumps(obj)) for obj in map(guest_to_json, guests)])

    def write_wire(self, objects: Sequence[WireGuest], *, generation: int | None = None) -> int:
        """Store guest objects as the server sent them, in one short transaction
        (call it per batch of a few thousand); returns how many were stored.

        A later copy always replaces an earlier one, within a batch too (a list
        that names a guest twice: the later copy wins). A guest that cannot be read
        is set aside (logged by id, counted in ``status().unreadable``) and its
        earlier copy removed, so nobody is admitted on what the server no longer
        says; the rest are stored.
        """
        if not objects:
            return 0
        if not self._bulk_loading and len(objects) > _RESYNC_BATCH:
            # Rows going through the search trigger take longer to write: keep each
            # transaction short, so a scan never waits long behind a sync.
            return sum(
                self.write_wire(objects[start : start + _RESYNC_BATCH], generation=generation)
                for start in range(0, len(objects), _RESYNC_BATCH)
            )
        latest, refused = self.prepared(objects, generation)
        return self._store_batch(latest, refused, generation)

    @staticmethod
    def prepared(
        objects: Sequence[WireGuest], generation: int | None
    ) -> tuple[dict[str, tuple[Any, ...]], list[tuple[object, str]]]:
        """The rows to store by guest id, and the guests to set aside with why."""
        # By guest id, the later copy in the batch wins, readable or not.
        latest: dict[str, tuple[Any, ...]] = {}
        refused: dict[str, tuple[object, str]] = {}
        nameless: list[tuple[object, str]] = []
        for obj, raw in objects:
            reason = unreadable_reason(obj, raw)
            row = None
            if reason is None:
                try:
                    row = row_from_wire(obj, generation or 0, raw)
                except (ValueError, TypeError, OverflowError, RecursionError):
                    reason = "it cannot be stored"
            if row is None:
                guest_id = guest_id_of(obj)
                if guest_id is None:
                    nameless.append((obj, reason or "it cannot be read"))
                    continue
                latest.pop(guest_id, None)
                refused[guest_id] = (obj, reason or "it cannot be read")
                continue
            refused.pop(row[0], None)
            latest.pop(row[0], None)
            latest[row[0]] = row
        return latest, [*refused.values(), *nameless]

    def _store_batch(
        self,
        latest: dict[str, tuple[Any, ...]],
        refused: list[tuple[object, str]],
        generation: int | None,
    ) -> int:
        try:
            return self.store_rows(list(latest.values()), refused, generation)
        except bad_row_errors() as exc:
            # A full disk or a locked database is no bad guest: setting the batch
            # aside would lose guests the server still lists.
            if len(latest) <= 1 or cannot_write(exc):
                raise
            log.warning("a batch of guests failed to store (%s); storing one by one",
                        type(exc).__name__)  # fmt: skip
        stored = 0
        for row in latest.values():
            try:
                stored += self.store_rows([row], [], generation)
            except bad_row_errors() as exc:
                if cannot_write(exc):
                    raise
                refused.append(({"id": row[0]}, "it cannot be stored"))
        self.store_rows([], refused, generation)
        return stored

    def store_rows(
        self,
        rows: list[tuple[Any, ...]],
        refused: list[tuple[object, str]],
        generation: int | None,
        conn: Connection | None = None,
    ) -> int:
        """Prepared rows stored and refused guests set aside; with ``conn``, inside
        the caller's transaction (the outbox's answers)."""
        if conn is None:
            with self._db.write(durable=False) as own:
                return self.store_rows(rows, refused, generation, own)
        if rows:
            # The full list's upsert stamps its generation on every copy it
            # brings, so finish_full_sync keeps them.
            conn.exec_driver_sql(_UPSERT_FULL if generation is not None else _UPSERT_RECENT, rows)
            ids = [row[0] for row in rows]
            self._settle(conn, ids)
            mark_superseded(conn, rows)
        self._set_aside(conn, refused)
        return len(rows)

    def _settle(self, conn: Connection, ids: Sequence[str]) -> None:
        """Guests now read: no longer set aside, and their server copies now show
        this door's applied changes whose answers carried none. (Mostly there is
        neither: one cheap look first, so a 100,000-guest sync pays nothing.)"""
        # Fixed table name and prefixes only; values go in as parameters.
        state = STATE.name
        if self._state.has_prefix(conn, UNREADABLE):
            conn.exec_driver_sql(
                f"DELETE FROM {state} WHERE key = ?",  # noqa: S608
                [(UNREADABLE + guest_id,) for guest_id in ids],
            )
        if self._state.has_prefix(conn, UNCONFIRMED):
            conn.exec_driver_sql(
                f"DELETE FROM {state} WHERE key LIKE '{UNCONFIRMED}%' AND value = ?",  # noqa: S608
                [(guest_id,) for guest_id in ids],
            )

    def _set_aside(self, conn: Connection, refused: Sequence[tuple[object, str]]) -> None:
        for obj, reason in refused:
            guest_id = guest_id_of(obj)
            # Logged by id only: the object may carry names and emails.
            log.warning("guest %r could not be read and is set aside: %s",
                        guest_id if guest_id is not None else "(no id)", reason)  # fmt: skip
            if guest_id is None:
                digest = getattr(obj, "digest", None) or _digest(obj)
                self._state.set({f"{UNREADABLE}#{digest}": reason}, conn)
                continue
            self._state.set({UNREADABLE + guest_id: reason}, conn)
            conn.execute(GUESTS.delete().where(GUESTS.c.id == guest_id))

    def finish_full_sync(self, generation: int, cursor: str) -> int:
        """Guests the full list did not bring are gone from the server: mark them
        deleted (a scan then says so, rather than "not on the list")."""
        stamp = stored_time(datetime.now(UTC))
        with self._db.write() as conn:
            gone = conn.execute(
                update(GUESTS)
                .where(GUESTS.c.generation < generation, GUESTS.c.delete_time.is_(None))
                .values(delete_time=stamp)
            ).rowcount
            if self._state.get("search_bulk_load", conn):
                search_index.resume(conn)
            self._bulk_loading = False
            now = now_text()
            self._state.set(
                {
                    "cursor": cursor,
                    "last_sync": now,
                    "last_full_sync": now,
                    "last_error": None,
                    "search_bulk_load": None,
                },
                conn,
            )
        return int(gone)

    def raw_page(self, after: int, limit: int) -> list[tuple[int, str]]:
        """The stored copies as the server sent them, in store order from ``after``:
        what a door without the list takes from this one (docs/peers.md)."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(GUESTS.c.rownum, GUESTS.c.raw)
                .where(GUESTS.c.rownum > after)
                .order_by(GUESTS.c.rownum)
                .limit(limit)
            ).all()
        return [(int(rownum), str(raw)) for rownum, raw in rows]

    def finish_recent(self, cursor: str) -> None:
        self._state.set({"cursor": cursor, "last_sync": now_text(), "last_error": None})

    # -- as the door sees them --------------------------------------------------------

    def guest_by_code(self, code: str, conn: Connection | None = None) -> GuestView | None:
        return self._view(GUESTS.c.access_code == code, conn)

    def guest_by_id(self, guest_id: str, conn: Connection | None = None) -> GuestView | None:
        return self._view(GUESTS.c.id == guest_id, conn)

    def _view(self, where: Any, conn: Connection | None) -> GuestView | None:
        if conn is None:
            with self._db.read() as own:
                return self._view(where, own)
        # Several guests may share a code in bad data: prefer one not deleted.
        row = conn.execute(
            select(GUESTS.c.raw, GUESTS.c.delete_time)
            .where(where)
            .order_by(GUESTS.c.delete_time.is_not(None), GUESTS.c.rownum)
            .limit(1)
        ).first()
        if row is None:
            return None
        guest = _guest_of(row)
        main = None
        if guest.parent_id:
            parent = conn.execute(
                select(GUESTS.c.raw).where(GUESTS.c.id == guest.parent_id)
            ).scalar()
            main = guest_from_raw(parent) if parent else None
        companions = [
            guest_from_raw(raw)
            for raw in conn.execute(
                select(GUESTS.c.raw)
                .where(GUESTS.c.parent_id == guest.id, GUESTS.c.delete_time.is_(None))
                .order_by(GUESTS.c.rownum)
            ).scalars()
        ]
        overlay_all(conn, [guest, *companions])
        # The store's live companions are the truth; a wire list may lag or be absent.
        guest.companion_ids = [c.id for c in companions]
        return GuestView(guest, main, companions, waiting_count(conn, guest.id))

    def add_local_guest(self, conn: Connection, guest: Guest) -> None:
        """A guest made at this door (a companion): shown at once, replaced by the
        server's copy when the upload is answered."""
        conn.execute(insert(GUESTS).values(**guest_values(guest)))

    def apply_presence(self, presences: dict[str, Presence]) -> dict[str, Guest]:
        """The stored copies with these presences (a spreadsheet's, folded from this
        door's change log) put in; returns the guests as now stored."""
        done: dict[str, Guest] = {}
        with self._db.read() as conn:
            for guest_id, presence in presences.items():
                raw = conn.execute(select(GUESTS.c.raw).where(GUESTS.c.id == guest_id)).scalar()
                if raw is None:
                    continue
                guest = guest_from_raw(raw)
                guest.check_in, guest.check_in_station = (
                    presence.check_in,
                    presence.check_in_station,
                )
                guest.check_out = presence.check_out
                guest.check_out_station = presence.check_out_station
                done[guest_id] = guest
        self.write_guests(list(done.values()))
        return done


def _digest(obj: object) -> str:
    """A guest without an id, recognised again when the same object comes back."""
    return hashlib.sha256(repr(obj).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _guest_of(row: Any) -> Guest:
    """The guest from its raw JSON, deleted if the store marked it so (a full sync
    no longer brought it)."""
    guest = guest_from_raw(row.raw)
    if guest.delete_time is None and row.delete_time is not None:
        guest.delete_time = parse_datetime(row.delete_time)
    return guest
