"""The event's change log as this door replicates it with the other doors (docs/peers.md).

The log is the outbox table: this door's own changes and those learned from other
doors, each keyed by nonce and by (origin door, number at that door). A door holds,
of each origin, a gap-free prefix, so its version vector is the highest number per
origin. ``accept`` takes what extends those prefixes, in one transaction, so a door
killed at any instant holds a prefix still; a change learned from another door is
waiting like this door's own: laid over the server's copy, and uploaded by any door
that reaches the server (the server applies a nonce once).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from doorcheck.domain.changes import Action, ChangeNote, Effect, fold_presence
from doorcheck.domain.guest import Guest, RegistrationState
from doorcheck.domain.replication import LoggedChange, Vector, intake
from doorcheck.domain.timeutil import format_datetime, parse_datetime
from doorcheck.store.guests import GUESTS, GuestCopies
from doorcheck.store.outbox import OUTBOX, Outbox, OutboxState
from doorcheck.store.schema import PeerRow
from doorcheck.store.transactions import Database, dumps, now_text

PEERS = PeerRow.__table__  # type: ignore[attr-defined]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Accepted:
    taken: list[LoggedChange]
    held: int  # offered again: already here
    gaps: frozenset[str]  # origins to catch up on from the vector
    refused: int  # a known nonce under another origin and number: not taken


@dataclass(frozen=True, slots=True)
class PeerRecord:
    door_id: str
    station: str
    address: str | None
    last_heard: datetime | None
    clock_offset_ms: int | None
    problem: str | None


class ChangeLog:
    def __init__(self, db: Database, outbox: Outbox, copies: GuestCopies) -> None:
        self._db = db
        self._outbox = outbox
        self._copies = copies

    @property
    def door_id(self) -> str:
        """This door's id, made by the migration that introduced the log (0005)."""
        return self._outbox.door_id()

    def vector(self, conn: Connection | None = None) -> dict[str, int]:
        if conn is None:
            with self._db.read() as own:
                return self.vector(own)
        rows = conn.execute(
            select(OUTBOX.c.origin, func.max(OUTBOX.c.origin_seq)).group_by(OUTBOX.c.origin)
        ).all()
        return {origin: int(top) for origin, top in rows}

    def after(self, vector: Vector, limit: int = 1000) -> list[LoggedChange]:
        """What this door holds beyond ``vector``, per origin in order, at most ``limit``."""
        found: list[LoggedChange] = []
        with self._db.read() as conn:
            for origin, top in sorted(self.vector(conn).items()):
                if len(found) >= limit:
                    break
                since = vector.get(origin, 0)
                if top <= since:
                    continue
                rows = conn.execute(
                    select(OUTBOX)
                    .where(OUTBOX.c.origin == origin, OUTBOX.c.origin_seq > since)
                    .order_by(OUTBOX.c.origin_seq)
                    .limit(limit - len(found))
                ).all()
                found.extend(logged(row) for row in rows)
        return found

    def accept(self, offered: Iterable[LoggedChange]) -> Accepted:
        """Take what extends this door's prefixes, in one durable transaction."""
        offered = list(offered)
        with self._db.write() as conn:
            plan = intake(self.vector(conn), offered)
            if not plan.take:
                return Accepted([], plan.held, plan.gaps, 0)
            nonces = [c.nonce for c in plan.take]
            known = set(
                conn.execute(select(OUTBOX.c.nonce).where(OUTBOX.c.nonce.in_(nonces))).scalars()
            )
            taken: list[LoggedChange] = []
            stopped: set[str] = set()
            for change in plan.take:
                if change.origin in stopped:
                    continue  # an earlier one of this origin was refused: a gap now
                if change.nonce in known:
                    log.warning("a change from door %s reuses a known nonce; refused",
                                change.origin)  # fmt: skip
                    stopped.add(change.origin)
                    continue
                taken.append(change)
            gaps = plan.gaps | stopped
            self._insert(conn, taken)
            self._note_conflicts(conn, {c.guest_id for c in taken})
        return Accepted(taken, plan.held, frozenset(gaps), len(plan.take) - len(taken))

    def _insert(self, conn: Connection, changes: Sequence[LoggedChange]) -> None:
        if not changes:
            return
        seq = conn.execute(select(func.coalesce(func.max(OUTBOX.c.seq), 0))).scalar_one()
        created = now_text()
        conn.execute(
            insert(OUTBOX),
            [
                {
                    "nonce": c.nonce,
                    "seq": seq + offset,
                    "origin": c.origin,
                    "origin_seq": c.seq,
                    "guest_id": c.guest_id,
                    "action": c.action.value,
                    "door_time": format_datetime(c.door_time),
                    "station": c.station,
                    "target_nonce": c.target_nonce,
                    "parent_id": c.parent_id,
                    "fields": json.dumps(c.fields) if c.fields is not None else None,
                    "state": OutboxState.PENDING.value,
                    "attempts": 0,
                    "created": created,
                }
                for offset, c in enumerate(changes, start=1)
            ],
        )
        for change in changes:
            if change.action == Action.ADD_COMPANION and change.parent_id is not None:
                exists = conn.execute(
                    select(GUESTS.c.id).where(GUESTS.c.id == change.guest_id)
                ).first()
                if exists is None:
                    self._copies.add_local_guest(
                        conn,
                        Guest(
                            id=change.guest_id,
                            parent_id=change.parent_id,
                            registration_state=RegistrationState.REGISTERED,
                            fields=dict(change.fields or {}),
                        ),
                    )

    def _note_conflicts(self, conn: Connection, guest_ids: set[str]) -> None:
        """Of two check-ins made apart (doors cut off from each other), the fold keeps
        the earliest; the later one is noted as overtaken at every door that holds
        both, whichever door made it."""
        for guest_id in guest_ids:
            rows = conn.execute(
                select(OUTBOX).where(
                    OUTBOX.c.guest_id == guest_id,
                    OUTBOX.c.state != OutboxState.REJECTED.value,
                )
            ).all()
            if len(rows) < 2:
                continue
            by_nonce = {row.nonce: row for row in rows}
            result = fold_presence(logged(row).record() for row in rows)
            for nonce, effect in result.effects.items():
                row = by_nonce[nonce]
                winner = by_nonce.get(result.conflicts_with.get(nonce) or "")
                if (
                    effect != Effect.CONFLICT
                    or row.action != Action.CHECK_IN.value
                    or winner is None
                    or row.note is not None
                ):
                    continue
                data = {"time": winner.door_time, "station": winner.station or None}
                conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.nonce == nonce)
                    .values(note=ChangeNote.SUPERSEDED.value, note_data=dumps(data))
                )

    # -- the other doors, as last heard ---------------------------------------------

    def note_peer(
        self,
        door_id: str,
        station: str,
        *,
        address: str | None = None,
        heard: datetime | None = None,
        clock_offset_ms: int | None = None,
        problem: str | None = None,
    ) -> None:
        values: dict[str, Any] = {"station": station, "problem": problem}
        if address is not None:
            values["address"] = address
        if heard is not None:
            values["last_heard"] = format_datetime(heard)
        if clock_offset_ms is not None:
            values["clock_offset_ms"] = clock_offset_ms
        with self._db.write(durable=False) as conn:
            found = conn.execute(update(PEERS).where(PEERS.c.door_id == door_id).values(**values))
            if found.rowcount == 0:
                conn.execute(insert(PEERS).values(door_id=door_id, **values))

    def peers(self) -> list[PeerRecord]:
        with self._db.read() as conn:
            rows = conn.execute(select(PEERS).order_by(PEERS.c.station)).all()
        return [
            PeerRecord(
                door_id=r.door_id,
                station=r.station,
                address=r.address,
                last_heard=parse_datetime(r.last_heard) if r.last_heard else None,
                clock_offset_ms=r.clock_offset_ms,
                problem=r.problem,
            )
            for r in rows
            if r.door_id != self.door_id
        ]


def logged(row: Any) -> LoggedChange:
    door_time = parse_datetime(row.door_time)
    assert door_time is not None
    return LoggedChange(
        origin=row.origin,
        seq=row.origin_seq,
        nonce=row.nonce,
        guest_id=row.guest_id,
        action=Action(row.action),
        door_time=door_time,
        station=row.station,
        target_nonce=row.target_nonce,
        parent_id=row.parent_id,
        fields=json.loads(row.fields) if row.fields else None,
    )
