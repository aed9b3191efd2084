"""Reports: the store's status, the statistics screen, and the check-ins export.

Counted in SQL over the server's copies, then corrected for the few guests this door
has changes laid over (store/outbox.py), so a long list costs one query, not a fold
per guest.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection, Integer, Select, cast, func, select

from doorcheck.domain.guest import Guest
from doorcheck.domain.occupancy import occupancy
from doorcheck.domain.timeutil import parse_datetime
from doorcheck.store.outbox import IDS_PER_QUERY, OUTBOX, OutboxState, laid_over, overlay_all
from doorcheck.store.rows import guest_from_raw
from doorcheck.store.schema import GuestRow
from doorcheck.store.state import STATE, UNREADABLE
from doorcheck.store.transactions import Database
from doorcheck.store.zones import Zones
from doorcheck.views import BUCKET_MINUTES, StationCount, Statistics, StoreStatus

GUESTS = GuestRow.__table__  # type: ignore[attr-defined]


class Reports:
    def __init__(self, db: Database, zones: Zones) -> None:
        self._db = db
        self._zones = zones

    def status(self) -> StoreStatus:
        with self._db.read() as conn:
            guests, checked_in = self._presence_counts(conn)
            return self._status(conn, guests, checked_in)

    def status_and_statistics(self) -> tuple[StoreStatus, Statistics]:
        """Both in one read, the guests and who is inside counted once (the store
        watcher's tick every two seconds, off the GUI thread)."""
        with self._db.read() as conn:
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
            conn.execute(select(OUTBOX.c.guest_id).where(laid_over()).distinct()).scalars().all()
        )
        for start in range(0, len(waiting_ids), IDS_PER_QUERY):
            raws = conn.execute(
                select(GUESTS.c.raw).where(
                    GUESTS.c.id.in_(waiting_ids[start : start + IDS_PER_QUERY]), live
                )
            ).scalars()
            servers = [guest_from_raw(raw) for raw in raws]
            shown = overlay_all(conn, [replace(g) for g in servers])
            for server, shown_guest in zip(servers, shown, strict=True):
                checked_in += int(shown_guest.is_checked_in) - int(server.is_checked_in)
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
            pending=counts.get(OutboxState.PENDING.value, 0)
            + counts.get(OutboxState.SENT.value, 0),
            conflicts=counts.get(OutboxState.CONFLICT.value, 0),
            rejected=counts.get(OutboxState.REJECTED.value, 0),
            cursor=state.get("cursor"),
            last_sync=state.get("last_sync"),
            last_full_sync=state.get("last_full_sync"),
            last_error=state.get("last_error") or None,
            clock_skew_seconds=float(skew) if skew else None,
            unreadable=sum(1 for key in state if key.startswith(UNREADABLE)),
        )

    def guests_with_presence(self) -> list[Guest]:
        """Every guest who came or left, as this door knows it (pending changes in),
        for the export of check-ins."""
        with self._db.read() as conn:
            waiting = select(OUTBOX.c.guest_id).where(laid_over())
            came = GUESTS.c.check_in.is_not(None) | GUESTS.c.check_out.is_not(None)
            rows = conn.execute(
                select(GUESTS.c.raw)
                .where(GUESTS.c.delete_time.is_(None), came | GUESTS.c.id.in_(waiting))
                .order_by(GUESTS.c.check_in)
            ).scalars()
            return overlay_all(conn, [guest_from_raw(raw) for raw in rows])

    def inside_ids(self, conn: Connection) -> list[str]:
        """Every guest inside now, as this door knows it (waiting changes laid over),
        in the caller's transaction: whom the daily check-out checks out."""
        live = GUESTS.c.delete_time.is_(None)
        inside = GUESTS.c.check_in.is_not(None) & (
            GUESTS.c.check_out.is_(None) | (GUESTS.c.check_out < GUESTS.c.check_in)
        )
        waiting = select(OUTBOX.c.guest_id).where(laid_over())
        # Who is inside comes from the presence index alone, as row numbers; only
        # their rows are read for the ids (the index leaves ids out to stay small).
        inside_rows = select(GUESTS.c.rownum).where(live, inside, _not_waiting(waiting))
        found = list(
            conn.execute(select(GUESTS.c.id).where(GUESTS.c.rownum.in_(inside_rows))).scalars()
        )
        changed = conn.execute(select(GUESTS.c.raw).where(live, GUESTS.c.id.in_(waiting)))
        found.extend(
            guest.id
            for guest in overlay_all(conn, [guest_from_raw(raw) for raw in changed.scalars()])
            if guest.is_checked_in
        )
        return found

    def statistics(self) -> Statistics:
        """Arrivals per 5 minutes, inside now and per station, pending changes included.

        Counted in SQL over the server's copies, then corrected for the few guests
        this door has changes waiting for, as ``status`` does.
        """
        with self._db.read() as conn:
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
        inside_at: dict[str, int] = {}  # inside now, by the station they came in at
        # A subquery, not a list of ids: a long offline backlog stays one statement.
        waiting = select(OUTBOX.c.guest_id).where(laid_over())
        settled = live & _not_waiting(waiting)
        guests = conn.execute(select(func.count()).select_from(GUESTS).where(live)).scalar_one()
        # One pass over the arrived guests in the presence index, not one per figure:
        # grouped by everything the figures are counted by, summed up here.
        came_at, left_at = GUESTS.c.check_in_station, GUESTS.c.check_out_station
        for key, station, out_station, is_inside, count in conn.execute(
            select(bucket, came_at, left_at, inside, func.count())
            .where(settled, GUESTS.c.check_in.is_not(None))
            .group_by(bucket, came_at, left_at, inside)
        ):
            arrivals[key] = arrivals.get(key, 0) + count
            station = station or "?"
            came[station] = came.get(station, 0) + count
            if is_inside:
                inside_at[station] = inside_at.get(station, 0) + count
            else:
                out_station = out_station or "?"
                left[out_station] = left.get(out_station, 0) + count
        inside_now = sum(inside_at.values())
        changed = conn.execute(select(GUESTS.c.raw).where(live, GUESTS.c.id.in_(waiting)))
        for guest in overlay_all(conn, [guest_from_raw(raw) for raw in changed.scalars()]):
            if guest.check_in is None:
                continue
            key = _bucket_key(guest.check_in)
            arrivals[key] = arrivals.get(key, 0) + 1
            station = guest.check_in_station or "?"
            came[station] = came.get(station, 0) + 1
            if guest.is_checked_in:
                inside_now += 1
                inside_at[station] = inside_at.get(station, 0) + 1
            else:
                station = guest.check_out_station or "?"
                left[station] = left.get(station, 0) + 1
        buckets = []
        for key, count in sorted(arrivals.items()):
            start = parse_datetime(key + ":00+00:00")
            if start is not None:
                buckets.append((start, count))
        stations = [
            StationCount(name, came.get(name, 0), left.get(name, 0), inside_at.get(name, 0))
            for name in sorted(set(came) | set(left))
        ]
        counted = occupancy(inside_at, self._zones.plan(conn))
        return Statistics(buckets, int(inside_now), int(guests), stations, counted)


def _not_waiting(waiting: Select[tuple[str]]) -> ColumnElement[bool]:
    """Guests with no change of ``waiting`` laid over them, by row number: the
    presence index (schema.PRESENCE_INDEX) holds the row number, as every SQLite
    index does, and not the id, so ``id NOT IN`` would read the table for each guest.
    The few waiting guests' ids become row numbers through the unique index on ids."""
    waiting_rows = select(GUESTS.c.rownum).where(GUESTS.c.id.in_(waiting))
    not_waiting: ColumnElement[bool] = GUESTS.c.rownum.not_in(waiting_rows)
    return not_waiting


def _bucket_key(when: datetime) -> str:
    """The same text the SQL bucket makes: the UTC start of the 5-minute slot."""
    utc = when.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:}{utc.minute // BUCKET_MINUTES * BUCKET_MINUTES:02d}"
