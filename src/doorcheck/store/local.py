"""The kiosk's local store: the guest list, the outbox, the scan journal, sync state.

One SQLite file per event and station. Guests are the server's copies; changes made
at this door live in the outbox until the server has answered them, and are laid
over the server's copy whenever a guest is shown or judged (DESIGN.md §2.5).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    bindparam,
    cast,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import OperationalError, StatementError

from doorcheck.domain.changes import Action, ChangeRecord, Presence, fold_presence
from doorcheck.domain.guest import Guest
from doorcheck.domain.textfold import fold
from doorcheck.domain.timeutil import format_datetime, parse_datetime
from doorcheck.sqlite import IMMEDIATE
from doorcheck.station.liststream import WireGuest
from doorcheck.station.wire import (
    ChangeOutcome,
    ChangeResult,
    OutgoingChange,
    guest_id_of,
    guest_to_json,
    unreadable_reason,
)
from doorcheck.store import search_index
from doorcheck.store.database import migrate, open_engine
from doorcheck.store.rows import (
    COLUMNS,
    guest_from_raw,
    guest_values,
    row_from_wire,
    stored_time,
)
from doorcheck.store.schema import (
    STATES_WAITING,
    ForwardRow,
    GuestRow,
    OutboxRow,
    ScanRow,
    SettingRow,
    StateRow,
)

GUESTS = GuestRow.__table__  # type: ignore[attr-defined]
OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]
STATE = StateRow.__table__  # type: ignore[attr-defined]
SETTINGS = SettingRow.__table__  # type: ignore[attr-defined]
SCANS = ScanRow.__table__  # type: ignore[attr-defined]
FORWARDS = ForwardRow.__table__  # type: ignore[attr-defined]

log = logging.getLogger(__name__)

_CHECK_IN = COLUMNS.index("check_in")
_CHECK_IN_STATION = COLUMNS.index("check_in_station")

# Bookkeeping in the state table (no schema change): a guest set aside because it
# could not be read ("unreadable:<id>", or "unreadable:#<digest>" without an id),
# and an applied change whose answer carried no server copy ("unconfirmed:<nonce>",
# value the guest id), laid over until a server copy of the guest arrives.
UNREADABLE = "unreadable:"
UNCONFIRMED = "unconfirmed:"


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


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def now_text() -> str:
    return format_datetime(datetime.now(UTC))


@dataclass(frozen=True)
class GuestView:
    """A guest as the door shows it: the server's copy with pending changes over it."""

    guest: Guest
    main_guest: Guest | None = None  # for a companion: whom it belongs to
    companions: list[Guest] = field(default_factory=list)
    pending: int = 0  # this door's changes for the guest not yet answered


@dataclass(frozen=True)
class SearchHit:
    guest: Guest
    main_name: str | None  # for a companion, its main guest's name


class SearchHits(list[SearchHit]):
    """Search results; ``broad`` when too many matched to rank them all."""

    def __init__(self, hits: Iterable[SearchHit] = (), *, broad: bool = False) -> None:
        super().__init__(hits)
        self.broad = broad


_RANKED_AT_MOST = 1000
_RESYNC_BATCH = 500


@dataclass(frozen=True)
class StoreStatus:
    guests: int
    checked_in: int
    pending: int
    conflicts: int
    rejected: int
    cursor: str | None
    last_sync: str | None
    last_full_sync: str | None
    last_error: str | None
    clock_skew_seconds: float | None
    unreadable: int = 0  # guests set aside because they could not be read


@dataclass(frozen=True)
class StationCount:
    station: str
    arrivals: int  # guests whose (latest) check-in was at this station
    departures: int  # guests out now who checked out here


@dataclass(frozen=True)
class Statistics:
    """What the statistics screen shows; arrivals in 5-minute buckets (UTC starts)."""

    arrivals: list[tuple[datetime, int]]
    inside: int
    guests: int
    stations: list[StationCount]


BUCKET_MINUTES = 5


@dataclass(frozen=True)
class ChangeView:
    """An outbox row for the list of changes staff can open."""

    nonce: str
    guest_id: str
    guest_name: str
    action: str
    door_time: str
    state: str
    attempts: int
    message: str | None
    last_error: str | None
    code: int | None = None  # the server's reason code of a rejection (or conflict)


