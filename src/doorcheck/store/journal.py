"""The scan journal: every code read at this door and what the door said."""

from __future__ import annotations

from sqlalchemy import Connection, insert

from doorcheck.store.schema import ScanRow
from doorcheck.store.transactions import now_text

SCANS = ScanRow.__table__  # type: ignore[attr-defined]


class ScanJournal:
    """Written only inside the caller's transaction: a scan's check-in and its
    journal line commit together."""

    def record(
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
