"""The outbox: changes made at this door until the server has answered them.

Also how they are laid over the server's copies whenever a guest is shown or judged
(DESIGN.md §2.5): ``overlay_all`` and ``laid_over``, which the other parts use.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, func, insert, or_, select, update

from doorcheck.domain.changes import (
    Action,
    ChangeNote,
    ChangeRecord,
    Presence,
    fold_presence,
    summary_records,
)
from doorcheck.domain.guest import Guest
from doorcheck.domain.timeutil import format_datetime, parse_datetime
from doorcheck.protocol.liststream import WireGuest
from doorcheck.protocol.wire import (
    ChangeOutcome,
    ChangeResult,
    OutgoingChange,
    guest_to_json,
)
from doorcheck.store.rows import COLUMNS, stored_time
from doorcheck.store.schema import GuestRow, OutboxRow
from doorcheck.store.state import STATE, UNCONFIRMED, SyncState
from doorcheck.store.transactions import Database, bad_row_errors, cannot_write, dumps, now_text
from doorcheck.views import ChangeView


class ServerCopies(Protocol):
    """What the outbox needs of the guest copies (store.guests.GuestCopies) to keep
    the server's copies in an upload's answer: named here, not imported, so the two
    modules do not import each other."""

    @staticmethod
    def prepared(
        objects: Sequence[WireGuest], generation: int | None
    ) -> tuple[dict[str, tuple[Any, ...]], list[tuple[object, str]]]: ...

    def store_rows(
        self,
        rows: list[tuple[Any, ...]],
        refused: list[tuple[object, str]],
        generation: int | None,
        conn: Connection | None = None,
    ) -> int: ...


GUESTS = GuestRow.__table__  # type: ignore[attr-defined]
OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]

log = logging.getLogger(__name__)


class OutboxState(StrEnum):
    """An outbox row's state; the values are what the table stores."""

    PENDING = "pending"  # not uploaded yet, or to upload again after a failure
    SENT = "sent"  # uploaded, no answer yet
    APPLIED = ChangeOutcome.APPLIED.value
    DUPLICATE = ChangeOutcome.DUPLICATE.value
    CONFLICT = ChangeOutcome.CONFLICT.value
    REJECTED = ChangeOutcome.REJECTED.value


# Not answered yet: counted as pending and laid over the server's copy.
# Plain strings, bound as the table stores them.
WAITING = (OutboxState.PENDING.value, OutboxState.SENT.value)
# Answered as in force on the server.
_ACCEPTED = (OutboxState.APPLIED.value, OutboxState.DUPLICATE.value)

# This door's id in the sync state (store/changelog.py, docs/peers.md).
DOOR_ID = "door_id"

_CHECK_IN = COLUMNS.index("check_in")
_CHECK_IN_STATION = COLUMNS.index("check_in_station")