class LocalStore:
    def __init__(self, engine: Engine, path: Path) -> None:
        self._engine = engine
        self.path = path
        self._bulk_loading = False  # a first full sync into an empty store is running

    @classmethod
    def open(cls, path: Path) -> LocalStore:
        engine = open_engine(path)
        migrate(engine)
        store = cls(engine, path)
        if store.get_state("search_bulk_load"):
            # A first load was cut off (the process died): index what arrived.
            with store.write() as conn:
                search_index.resume(conn)
                store._set(STATE, {"search_bulk_load": None}, conn)
        return store

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Connection]:
        """One short write transaction, holding the write lock from its start.

        ``durable=False`` commits without waiting for the disk (server copies of
        guests during a sync, which can be fetched again). In WAL mode a later
        durable commit, such as the cursor's, makes every earlier one durable too.
        """
        with self._engine.connect().execution_options(**IMMEDIATE) as conn:
            # Straight to sqlite3: SQLAlchemy would open a transaction first, and the
            # level cannot change inside one.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            if not durable:
                raw.execute("PRAGMA synchronous=NORMAL")
            try:
                with conn.begin():
                    yield conn
            finally:
                if not durable:
                    raw.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    # -- key/value ------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        return self._get(STATE, key)

    def set_state(self, key: str, value: str | None) -> None:
        self._set(STATE, {key: value})

    def set_states(self, values: dict[str, str | None]) -> None:
        self._set(STATE, values)

    def get_setting(self, key: str) -> str | None:
        return self._get(SETTINGS, key)

    def set_setting(self, key: str, value: str | None) -> None:
        self._set(SETTINGS, {key: value})

    def _get(self, table: Any, key: str, conn: Connection | None = None) -> str | None:
        if conn is None:
            with self.read() as own:
                return self._get(table, key, own)
        value = conn.execute(select(table.c.value).where(table.c.key == key)).scalar()
        return value if isinstance(value, str) else None

    def _set(
        self, table: Any, values: dict[str, str | None], conn: Connection | None = None
    ) -> None:
        if conn is None:
            with self.write() as own:
                self._set(table, values, own)
            return
        for key, value in values.items():
            conn.execute(table.delete().where(table.c.key == key))
            if value is not None:
                conn.execute(insert(table).values(key=key, value=value))

    # -- guests from the server -----------------------------------------------------

    def start_full_sync(self) -> int:
        """A new generation number; guests the full list brings are stamped with it.

        Into an empty store (the first sync) the search index is built at the end in
        one pass, which is three times faster than row by row.
        """
        generation = int(self.get_state("generation") or "0") + 1
        with self.write() as conn:
            empty = conn.execute(select(GUESTS.c.rownum).limit(1)).first() is None
            values: dict[str, str | None] = {"generation": str(generation)}
            # The full list says anew which guests cannot be read.
            conn.execute(STATE.delete().where(STATE.c.key.startswith(UNREADABLE, autoescape=True)))
            if empty:
                search_index.pause_for_bulk_load(conn)
                values["search_bulk_load"] = "1"
            self._set(STATE, values, conn)
        self._bulk_loading = empty
        return generation

    def write_guests(self, guests: Sequence[Guest]) -> int:
        """Store server copies (from upload answers); see write_wire."""
        return self.write_wire([(obj, _dumps(obj)) for obj in map(guest_to_json, guests)])

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
        latest, refused = self._prepared(objects, generation)
        return self._store_batch(latest, refused, generation)

    @staticmethod
    def _prepared(
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
            return self._store_rows(list(latest.values()), refused, generation)
        except (StatementError, sqlite3.Error, UnicodeError) as exc:
            # A full disk or a locked database is no bad guest: setting the batch
            # aside would lose guests the server still lists.
            if len(latest) <= 1 or _cannot_write(exc):
                raise
            log.warning("a batch of guests failed to store (%s); storing one by one",
                        type(exc).__name__)  # fmt: skip
        stored = 0
        for row in latest.values():
            try:
                stored += self._store_rows([row], [], generation)
            except (StatementError, sqlite3.Error, UnicodeError) as exc:
                if _cannot_write(exc):
                    raise
                refused.append(({"id": row[0]}, "it cannot be stored"))
        self._store_rows([], refused, generation)
        return stored

    def _store_rows(
        self,
        rows: list[tuple[Any, ...]],
        refused: list[tuple[object, str]],
        generation: int | None,
        conn: Connection | None = None,
    ) -> int:
        if conn is None:
            with self.write(durable=False) as own:
                return self._store_rows(rows, refused, generation, own)
        if rows:
            # The full list's upsert stamps its generation on every copy it
            # brings, so finish_full_sync keeps them.
            conn.exec_driver_sql(_UPSERT_FULL if generation is not None else _UPSERT_RECENT, rows)
            ids = [row[0] for row in rows]
            self._settle(conn, ids)
            self._find_superseded(conn, rows)
        self._set_aside(conn, refused)
        return len(rows)

    def _settle(self, conn: Connection, ids: Sequence[str]) -> None:
        """Guests now read: no longer set aside, and their server copies now show
        this door's applied changes whose answers carried none. (Mostly there is
        neither: one cheap look first, so a 100,000-guest sync pays nothing.)"""
        # Fixed table name and prefixes only; values go in as parameters.
        state = STATE.name
        if self._has_state(conn, UNREADABLE):
            conn.exec_driver_sql(
                f"DELETE FROM {state} WHERE key = ?",  # noqa: S608
                [(UNREADABLE + guest_id,) for guest_id in ids],
            )
        if self._has_state(conn, UNCONFIRMED):
            conn.exec_driver_sql(
                f"DELETE FROM {state} WHERE key LIKE '{UNCONFIRMED}%' AND value = ?",  # noqa: S608
                [(guest_id,) for guest_id in ids],
            )

    @staticmethod
    def _has_state(conn: Connection, prefix: str) -> bool:
        found = conn.execute(
            select(STATE.c.key).where(STATE.c.key.startswith(prefix, autoescape=True)).limit(1)
        ).first()
        return found is not None

    def _set_aside(self, conn: Connection, refused: Sequence[tuple[object, str]]) -> None:
        for obj, reason in refused:
            guest_id = guest_id_of(obj)
            # Logged by id only: the object may carry names and emails.
            log.warning("guest %r could not be read and is set aside: %s",
                        guest_id if guest_id is not None else "(no id)", reason)  # fmt: skip
            if guest_id is None:
                digest = getattr(obj, "digest", None) or _digest(obj)
                self._set(STATE, {f"{UNREADABLE}#{digest}": reason}, conn)
                continue
            self._set(STATE, {UNREADABLE + guest_id: reason}, conn)
            conn.execute(GUESTS.delete().where(GUESTS.c.id == guest_id))

    def finish_full_sync(self, generation: int, cursor: str) -> int:
        """Guests the full list did not bring are gone from the server: mark them
        deleted (a scan then says so, rather than "not on the list")."""
        stamp = stored_time(datetime.now(UTC))
        with self.write() as conn:
            gone = conn.execute(
                update(GUESTS)
                .where(GUESTS.c.generation < generation, GUESTS.c.delete_time.is_(None))
                .values(delete_time=stamp)
            ).rowcount
            if self._get(STATE, "search_bulk_load", conn):
                search_index.resume(conn)
            self._bulk_loading = False
            now = now_text()
            self._set(
                STATE,
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

    def finish_recent(self, cursor: str) -> None:
        self.set_states({"cursor": cursor, "last_sync": now_text(), "last_error": None})

    def _find_superseded(self, conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Our applied check-in that the server no longer holds in force was overtaken
        by an earlier one from another door (both offline): record it as a conflict."""
        checked_in = {
            row[0]: (row[_CHECK_IN], row[_CHECK_IN_STATION])
            for row in rows
            if row[_CHECK_IN] is not None
        }
        if not checked_in or not self._has_answered_check_ins(conn):
            return
        ours = conn.execute(
            select(OUTBOX.c.nonce, OUTBOX.c.guest_id, OUTBOX.c.door_time, OUTBOX.c.station)
            .where(
                OUTBOX.c.state.in_(("applied", "duplicate")),
                OUTBOX.c.action == Action.CHECK_IN.value,
                OUTBOX.c.guest_id.in_(bindparam("ids", expanding=True)),
            )
            .order_by(OUTBOX.c.seq),
            {"ids": list(checked_in)},
        ).all()
        latest = {row.guest_id: row for row in ours}
        for row in latest.values():
            server_time, server_station = checked_in[row.guest_id]
            our_time = stored_time(parse_datetime(row.door_time))
            if our_time is None or server_time >= our_time or server_station == row.station:
                continue
            when = parse_datetime(server_time)
            assert when is not None
            where = f" at {server_station}" if server_station else ""
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.nonce == row.nonce)
                .values(
                    state=ChangeOutcome.CONFLICT.value,
                    message=f"Already checked in earlier ({format_datetime(when)}{where});"
                    " this check-in was not needed.",
                )
            )

    def _has_answered_check_ins(self, conn: Connection) -> bool:
        found = conn.execute(
            select(OUTBOX.c.nonce)
            .where(
                OUTBOX.c.state.in_(("applied", "duplicate")),
                OUTBOX.c.action == Action.CHECK_IN.value,
            )
            .limit(1)
        ).first()
        return found is not None

    # -- guests as the door sees them -----------------------------------------------

    def guest_by_code(self, code: str, conn: Connection | None = None) -> GuestView | None:
        return self._view(GUESTS.c.access_code == code, conn)

    def guest_by_id(self, guest_id: str, conn: Connection | None = None) -> GuestView | None:
        return self._view(GUESTS.c.id == guest_id, conn)

    def _view(self, where: Any, conn: Connection | None) -> GuestView | None:
        if conn is None:
            with self.read() as own:
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
        self._overlay_all(conn, [guest, *companions])
        # The store's live companions are the truth; a wire list may lag or be absent.
        guest.companion_ids = [c.id for c in companions]
        pending = conn.execute(
            select(func.count())
            .select_from(OUTBOX)
            .where(OUTBOX.c.guest_id == guest.id, OUTBOX.c.state.in_(STATES_WAITING))
        ).scalar_one()
        return GuestView(guest, main, companions, int(pending))

    def _overlaid(self, conn: Connection, guest: Guest) -> Guest:
        return self._overlay_all(conn, [guest])[0]

    def _overlay_all(self, conn: Connection, guests: list[Guest]) -> list[Guest]:
        """Each guest with this door's changes laid over the server's copy; one query
        for all of them (a search shows 50, a scan a guest and their companions)."""
        if not guests:
            return guests
        by_guest: dict[str, list[Any]] = {}
        ids = [g.id for g in guests]
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start : start + _IDS_PER_QUERY]
            for row in conn.execute(_LAID_OVER_BY_GUEST, {"ids": chunk}):
                by_guest.setdefault(row.guest_id, []).append(row)
        for guest in guests:
            rows = by_guest.get(guest.id)
            if rows:
                self._fold_over(conn, guest, rows)
        return guests

    def _fold_over(self, conn: Connection, guest: Guest, rows: list[Any]) -> Guest:
        base = Presence(
            check_in=guest.check_in,
            check_in_station=guest.check_in_station,
            check_out=guest.check_out,
            check_out_station=guest.check_out_station,
        )
        base = self._without_undone(conn, rows, base)
        folded = fold_presence((_record(r) for r in rows), base=base).presence
        guest.check_in, guest.check_in_station = folded.check_in, folded.check_in_station
        guest.check_out, guest.check_out_station = folded.check_out, folded.check_out_station
        return guest

    def add_local_guest(self, conn: Connection, guest: Guest) -> None:
        """A guest made at this door (a companion): shown at once, replaced by the
        server's copy when the upload is answered."""
        conn.execute(insert(GUESTS).values(**guest_values(guest)))

    def _without_undone(self, conn: Connection, pending: Sequence[Any], base: Presence) -> Presence:
        """A pending undo whose target the server already has: take the target out of
        the server's copy, so the door shows the undo before the server answers it."""
        targets = {r.target_nonce for r in pending if r.action == Action.UNDO.value}
        if not targets:
            return base
        answered = conn.execute(
            select(OUTBOX).where(OUTBOX.c.nonce.in_(targets), OUTBOX.c.state.not_in(STATES_WAITING))
        ).all()
        for target in answered:
            when = parse_datetime(target.door_time)
            if target.action == Action.CHECK_IN.value and base.check_in == when:
                base = replace(base, check_in=None, check_in_station=None, check_in_nonce=None)
            elif target.action == Action.CHECK_OUT.value and base.check_out == when:
                base = replace(base, check_out=None, check_out_station=None)
        return base

    # -- the outbox -----------------------------------------------------------------

    def add_changes(
        self, conn: Connection, changes: Sequence[OutgoingChange], station: str
    ) -> None:
        """Queue changes inside the caller's transaction (the check-in service's)."""
        seq = conn.execute(select(func.coalesce(func.max(OUTBOX.c.seq), 0))).scalar_one()
        created = now_text()
        conn.execute(
            insert(OUTBOX),
            [
                {
                    "nonce": change.nonce,
                    "seq": seq + offset,
                    "guest_id": change.guest_id,
                    "action": change.action.value,
                    "door_time": format_datetime(change.door_time),
                    "station": station,
                    "target_nonce": change.target_nonce,
                    "parent_id": change.parent_id,
                    "fields": json.dumps(change.fields) if change.fields is not None else None,
                    "state": "pending",
                    "attempts": 0,
                    "created": created,
                }
                for offset, change in enumerate(changes, start=1)
            ],
        )

    def last_door_time(self) -> datetime | None:
        """The latest door time this store recorded a change at."""
        with self.read() as conn:
            times = conn.execute(select(OUTBOX.c.door_time)).scalars().all()
        parsed = [t for t in map(parse_datetime, times) if t is not None]
        return max(parsed, default=None)

    def waiting_changes(self, limit: int = 500) -> list[OutgoingChange]:
        """Changes still to upload, in the order they were made."""
        with self.read() as conn:
            rows = conn.execute(
                select(OUTBOX)
                .where(OUTBOX.c.state.in_(STATES_WAITING))
                .order_by(OUTBOX.c.seq)
                .limit(limit)
            ).all()
        return [_outgoing(r) for r in rows]

    def mark_sent(self, nonces: Sequence[str]) -> None:
        with self.write() as conn:
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.nonce.in_(bindparam("n", expanding=True)))
                .values(state="sent", attempts=OUTBOX.c.attempts + 1),
                {"n": list(nonces)},
            )

    def record_results(self, results: Iterable[ChangeResult]) -> None:
        """Store the server's answers to uploaded changes.

        One transaction holds the answer, the server's copy that shows the change, and
        the mark that keeps the change laid over while no such copy came. Apart, a door
        killed between them would show an answered change on a copy that does not have
        it yet, and admit the same guest again.
        """
        answered = now_text()
        results = list(results)
        # The server's copy in the answer already includes the change: the new base.
        copies = [
            (obj, _dumps(obj))
            for obj in (
                guest_to_json(r.guest)
                for r in results
                if r.guest is not None and r.effective != ChangeOutcome.REJECTED
            )
        ]
        latest, refused = self._prepared(copies, None)
        with self.write() as conn:
            for result in results:
                conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.nonce == result.nonce)
                    .values(
                        state=result.effective.value,
                        message=result.message,
                        code=result.code,
                        answered=answered,
                        last_error=None,
                    )
                )
            stored: set[str] = set()
            try:
                with conn.begin_nested():
                    self._store_rows(list(latest.values()), refused, None, conn)
                    stored = set(latest)
            except (StatementError, sqlite3.Error, UnicodeError) as exc:
                if _cannot_write(exc):
                    raise  # disk full, locked, I/O: nothing here can be written
                log.warning("the server's copies in an upload answer could not be stored (%s)",
                            type(exc).__name__)  # fmt: skip
            # Accepted without a copy that could be stored: the stored copy does not
            # show the change yet; keep it laid over until a later copy comes.
            unconfirmed: dict[str, str | None] = {
                UNCONFIRMED + r.nonce: guest_id
                for r in results
                if r.effective != ChangeOutcome.REJECTED
                and (guest_id := self._guest_of_change(conn, r.nonce)) is not None
                and guest_id not in stored
            }
            if unconfirmed:
                self._set(STATE, unconfirmed, conn)

    @staticmethod
    def _guest_of_change(conn: Connection, nonce: str) -> str | None:
        found = conn.execute(select(OUTBOX.c.guest_id).where(OUTBOX.c.nonce == nonce)).scalar()
        return found if isinstance(found, str) else None

    def record_failure(self, nonces: Sequence[str], error: str) -> None:
        with self.write() as conn:
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.nonce.in_(bindparam("n", expanding=True)))
                .values(state="pending", last_error=error),
                {"n": list(nonces)},
            )
            self._set(STATE, {"last_error": error}, conn)

    def changes(self, states: Sequence[str] | None = None, limit: int = 500) -> list[ChangeView]:
        query = (
            select(OUTBOX, GUESTS.c.first_name, GUESTS.c.last_name, GUESTS.c.access_code)
            .join(GUESTS, GUESTS.c.id == OUTBOX.c.guest_id, isouter=True)
            .order_by(OUTBOX.c.seq.desc())
            .limit(limit)
        )
        if states:
            query = query.where(OUTBOX.c.state.in_(list(states)))
        with self.read() as conn:
            rows = conn.execute(query).all()
        return [
            ChangeView(
                nonce=r.nonce,
                guest_id=r.guest_id,
                guest_name=" ".join(p for p in (r.first_name, r.last_name) if p)
                or (r.access_code or r.guest_id),
                action=r.action,
                door_time=r.door_time,
                state=r.state,
                attempts=r.attempts,
                message=r.message,
                last_error=r.last_error,
                code=r.code,
            )
            for r in rows
        ]

    # -- the scan journal -----------------------------------------------------------

    def journal_scan(
        self, conn: Connection, code: str, source: str, verdict: str, guest_id: str | None
    ) -> None:
        conn.execute(
            insert(SCANS).values(
                time=now_text(),
                code=code[:512],
                source=source,
                verdict=verdict,
                guest_id=guest_id,
            )
        )

    # -- search ---------------------------------------------------------------------

    def search(self, text_typed: str, limit: int = 50) -> SearchHits:
        """Guests whose names, company, email or code start with every word typed.

        Case and accents do not matter ("muller" finds "Müller"); a companion comes
        with the name of its main guest. Up to 1,000 matches are ranked (bm25); a
        broader query (one letter among 200,000 guests) gives the first ``limit``
        unranked and says so in ``broad``: ranking tens of thousands of matches costs
        more than a keystroke may, and the steward is still typing.
        """
        words = [w for w in fold(text_typed).replace('"', " ").split() if w]
        if not words:
            return SearchHits()
        match = " ".join(f'"{w}"*' for w in words)
        with self.read() as conn:
            candidates = (
                conn.execute(
                    text("SELECT rowid FROM guest_search WHERE guest_search MATCH :m LIMIT :n"),
                    {"m": match, "n": _RANKED_AT_MOST + 1},
                )
                .scalars()
                .all()
            )
            broad = len(candidates) > _RANKED_AT_MOST
            if broad:
                rows = conn.execute(
                    select(GUESTS.c.raw, GUESTS.c.parent_id)
                    .where(GUESTS.c.rownum.in_(candidates), GUESTS.c.delete_time.is_(None))
                    .order_by(GUESTS.c.rownum)
                    .limit(limit)
                ).all()
            else:
                rows = conn.execute(
                    text(
                        "SELECT g.raw, g.parent_id FROM guest_search s "
                        "JOIN guests g ON g.rownum = s.rowid "
                        "WHERE guest_search MATCH :match AND g.delete_time IS NULL "
                        "ORDER BY s.rank LIMIT :limit"
                    ),
                    {"match": match, "limit": limit},
                ).all()
            parents = {r.parent_id for r in rows if r.parent_id}
            names = {}
            if parents:
                for parent in conn.execute(
                    select(GUESTS.c.id, GUESTS.c.raw).where(GUESTS.c.id.in_(parents))
                ):
                    names[parent.id] = guest_from_raw(parent.raw).display_name
            shown = self._overlay_all(conn, [guest_from_raw(r.raw) for r in rows])
            hits = zip(shown, rows, strict=True)
            return SearchHits(
                (SearchHit(guest, names.get(r.parent_id)) for guest, r in hits), broad=broad
            )

    # -- status ---------------------------------------------------------------------

    def status(self) -> StoreStatus:
        with self.read() as conn:
            guests, checked_in = self._presence_counts(conn)
            return self._status(conn, guests, checked_in)

    def status_and_statistics(self) -> tuple[StoreStatus, Statistics]:
        """Both in one read, the guests and who is inside counted once (the store
        watcher's tick every two seconds, off the GUI thread)."""
        with self.read() as conn:
            statistics = self._statistics(conn)
            return self._status(conn, statistics.guests, statistics.inside), statistics

    def _presence_counts(self, conn: Connection) -> tuple[int, int]:
        """Live guests, and how many are inside with this door's waiting changes laid
        over the server's copies."""
        live = GUESTS.c.delete_time.is_(None)
        guests = conn.execute(select(func.count()).select_from(GUESTS).where(live)).scalar_one()
        inside_server = GUESTS.c.check_in.is_not(None) & (
            GUESTS.c.check_out.is_(None) | (GUESTS.c.check_out < GUESTS.c.check_in)
        )
        checked_in = conn.execute(
            select(func.count()).select_from(GUESTS).where(live, inside_server)
        ).scalar_one()
        # Adjust for guests whose pending changes move them in or out.
        waiting_ids = (
            conn.execute(select(OUTBOX.c.guest_id).where(_laid_over()).distinct()).scalars().all()
        )
        for start in range(0, len(waiting_ids), _IDS_PER_QUERY):
            raws = conn.execute(
                select(GUESTS.c.raw).where(
                    GUESTS.c.id.in_(waiting_ids[start : start + _IDS_PER_QUERY]), live
                )
            ).scalars()
            servers = [guest_from_raw(raw) for raw in raws]
            shown = self._overlay_all(conn, [replace(g) for g in servers])
            for server, laid_over in zip(servers, shown, strict=True):
                checked_in += int(laid_over.is_checked_in) - int(server.is_checked_in)
        return int(guests), int(checked_in)

    def _status(self, conn: Connection, guests: int, checked_in: int) -> StoreStatus:
        counts: dict[str, int] = dict(
            conn.execute(select(OUTBOX.c.state, func.count()).group_by(OUTBOX.c.state)).all()
        )
        state: dict[str, str] = dict(conn.execute(select(STATE.c.key, STATE.c.value)).all())
        skew = state.get("clock_skew")
        return StoreStatus(
            guests=guests,
            checked_in=checked_in,
            pending=counts.get("pending", 0) + counts.get("sent", 0),
            conflicts=counts.get("conflict", 0),
            rejected=counts.get("rejected", 0),
            cursor=state.get("cursor"),
            last_sync=state.get("last_sync"),
            last_full_sync=state.get("last_full_sync"),
            last_error=state.get("last_error") or None,
            clock_skew_seconds=float(skew) if skew else None,
            unreadable=sum(1 for key in state if key.startswith(UNREADABLE)),
        )

    def local_presence(self, guest_ids: Iterable[str]) -> dict[str, Presence]:
        """For a guest list without a server (a spreadsheet), this door's change log is
        the whole history: each guest's presence is the fold of it."""
        found: dict[str, Presence] = {}
        with self.read() as conn:
            for guest_id in set(guest_ids):
                rows = conn.execute(
                    select(OUTBOX)
                    .where(OUTBOX.c.guest_id == guest_id, OUTBOX.c.state != "rejected")
                    .order_by(OUTBOX.c.seq)
                ).all()
                found[guest_id] = fold_presence(_record(r) for r in rows).presence
        return found

    def apply_local(self, guest_ids: Iterable[str]) -> dict[str, Guest]:
        """The stored copies with this door's changes folded in (no server to answer
        them); returns the guests as now stored."""
        presences = self.local_presence(guest_ids)
        done: dict[str, Guest] = {}
        with self.read() as conn:
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

    def guests_with_changes(self) -> list[str]:
        with self.read() as conn:
            return list(conn.execute(select(OUTBOX.c.guest_id).distinct()).scalars())

    # -- forwards to destinations (Event Cadence) ----------------------------------

    def enqueue_forwards(self, destination: str, build: Callable[[Guest], str | None]) -> int:
        """Queue a profile for every check-in and walk-in recorded since the last
        call (the outbox's order), in one transaction with the position reached, so
        none is queued twice or lost. ``build`` returns the payload as JSON, or None
        to hold it back (the reason is its MissingEmailError text, raised)."""
        key = f"forwarded_seq:{destination}"
        created = now_text()
        queued = 0
        with self.write() as conn:
            done = int(self._get(STATE, key, conn) or 0)
            rows = conn.execute(
                select(OUTBOX.c.seq, OUTBOX.c.guest_id)
                .where(
                    OUTBOX.c.seq > done,
                    OUTBOX.c.action.in_(("checkIn", "addCompanion")),
                    OUTBOX.c.state != "rejected",
                )
                .order_by(OUTBOX.c.seq)
            ).all()
            for seq, guest_id in rows:
                view = self.guest_by_id(guest_id, conn)
                if view is None:
                    continue
                state, error, payload = "pending", None, ""
                try:
                    payload = build(view.guest) or ""
                except ValueError as exc:
                    state, error = "held", str(exc)
                conn.execute(
                    insert(FORWARDS).values(
                        destination=destination, guest_id=guest_id, source_seq=seq,
                        payload=payload, state=state, attempts=0, last_error=error,
                        created=created,
                    )
                )  # fmt: skip
                queued += 1
                done = seq
            if rows:
                self._set(STATE, {key: str(max(done, rows[-1][0]))}, conn)
        return queued

    def pending_forwards(self, destination: str, limit: int = 50) -> list[tuple[int, str]]:
        with self.read() as conn:
            rows = conn.execute(
                select(FORWARDS.c.id, FORWARDS.c.payload)
                .where(FORWARDS.c.destination == destination, FORWARDS.c.state == "pending")
                .order_by(FORWARDS.c.id)
                .limit(limit)
            ).all()
        return [(int(r.id), str(r.payload)) for r in rows]

    def answer_forward(self, forward_id: int, state: str, error: str | None = None) -> None:
        with self.write() as conn:
            conn.execute(
                update(FORWARDS)
                .where(FORWARDS.c.id == forward_id)
                .values(
                    state=state,
                    attempts=FORWARDS.c.attempts + 1,
                    last_error=error,
                    answered=now_text(),
                )
            )

    def forward_counts(self, destination: str) -> dict[str, int]:
        with self.read() as conn:
            rows = conn.execute(
                select(FORWARDS.c.state, func.count())
                .where(FORWARDS.c.destination == destination)
                .group_by(FORWARDS.c.state)
            ).all()
        return {str(state): int(count) for state, count in rows}

    def forward_problems(self, destination: str) -> list[tuple[str, str]]:
        """(guest name, why) for profiles held back."""
        with self.read() as conn:
            rows = conn.execute(
                select(FORWARDS.c.guest_id, FORWARDS.c.last_error).where(
                    FORWARDS.c.destination == destination,
                    FORWARDS.c.state == "held",
                )
            ).all()
            found = []
            for guest_id, error in rows:
                view = self.guest_by_id(guest_id, conn)
                found.append((view.guest.display_name if view else guest_id, str(error or "")))
        return found

    def guests_with_presence(self) -> list[Guest]:
        """Every guest who came or left, as this door knows it (pending changes in),
        for the export of check-ins."""
        with self.read() as conn:
            waiting = select(OUTBOX.c.guest_id).where(_laid_over())
            came = GUESTS.c.check_in.is_not(None) | GUESTS.c.check_out.is_not(None)
            rows = conn.execute(
                select(GUESTS.c.raw)
                .where(GUESTS.c.delete_time.is_(None), came | GUESTS.c.id.in_(waiting))
                .order_by(GUESTS.c.check_in)
            ).scalars()
            return self._overlay_all(conn, [guest_from_raw(raw) for raw in rows])

    def statistics(self) -> Statistics:
        """Arrivals per 5 minutes, inside now and per station, pending changes included.

        Counted in SQL over the server's copies, then corrected for the few guests
        this door has changes waiting for, as ``status`` does.
        """
        with self.read() as conn:
            return self._statistics(conn)

    def _statistics(self, conn: Connection) -> Statistics:
        live = GUESTS.c.delete_time.is_(None)
        inside = GUESTS.c.check_in.is_not(None) & (
            GUESTS.c.check_out.is_(None) | (GUESTS.c.check_out < GUESTS.c.check_in)
        )
        minute = cast(func.substr(GUESTS.c.check_in, 15, 2), Integer)
        bucket = func.substr(GUESTS.c.check_in, 1, 14).op("||")(
            func.printf("%02d", minute - minute % BUCKET_MINUTES)
        )
        arrivals: dict[str, int] = {}
        came: dict[str, int] = {}
        left: dict[str, int] = {}
        # A subquery, not a list of ids: a long offline backlog stays one statement.
        waiting = select(OUTBOX.c.guest_id).where(_laid_over())
        settled = live & GUESTS.c.id.not_in(waiting)
        guests = conn.execute(select(func.count()).select_from(GUESTS).where(live)).scalar_one()
        inside_now = conn.execute(
            select(func.count()).select_from(GUESTS).where(settled, inside)
        ).scalar_one()
        for key, count in conn.execute(
            select(bucket, func.count())
            .where(settled, GUESTS.c.check_in.is_not(None))
            .group_by(bucket)
        ):
            arrivals[key] = count
        for station, count in conn.execute(
            select(GUESTS.c.check_in_station, func.count())
            .where(settled, GUESTS.c.check_in.is_not(None))
            .group_by(GUESTS.c.check_in_station)
        ):
            came[station or "?"] = count
        for station, count in conn.execute(
            select(GUESTS.c.check_out_station, func.count())
            .where(settled, GUESTS.c.check_in.is_not(None), ~inside)
            .group_by(GUESTS.c.check_out_station)
        ):
            left[station or "?"] = count
        changed = conn.execute(select(GUESTS.c.raw).where(live, GUESTS.c.id.in_(waiting)))
        for guest in self._overlay_all(conn, [guest_from_raw(raw) for raw in changed.scalars()]):
            if guest.check_in is None:
                continue
            key = _bucket_key(guest.check_in)
            arrivals[key] = arrivals.get(key, 0) + 1
            station = guest.check_in_station or "?"
            came[station] = came.get(station, 0) + 1
            if guest.is_checked_in:
                inside_now += 1
            else:
                station = guest.check_out_station or "?"
                left[station] = left.get(station, 0) + 1
        buckets = []
        for key, count in sorted(arrivals.items()):
            start = parse_datetime(key + ":00+00:00")
            if start is not None:
                buckets.append((start, count))
        stations = [
            StationCount(name, came.get(name, 0), left.get(name, 0))
            for name in sorted(set(came) | set(left))
        ]
        return Statistics(buckets, int(inside_now), int(guests), stations)


