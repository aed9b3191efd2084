"""The badge print log (issue 15): each badge this door printed or tried to.

A print is *claimed* before it starts, in one write transaction that first looks
whether the guest's badge is printed or on its way: with auto-print "once", two
scans of one ticket a moment apart (or a scan after a restart) find the first
claim and print nothing. A claim that ends in a failure no longer counts, so the
next check-in tries again; one interrupted by a crash stays "printing" and counts
as printed (the job may have reached the printer): staff reprint from the guest's
details if it did not.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select, update

from doorcheck.store.schema import BadgePrintRow
from doorcheck.store.transactions import Database, now_text

BADGE_PRINTS = BadgePrintRow.__table__  # type: ignore[attr-defined]

PRINTING = "printing"
PRINTED = "printed"
FAILED = "failed"
# What "once" looks for: printed, or on its way.
COUNTS_AS_PRINTED = (PRINTING, PRINTED)


@dataclass(frozen=True, slots=True)
class BadgePrint:
    id: int
    guest_id: str
    time: str
    printer: str
    result: str
    error: str | None


class BadgePrints:
    def __init__(self, db: Database) -> None:
        self._db = db

    def claim(self, guest_id: str, printer: str, *, unless_printed: bool) -> int | None:
        """Log a print about to start, and return its id; with ``unless_printed``,
        None (and nothing logged) if the guest's badge is printed or on its way."""
        with self._db.write() as conn:
            if unless_printed:
                found = conn.execute(
                    select(BADGE_PRINTS.c.id)
                    .where(
                        BADGE_PRINTS.c.guest_id == guest_id,
                        BADGE_PRINTS.c.result.in_(COUNTS_AS_PRINTED),
                    )
                    .limit(1)
                ).first()
                if found is not None:
                    return None
            inserted = conn.execute(
                insert(BADGE_PRINTS).values(
                    guest_id=guest_id, time=now_text(), printer=printer, result=PRINTING
                )
            )
            key = inserted.inserted_primary_key
            return int(key[0]) if key else None

    def finish(self, print_id: int, *, printer: str, error: str | None) -> None:
        """The claimed print's end: printed, or failed with why."""
        with self._db.write() as conn:
            conn.execute(
                update(BADGE_PRINTS)
                .where(BADGE_PRINTS.c.id == print_id)
                .values(printer=printer, result=FAILED if error else PRINTED, error=error)
            )

    def history(self, guest_id: str | None = None, limit: int = 100) -> list[BadgePrint]:
        """The newest prints first, of one guest or of all."""
        query = select(BADGE_PRINTS).order_by(BADGE_PRINTS.c.id.desc()).limit(limit)
        if guest_id is not None:
            query = query.where(BADGE_PRINTS.c.guest_id == guest_id)
        with self._db.read() as conn:
            rows = conn.execute(query).all()
        return [
            BadgePrint(int(r.id), str(r.guest_id), str(r.time), str(r.printer), str(r.result),
                       r.error)
            for r in rows
        ]  # fmt: skip

    def printed(self, guest_id: str) -> bool:
        return any(p.result in COUNTS_AS_PRINTED for p in self.history(guest_id))