class Outbox:
    def __init__(self, db: Database, state: SyncState, copies: ServerCopies) -> None:
        self._db = db
        self._state = state
        # record_results stores the server's copies in the answers' transaction.
        self._copies = copies
        self._door_id: str | None = None

    def add_changes(
        self, conn: Connection, changes: Sequence[OutgoingChange], station: str
    ) -> None:
        """Queue changes inside the caller's transaction (the check-in service's)."""
        seq = conn.execute(select(func.coalesce(func.max(OUTBOX.c.seq), 0))).scalar_one()
        door = self.door_id(conn)
        # This door's own numbering of its changes, which the other doors replicate
        # by (store/changelog.py); in the caller's write transaction, so two
        # processes of one door (a window and ``doorcheck checkin``) never share one.
        mine = conn.execute(
            select(func.coalesce(func.max(OUTBOX.c.origin_seq), 0)).where(OUTBOX.c.origin == door)
        ).scalar_one()
        created = now_text()
        conn.execute(
            insert(OUTBOX),
            [
                {
                    "nonce": change.nonce,
                    "seq": seq + offset,
                    "origin": door,
                    "origin_seq": mine + offset,
                    "guest_id": change.guest_id,
                    "action": change.action.value,
                    "door_time": format_datetime(change.door_time),
                    "station": station,
                    "target_nonce": change.target_nonce,
                    "parent_id": change.parent_id,
                    "fields": json.dumps(change.fields) if change.fields is not None else None,
                    "state": OutboxState.PENDING.value,
                    "attempts": 0,
                    "created": created,
                }
                for offset, change in enumerate(changes, start=1)
            ],
        )

    def door_id(self, conn: Connection | None = None) -> str:
        """This door's id in the replicated log (made by migration 0005)."""
        if self._door_id is None:
            found = self._state.get(DOOR_ID, conn)
            if found is None:
                raise RuntimeError("the store has no door id; was it migrated?")
            self._door_id = found
        return self._door_id

    def last_door_time(self) -> datetime | None:
        """The latest door time this store recorded a change at."""
        with self._db.read() as conn:
            times = conn.execute(select(OUTBOX.c.door_time)).scalars().all()
        parsed = [t for t in map(parse_datetime, times) if t is not None]
        return max(parsed, default=None)

    def waiting_changes(self, limit: int = 500) -> list[OutgoingChange]:
        """Changes still to upload, in the order they were made."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(OUTBOX)
                .where(OUTBOX.c.state.in_(WAITING))
                .order_by(OUTBOX.c.seq)
                .limit(limit)
            ).all()
        door = self.door_id()
        # Learned from another door: the server is told where it was made.
        return [_outgoing(r, r.station if r.origin != door else None) for r in rows]

    def mark_sent(self, nonces: Sequence[str]) -> None:
        with self._db.write() as conn:
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.nonce.in_(bindparam("n", expanding=True)))
                .values(state=OutboxState.SENT.value, attempts=OUTBOX.c.attempts + 1),
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
            (obj, dumps(obj))
            for obj in (
                guest_to_json(r.guest)
                for r in results
                if r.guest is not None and r.effective != ChangeOutcome.REJECTED
            )
        ]
        latest, refused = self._copies.prepared(copies, None)
        with self._db.write() as conn:
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
                    self._copies.store_rows(list(latest.values()), refused, None, conn)
                    stored = set(latest)
            except bad_row_errors() as exc:
                if cannot_write(exc):
                    raise  # disk full, locked, I/O: nothing here can be written
                log.warning("the server's copies in an upload answer could not be stored (%s)",
                            type(exc).__name__)  # fmt: skip
            # Accepted without a copy that could be stored: the stored copy does not
            # show the change yet; keep it laid over until a later copy comes.
            unconfirmed: dict[str, str | None] = {
                UNCONFIRMED + r.nonce: guest_id
                for r in results
                if r.effective != ChangeOutcome.REJECTED
                and (guest_id := _guest_of_change(conn, r.nonce)) is not None
                and guest_id not in stored
            }
            if unconfirmed:
                self._state.set(unconfirmed, conn)

    def record_failure(self, nonces: Sequence[str], error: str) -> None:
        with self._db.write() as conn:
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.nonce.in_(bindparam("n", expanding=True)))
                .values(state=OutboxState.PENDING.value, last_error=error),
                {"n": list(nonces)},
            )
            self._state.set({"last_error": error}, conn)

    def changes(self, states: Sequence[str] | None = None, limit: int = 500) -> list[ChangeView]:
        query = (
            select(OUTBOX, GUESTS.c.first_name, GUESTS.c.last_name, GUESTS.c.access_code)
            .join(GUESTS, GUESTS.c.id == OUTBOX.c.guest_id, isouter=True)
            .order_by(OUTBOX.c.seq.desc())
            .limit(limit)
        )
        if states:
            query = query.where(OUTBOX.c.state.in_(list(states)))
        with self._db.read() as conn:
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
                note=r.note,
                note_data=json.loads(r.note_data) if r.note_data else {},
            )
            for r in rows
        ]

    def local_presence(self, guest_ids: Iterable[str]) -> dict[str, Presence]:
        """For a guest list without a server (a spreadsheet), this door's change log is
        the whole history: each guest's presence is the fold of it."""
        found: dict[str, Presence] = {}
        with self._db.read() as conn:
            for guest_id in set(guest_ids):
                rows = conn.execute(
                    select(OUTBOX)
                    .where(
                        OUTBOX.c.guest_id == guest_id,
                        OUTBOX.c.state != OutboxState.REJECTED.value,
                    )
                    .order_by(OUTBOX.c.seq)
                ).all()
                found[guest_id] = fold_presence(_record(r) for r in rows).presence
        return found

    def guests_with_changes(self) -> list[str]:
        with self._db.read() as conn:
            return list(conn.execute(select(OUTBOX.c.guest_id).distinct()).scalars())


def _guest_of_change(conn: Connection, nonce: str) -> str | None:
    found = conn.execute(select(OUTBOX.c.guest_id).where(OUTBOX.c.nonce == nonce)).scalar()
    return found if isinstance(found, str) else None


# -- laid over the server's copies ---------------------------------------------------


def laid_over() -> Any:
    """Outbox rows laid over the server's copy: those not answered yet, and those
    applied by an answer that carried no copy, until the server's copy shows them."""
    unconfirmed = select(func.substr(STATE.c.key, len(UNCONFIRMED) + 1)).where(
        STATE.c.key.startswith(UNCONFIRMED, autoescape=True)
    )
    return or_(OUTBOX.c.state.in_(WAITING), OUTBOX.c.nonce.in_(unconfirmed))