def _bucket_key(when: datetime) -> str:
    """The same text the SQL bucket makes: the UTC start of the 5-minute slot."""
    utc = when.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:}{utc.minute // BUCKET_MINUTES * BUCKET_MINUTES:02d}"


def _cannot_write(exc: BaseException) -> bool:
    """The database as a whole refuses writes (as opposed to one bad row)."""
    return isinstance(exc, (sqlite3.OperationalError, OperationalError)) or isinstance(
        getattr(exc, "orig", None), sqlite3.OperationalError
    )


def _laid_over() -> Any:
    """Outbox rows laid over the server's copy: those not answered yet, and those
    applied by an answer that carried no copy, until the server's copy shows them."""
    unconfirmed = select(func.substr(STATE.c.key, len(UNCONFIRMED) + 1)).where(
        STATE.c.key.startswith(UNCONFIRMED, autoescape=True)
    )
    return or_(OUTBOX.c.state.in_(STATES_WAITING), OUTBOX.c.nonce.in_(unconfirmed))


# Guest ids bound in one query: well under SQLite's limit on variables.
_IDS_PER_QUERY = 500
# Built once: SQLAlchemy then finds its compiled form in its cache by identity, where
# building the expression per call cost more than the query (a search folds 50 guests).
_LAID_OVER_BY_GUEST = select(OUTBOX).where(
    OUTBOX.c.guest_id.in_(bindparam("ids", expanding=True)), _laid_over()
)


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


def _record(row: Any) -> ChangeRecord:
    door_time = parse_datetime(row.door_time)
    assert door_time is not None
    return ChangeRecord(
        nonce=row.nonce,
        guest_id=row.guest_id,
        action=Action(row.action),
        door_time=door_time,
        station=row.station,
        target_nonce=row.target_nonce,
    )


def _outgoing(row: Any) -> OutgoingChange:
    door_time = parse_datetime(row.door_time)
    assert door_time is not None
    return OutgoingChange(
        nonce=row.nonce,
        action=Action(row.action),
        guest_id=row.guest_id,
        door_time=door_time,
        target_nonce=row.target_nonce,
        parent_id=row.parent_id,
        fields=json.loads(row.fields) if row.fields else None,
    )
