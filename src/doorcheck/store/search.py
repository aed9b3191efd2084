"""Search: guests by the words typed, over the FTS5 index (store/search_index.py)."""

from __future__ import annotations

from sqlalchemy import select, text

from doorcheck.domain.textfold import fold
from doorcheck.store.outbox import overlay_all
from doorcheck.store.rows import guest_from_raw
from doorcheck.store.schema import GuestRow
from doorcheck.store.transactions import Database
from doorcheck.views import SearchHit, SearchHits

GUESTS = GuestRow.__table__  # type: ignore[attr-defined]

_RANKED_AT_MOST = 1000


class GuestSearch:
    def __init__(self, db: Database) -> None:
        self._db = db

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
        with self._db.read() as conn:
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
            shown = overlay_all(conn, [guest_from_raw(r.raw) for r in rows])
            hits = zip(shown, rows, strict=True)
            return SearchHits(
                (SearchHit(guest, names.get(r.parent_id)) for guest, r in hits), broad=broad
            )
