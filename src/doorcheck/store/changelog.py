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
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from doorcheck.domain.changes import Action, ChangeNote, Effect, fold_presence
from doorcheck.domain.guest import Guest, RegistrationState
from doorcheck.domain.occupancy import DoorZone, PlanError
from doorcheck.domain.replication import LoggedChange, Vector, intake
from doorcheck.domain.timeutil import format_datetime, parse_datetime, to_utc
from doorcheck.store.guests import GUESTS, GuestCopies
from doorcheck.store.outbox import OUTBOX, Outbox, OutboxState
from doorcheck.store.schema import PeerRow
from doorcheck.store.transactions import Database, dumps, now_text

PEERS = PeerRow.__table__  # type: ignore[attr-defined]

log = logging.getLogger(__name__)

# A change dated further ahead of this laptop than this is from a door whose date is
# wrong; the reference server refuses door times a day ahead of its clock too.
FUTURE_LIMIT = timedelta(days=1)


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
    zone: DoorZone | None = None  # the zone it said it is in (docs/occupancy.md)


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

    def newest(self) -> int:
        """The number of the newest change in this store (any origin): a cheap look
        whether anything was written since."""
        with self._db.read() as conn:
            return int(conn.execute(select(func.coalesce(func.max(OUTBOX.c.seq), 0))).scalar_one())

    def top(self, origin: str) -> int:
        """How many of ``origin``'s changes this door holds (one indexed look)."""
        with self._db.read() as conn:
            return self._tops(conn, (origin,)).get(origin, 0)

    def after(
        self, vector: Vector, limit: int = 1000, origins: Sequence[str] | None = None
    ) -> list[LoggedChange]:
        """What this door holds beyond ``vector``, per origin in order, at most ``limit``
        (of ``origins`` only, if given)."""
        found: list[LoggedChange] = []
        with self._db.read() as conn:
            held = self.vector(conn) if origins is None else self._tops(conn, origins)
            for origin, top in sorted(held.items()):
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

    @staticmethod
    def _tops(conn: Connection, origins: Sequence[str]) -> dict[str, int]:
        tops = {}
        for origin in origins:
            top = conn.execute(
                select(func.max(OUTBOX.c.origin_seq)).where(OUTBOX.c.origin == origin)
            ).scalar()
            if top is not None:
                tops[origin] = int(top)
        return tops

    def accept(self, offered: Iterable[LoggedChange]) -> Accepted:
        """Take what extends this door's prefixes, in one transaction."""
        offered = list(offered)
        # Only the offered changes' origins matter to the intake: their newest numbers,
        # one indexed look each, not the whole log's vector (a GROUP BY over it).
        origins = sorted({c.origin for c in offered})
        # A batch of changes all held already (another door passing on what this one
        # has) is answered from a read: a write transaction would take the store's
        # write lock, and a scan at this door waits for that lock.
        with self._db.read() as conn:
            held = self._tops(conn, origins)
            plan = intake(held, offered)
            if not plan.take:
                differing = self._differing(conn, held, offered)
                return Accepted([], plan.held - differing, plan.gaps, differing)
        # Not waiting for the disk: a change from another door is held durably by the
        # door that made it, and a door killed (even SIGKILL) keeps what the OS has;
        # only a power cut could take the last few, and the vector read at the next
        # start then says so, and the catch-up brings them again. A door's own changes
        # are durable before its screen turns green (services.checkin).
        with self._db.write(durable=False) as conn:
            # Read again under the lock: another writer may have taken some meanwhile.
            vector = self._tops(conn, origins)
            plan = intake(vector, offered)
            differing = self._differing(conn, vector, offered)
            if not plan.take:
                return Accepted([], plan.held - differing, plan.gaps, differing)
            nonces = [c.nonce for c in plan.take]
            known = set(
                conn.execute(select(OUTBOX.c.nonce).where(OUTBOX.c.nonce.in_(nonces))).scalars()
            )
            taken: list[LoggedChange] = []
            stopped: set[str] = set()
            for change in plan.take:
                if change.origin in stopped:
                    continue  # an earlier one of this origin was refused: a gap now
                if change.origin == self.door_id:
                    # Only this door makes its own changes; one "of ours" from outside
                    # would stand as a check-in never made here.
                    log.warning("a change under this door's own name came from another; refused")
                    stopped.add(change.origin)
                    continue
                if change.nonce in known:
                    log.warning("a change from door %r reuses a known nonce; refused",
                                change.origin[:32])  # fmt: skip
                    stopped.add(change.origin)
                    continue
                taken.append(change)
            gaps = plan.gaps | stopped
            self._insert(conn, taken)
            self._note_conflicts(conn, {c.guest_id for c in taken})
        refused = len(plan.take) - len(taken) + differing
        return Accepted(taken, plan.held - differing, frozenset(gaps), refused)

    @staticmethod
    def _differing(conn: Connection, vector: Vector, offered: list[LoggedChange]) -> int:
        """Offered changes whose origin and number this door holds under another nonce:
        a door restored from an old backup numbering again, or a door of the event
        forging another's changes. The one held first stays (every door keeps the one
        it met first; docs/peers.md says what that means); the other is refused, and
        said so, never taken for "already held"."""
        numbered = [c for c in offered if c.seq <= vector.get(c.origin, 0)]
        differing = 0
        for change in numbered:
            held = conn.execute(
                select(OUTBOX.c.nonce).where(
                    OUTBOX.c.origin == change.origin, OUTBOX.c.origin_seq == change.seq
                )
            ).scalar()
            if held is not None and held != change.nonce:
                differing += 1
                log.warning("door %r numbered two changes %d; the one held first stays, the "
                            "other is refused", change.origin[:32], change.seq)  # fmt: skip
        return differing

    def _insert(self, conn: Connection, changes: Sequence[LoggedChange]) -> None:
        if not changes:
            return
        seq = conn.execute(select(func.coalesce(func.max(OUTBOX.c.seq), 0))).scalar_one()
        created = now_text()
        latest = datetime.now(UTC) + FUTURE_LIMIT
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
                    # Made at a door whose date is wrong by more than the server takes
                    # (a day ahead): kept, so the door's later changes still follow,
                    # but not counted here (nor by the server, which refuses it).
                    "state": (
                        OutboxState.REJECTED.value
                        if to_utc(c.door_time) > latest
                        else OutboxState.PENDING.value
                    ),
                    "note": ChangeNote.CLOCK_AHEAD.value if to_utc(c.door_time) > latest else None,
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
        # One query for the guests of a batch (a catch-up brings 1,000 changes), and a
        # fold only for a guest with two or more changes.
        by_guest: dict[str, list[Any]] = {}
        ids = sorted(guest_ids)
        for start in range(0, len(ids), 500):
            for row in conn.execute(
                select(OUTBOX).where(
                    OUTBOX.c.guest_id.in_(ids[start : start + 500]),
                    OUTBOX.c.state != OutboxState.REJECTED.value,
                )
            ):
                by_guest.setdefault(row.guest_id, []).append(row)
        for rows in by_guest.values():
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

    def note_peers(self, peers: Iterable[PeerRecord]) -> None:
        """What this door last heard of the other doors, in one transaction."""
        with self._db.write(durable=False) as conn:
            for peer in peers:
                self._note(conn, peer.door_id, peer.station, address=peer.address,
                           heard=peer.last_heard, clock_offset_ms=peer.clock_offset_ms,
                           problem=peer.problem, zone=peer.zone)  # fmt: skip

    def note_peer(
        self,
        door_id: str,
        station: str,
        *,
        address: str | None = None,
        heard: datetime | None = None,
        clock_offset_ms: int | None = None,
        problem: str | None = None,
        zone: DoorZone | None = None,
    ) -> None:
        with self._db.write(durable=False) as conn:
            self._note(conn, door_id, station, address=address, heard=heard,
                       clock_offset_ms=clock_offset_ms, problem=problem,
                       zone=zone)  # fmt: skip

    @staticmethod
    def _note(
        conn: Connection,
        door_id: str,
        station: str,
        *,
        address: str | None,
        heard: datetime | None,
        clock_offset_ms: int | None,
        problem: str | None,
        zone: DoorZone | None = None,
    ) -> None:
        values: dict[str, Any] = {"station": station, "problem": problem}
        if zone is not None:
            values["zone"] = json.dumps(zone.to_json())
        if address is not None:
            values["address"] = address
        if heard is not None:
            values["last_heard"] = format_datetime(heard)
        if clock_offset_ms is not None:
            values["clock_offset_ms"] = clock_offset_ms
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
                zone=stored_zone(r.zone),
            )
            for r in rows
            if r.door_id != self.door_id
        ]


def stored_zone(text: str | None) -> DoorZone | None:
    """A peer's zone as stored; one that does not read (an older or damaged row)
    counts as none: the door then counts that door's guests under no zone."""
    if not text:
        return None
    try:
        return DoorZone.from_json(json.loads(text))
    except (ValueError, PlanError):
        return None


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