# Guest ids bound in one query: well under SQLite's limit on variables.
IDS_PER_QUERY = 500
# Built once: SQLAlchemy then finds its compiled form in its cache by identity, where
# building the expression per call cost more than the query (a search folds 50 guests).
_LAID_OVER_BY_GUEST = select(OUTBOX).where(
    OUTBOX.c.guest_id.in_(bindparam("ids", expanding=True)), laid_over()
)


def overlay_all(conn: Connection, guests: list[Guest]) -> list[Guest]:
    """Each guest with this door's changes laid over the server's copy; one query
    for all of them (a search shows 50, a scan a guest and their companions)."""
    if not guests:
        return guests
    by_guest: dict[str, list[Any]] = {}
    ids = [g.id for g in guests]
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start : start + IDS_PER_QUERY]
        for row in conn.execute(_LAID_OVER_BY_GUEST, {"ids": chunk}):
            by_guest.setdefault(row.guest_id, []).append(row)
    for guest in guests:
        rows = by_guest.get(guest.id)
        if rows:
            _fold_over(conn, guest, rows)
    return guests


def waiting_count(conn: Connection, guest_id: str) -> int:
    """This door's changes for the guest not answered yet."""
    pending = conn.execute(
        select(func.count())
        .select_from(OUTBOX)
        .where(OUTBOX.c.guest_id == guest_id, OUTBOX.c.state.in_(WAITING))
    ).scalar_one()
    return int(pending)


def _fold_over(conn: Connection, guest: Guest, rows: list[Any]) -> Guest:
    base = Presence(
        check_in=guest.check_in,
        check_in_station=guest.check_in_station,
        check_out=guest.check_out,
        check_out_station=guest.check_out_station,
    )
    base = _without_undone(conn, rows, base)
    # The copy's check-in and check-out folded with the waiting changes in door-time
    # order, not under them: a waiting change may be earlier (domain.changes).
    records = [*summary_records(guest.id, base), *(_record(r) for r in rows)]
    folded = fold_presence(records).presence
    guest.check_in, guest.check_in_station = folded.check_in, folded.check_in_station or None
    guest.check_out, guest.check_out_station = folded.check_out, folded.check_out_station or None
    return guest


def _without_undone(conn: Connection, pending: Sequence[Any], base: Presence) -> Presence:
    """A pending undo whose target the server already has: take the target out of
    the server's copy, so the door shows the undo before the server answers it."""
    targets = {r.target_nonce for r in pending if r.action == Action.UNDO.value}
    if not targets:
        return base
    answered = conn.execute(
        select(OUTBOX).where(OUTBOX.c.nonce.in_(targets), OUTBOX.c.state.not_in(WAITING))
    ).all()
    for target in answered:
        when = parse_datetime(target.door_time)
        if target.action == Action.CHECK_IN.value and base.check_in == when:
            base = replace(base, check_in=None, check_in_station=None, check_in_nonce=None)
        elif target.action == Action.CHECK_OUT.value and base.check_out == when:
            base = replace(base, check_out=None, check_out_station=None)
    return base


# -- overtaken by another door -------------------------------------------------------


def mark_superseded(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Our applied check-in that the server no longer holds in force was overtaken
    by an earlier one from another door (both offline): record it as a conflict.

    ``rows`` are guest rows just stored from the server, in the ingest's transaction.
    """
    checked_in = {
        row[0]: (row[_CHECK_IN], row[_CHECK_IN_STATION])
        for row in rows
        if row[_CHECK_IN] is not None
    }
    if not checked_in or not _has_answered_check_ins(conn):
        return
    ours = conn.execute(
        select(OUTBOX.c.nonce, OUTBOX.c.guest_id, OUTBOX.c.door_time, OUTBOX.c.station)
        .where(
            OUTBOX.c.state.in_(_ACCEPTED),
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
        data = {"time": format_datetime(when), "station": server_station or None}
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.nonce == row.nonce)
            .values(
                state=OutboxState.CONFLICT.value,
                note=ChangeNote.SUPERSEDED.value,
                note_data=dumps(data),
            )
        )


def _has_answered_check_ins(conn: Connection) -> bool:
    found = conn.execute(
        select(OUTBOX.c.nonce)
        .where(OUTBOX.c.state.in_(_ACCEPTED), OUTBOX.c.action == Action.CHECK_IN.value)
        .limit(1)
    ).first()
    return found is not None


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


def _outgoing(row: Any, station: str | None = None) -> OutgoingChange:
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
        station=station,
    )
