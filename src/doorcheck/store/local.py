"""The kiosk's local store: durable before the screen turns green."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func
from sqlmodel import Session, col, create_engine, delete, select

from doorcheck.domain.changes import Action, ChangeRecord, Presence, fold_presence
from doorcheck.domain.guest import Guest
from doorcheck.domain.timeutil import format_datetime, parse_datetime
from doorcheck.station.wire import (
    ChangeOutcome,
    ChangeResult,
    OutgoingChange,
    guest_from_json,
    guest_to_json,
)
from doorcheck.store.schema import SCHEMA_VERSION, GuestRow, OutboxRow, ScanRow, StateRow

PENDING = "pending"
DONE_STATES = {"applied", "duplicate"}


@dataclass(frozen=True)
class StoreStatus:
    guests: int
    checked_in: int
    pending: int
    conflicts: int
    rejected: int
    cursor: str | None
    last_sync: str | None
    last_error: str | None


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a check-in is on disk, not in an OS buffer, before the screen says so.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return engine


class LocalStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, path: Path) -> LocalStore:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        engine = _engine(path)
        GuestRow.metadata.create_all(engine)
        store = cls(engine)
        if store.get_state("schema_version") is None:
            store.set_state("schema_version", str(SCHEMA_VERSION))
        return store

    def close(self) -> None:
        self._engine.dispose()

    # -- state -----------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        with Session(self._engine) as session:
            row = session.get(StateRow, key)
            return None if row is None else row.value

    def set_state(self, key: str, value: str | None) -> None:
        with Session(self._engine) as session:
            row = session.get(StateRow, key)
            if value is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(StateRow(key=key, value=value))
            else:
                row.value = value
            session.commit()

    # -- guests from the server ------------------------------------------------------

    def replace_all(self, guests: Iterable[Guest], cursor: str) -> int:
        rows = [_row(g) for g in guests]
        with Session(self._engine) as session:
            session.exec(delete(GuestRow))
            session.add_all(rows)
            self._mark_synced(session, cursor)
            session.commit()
        return len(rows)

    def apply_recent(self, guests: Iterable[Guest], cursor: str) -> int:
        count = 0
        with Session(self._engine) as session:
            for guest in guests:
                session.merge(_row(guest))
                count += 1
            self._mark_synced(session, cursor)
            session.commit()
        return count

    def _mark_synced(self, session: Session, cursor: str) -> None:
        now = format_datetime(datetime.now(UTC))
        for key, value in (("cursor", cursor), ("last_sync", now), ("last_error", "")):
            session.merge(StateRow(key=key, value=value))

    def _server_guest(self, session: Session, row: GuestRow | None) -> Guest | None:
        if row is None:
            return None
        guest = guest_from_json(json.loads(row.doc))
        pending = session.exec(
            select(OutboxRow).where(
                OutboxRow.guest_id == guest.id, col(OutboxRow.state).in_([PENDING, "sent"])
            )
        ).all()
        if not pending:
            return guest
        # The guest the door shows: the server's copy with pending changes laid over it.
        base = Presence(
            check_in=guest.check_in,
            check_in_station=guest.check_in_station,
            check_out=guest.check_out,
            check_out_station=guest.check_out_station,
        )
        folded = fold_presence((_record(r) for r in pending), base=base).presence
        guest.check_in, guest.check_in_station = folded.check_in, folded.check_in_station
        guest.check_out, guest.check_out_station = folded.check_out, folded.check_out_station
        return guest

    def guest_by_code(self, code: str) -> Guest | None:
        with Session(self._engine) as session:
            row = session.exec(select(GuestRow).where(GuestRow.access_code == code)).first()
            return self._server_guest(session, row)

    def guest_by_id(self, guest_id: str) -> Guest | None:
        with Session(self._engine) as session:
            return self._server_guest(session, session.get(GuestRow, guest_id))

    # -- the outbox ------------------------------------------------------------------

    def record_change(self, change: OutgoingChange, station: str) -> None:
        """Durably queue a change (committed with synchronous=FULL before returning)."""
        with Session(self._engine) as session:
            seq = session.exec(select(func.coalesce(func.max(OutboxRow.seq), 0))).one() + 1
            session.add(
                OutboxRow(
                    nonce=change.nonce,
                    seq=seq,
                    guest_id=change.guest_id,
                    action=change.action.value,
                    door_time=format_datetime(change.door_time),
                    station=station,
                    target_nonce=change.target_nonce,
                    parent_id=change.parent_id,
                    fields=json.dumps(change.fields) if change.fields is not None else None,
                )
            )
            session.commit()

    def pending_changes(self, limit: int = 500) -> list[OutgoingChange]:
        with Session(self._engine) as session:
            rows = session.exec(
                select(OutboxRow)
                .where(OutboxRow.state == PENDING)
                .order_by(col(OutboxRow.seq))
                .limit(limit)
            ).all()
            return [_outgoing(r) for r in rows]

    def record_results(self, results: Iterable[ChangeResult]) -> None:
        with Session(self._engine) as session:
            for result in results:
                row = session.get(OutboxRow, result.nonce)
                if row is None:
                    continue
                row.state = result.effective.value
                row.message = result.message
                row.attempts += 1
                if result.guest is not None and result.effective != ChangeOutcome.REJECTED:
                    # The server's copy now includes this change: keep it as our base.
                    session.merge(_row(result.guest))
            session.commit()

    def record_failure(self, nonces: Iterable[str], error: str) -> None:
        with Session(self._engine) as session:
            for nonce in nonces:
                row = session.get(OutboxRow, nonce)
                if row is not None:
                    row.attempts += 1
                    row.last_error = error
            session.merge(StateRow(key="last_error", value=error))
            session.commit()

    def record_scan(self, code: str, source: str, verdict: str) -> None:
        with Session(self._engine) as session:
            session.add(ScanRow(time=datetime.now(UTC), code=code, source=source, verdict=verdict))
            session.commit()

    def status(self) -> StoreStatus:
        with Session(self._engine) as session:
            docs = session.exec(select(GuestRow.doc).where(GuestRow.deleted == False)).all()  # noqa: E712
            checked_in = 0
            for doc in docs:
                data = json.loads(doc)
                check_in = parse_datetime(data.get("checkInDateTime"))
                check_out = parse_datetime(data.get("checkOutDateTime"))
                if check_in and (check_out is None or check_out < check_in):
                    checked_in += 1
            counts = dict(
                session.exec(
                    select(OutboxRow.state, func.count()).group_by(col(OutboxRow.state))
                ).all()
            )
        return StoreStatus(
            guests=len(docs),
            checked_in=checked_in,
            pending=counts.get(PENDING, 0) + counts.get("sent", 0),
            conflicts=counts.get("conflict", 0),
            rejected=counts.get("rejected", 0),
            cursor=self.get_state("cursor"),
            last_sync=self.get_state("last_sync"),
            last_error=self.get_state("last_error") or None,
        )


def _row(guest: Guest) -> GuestRow:
    return GuestRow(
        id=guest.id,
        access_code=guest.access_code,
        parent_id=guest.parent_id,
        deleted=guest.is_deleted,
        doc=json.dumps(guest_to_json(guest), ensure_ascii=False),
    )


def _record(row: OutboxRow) -> ChangeRecord:
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


def _outgoing(row: OutboxRow) -> OutgoingChange:
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
