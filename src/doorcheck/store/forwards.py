"""The forward queue: guests' profiles waiting to go to a destination (Event Cadence)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, insert, select, update

from doorcheck.domain.guest import Guest
from doorcheck.store.guests import GuestCopies
from doorcheck.store.outbox import OUTBOX, OutboxState
from doorcheck.store.schema import ForwardRow
from doorcheck.store.state import SyncState
from doorcheck.store.transactions import Database, now_text

FORWARDS = ForwardRow.__table__  # type: ignore[attr-defined]


class ForwardQueue:
    def __init__(self, db: Database, state: SyncState, copies: GuestCopies) -> None:
        self._db = db
        self._state = state
        self._copies = copies

    def enqueue(self, destination: str, build: Callable[[Guest], str | None]) -> int:
        """Queue a profile for every check-in and walk-in recorded since the last
        call (the outbox's order), in one transaction with the position reached, so
        none is queued twice or lost. ``build`` returns the payload as JSON, or None
        to hold it back (the reason is its MissingEmailError text, raised)."""
        key = f"forwarded_seq:{destination}"
        created = now_text()
        queued = 0
        with self._db.write() as conn:
            done = int(self._state.get(key, conn) or 0)
            rows = conn.execute(
                select(OUTBOX.c.seq, OUTBOX.c.guest_id)
                .where(
                    OUTBOX.c.seq > done,
                    OUTBOX.c.action.in_(("checkIn", "addCompanion")),
                    OUTBOX.c.state != OutboxState.REJECTED.value,
                )
                .order_by(OUTBOX.c.seq)
            ).all()
            for seq, guest_id in rows:
                view = self._copies.guest_by_id(guest_id, conn)
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
                self._state.set({key: str(max(done, rows[-1][0]))}, conn)
        return queued

    def pending(self, destination: str, limit: int = 50) -> list[tuple[int, str]]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(FORWARDS.c.id, FORWARDS.c.payload)
                .where(FORWARDS.c.destination == destination, FORWARDS.c.state == "pending")
                .order_by(FORWARDS.c.id)
                .limit(limit)
            ).all()
        return [(int(r.id), str(r.payload)) for r in rows]

    def answer(self, forward_id: int, state: str, error: str | None = None) -> None:
        with self._db.write() as conn:
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

    def counts(self, destination: str) -> dict[str, int]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(FORWARDS.c.state, func.count())
                .where(FORWARDS.c.destination == destination)
                .group_by(FORWARDS.c.state)
            ).all()
        return {str(state): int(count) for state, count in rows}

    def problems(self, destination: str) -> list[tuple[str, str]]:
        """(guest name, why) for profiles held back."""
        with self._db.read() as conn:
            rows = conn.execute(
                select(FORWARDS.c.guest_id, FORWARDS.c.last_error).where(
                    FORWARDS.c.destination == destination,
                    FORWARDS.c.state == "held",
                )
            ).all()
            found = []
            for guest_id, error in rows:
                view = self._copies.guest_by_id(guest_id, conn)
                found.append((view.guest.display_name if view else guest_id, str(error or "")))
        return found
