"""Arrivals per 5 minutes, inside now and per station, with this door's changes in."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from doorcheck.domain.changes import Action
from doorcheck.domain.verdict import Mode
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from doorcheck.store.schema import PRESENCE_INDEX
from doorcheck.views import StationCount
from tests.support import full_sync, wire

# A store of the test's kind, plain or encrypted (conftest.py).
OpenStore = Callable[[Path], LocalStore]


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 11, 21, hour, minute, second, tzinfo=UTC)


def visited(
    guest_id: str, came: datetime, station: str, left: datetime | None = None, out: str = ""
) -> dict[str, Any]:
    return {
        "checkInDateTime": came.isoformat(),
        "checkInStationName": station,
        "checkOutDateTime": left.isoformat() if left else None,
        "checkOutStationName": out or None,
    }


def test_counts_come_from_the_server_copies_and_this_doors_changes(
    open_store: OpenStore, tmp_path: Path
) -> None:
    store = open_store(tmp_path / "door.sqlite3")
    full_sync(
        store,
        [
            wire("a", "A", "Ann", "A", **visited("a", at(18, 1), "Main Entrance")),
            wire("b", "B", "Ben", "B", **visited("b", at(18, 4, 59), "Main Entrance")),
            wire("c", "C", "Cem", "C", **visited("c", at(18, 5), "Side Door")),
            # Came and went: an arrival, not inside, a departure through Exit.
            wire("d", "D", "Dan", "D", **visited("d", at(18, 7), "Side Door", at(19, 0), "Exit")),
            wire("e", "E", "Eve", "E"),
            wire("f", "F", "Fay", "F"),
            # Deleted guests count nowhere.
            wire(
                "x",
                "X",
                "Xi",
                "X",
                deleteDateTime=at(17, 0).isoformat(),
                **visited("x", at(18, 2), "Main Entrance"),
            ),
        ],
    )
    door = CheckInService(store, "Cloakroom", Mode.TOGGLE, clock=lambda: at(18, 21))
    door.scan("E")  # pending check-in at 18:21 through the Cloakroom
    door.act("a", Action.CHECK_OUT)  # pending check-out of a server check-in

    stats = store.statistics()

    assert stats.guests == 6
    assert stats.inside == 3  # b, c (server) + e (pending); a and d left
    assert stats.arrivals == [(at(18, 0), 2), (at(18, 5), 2), (at(18, 20), 1)]
    assert stats.stations == [
        StationCount("Cloakroom", arrivals=1, departures=1, inside=1),  # e
        StationCount("Exit", arrivals=0, departures=1, inside=0),
        StationCount("Main Entrance", arrivals=2, departures=0, inside=1),  # b; a left
        StationCount("Side Door", arrivals=2, departures=0, inside=1),  # c; d left
    ]
    assert store.status().checked_in == stats.inside
    # The store watcher's single read gives the same status and statistics.
    status, together = store.status_and_statistics()
    assert together == stats and status == store.status()
    store.close()


def test_an_empty_store_has_empty_statistics(open_store: OpenStore, tmp_path: Path) -> None:
    store = open_store(tmp_path / "door.sqlite3")
    stats = store.statistics()
    assert (stats.arrivals, stats.inside, stats.guests, stats.stations) == ([], 0, 0, [])
    store.close()


def plans_of_reads(store: LocalStore, read: Callable[[], object]) -> dict[str, list[str]]:
    """Each statement ``read`` runs that reads guests, with SQLite's plan for it (the
    detail column of EXPLAIN QUERY PLAN, one line per step)."""
    statements: list[tuple[str, Any]] = []

    def note(*args: Any) -> None:
        statement, parameters = args[2], args[3]
        if "guests" in statement:
            statements.append((statement, parameters))

    event.listen(store.db.engine, "before_cursor_execute", note)
    try:
        read()
    finally:
        event.remove(store.db.engine, "before_cursor_execute", note)
    with store.db.engine.connect() as conn:
        return {
            statement: [
                str(row[3])
                for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            ]
            for statement, parameters in statements
        }


def test_status_and_statistics_count_from_the_presence_index_not_the_table(
    open_store: OpenStore, tmp_path: Path
) -> None:
    # The window's tick every two seconds: rows carry each guest's JSON, so a count
    # that scans the table reads (and on an encrypted door decrypts) every page of
    # it. The counts must come from the covering index (migration 0008); only the
    # few guests with changes waiting are looked up, by id.
    store = open_store(tmp_path / "door.sqlite3")
    # A first full sync pauses the secondary indexes and builds them at its end.
    full_sync(
        store,
        [
            wire("a", "A", "Ann", "A", **visited("a", at(18, 1), "Main Entrance")),
            wire("b", "B", "Ben", "B"),
        ],
    )
    door = CheckInService(store, "Cloakroom", Mode.TOGGLE, clock=lambda: at(18, 21))
    door.scan("B")  # a change waiting: the lookups of waiting guests run too

    def inside_ids() -> None:
        with store.db.read() as conn:
            store.reports.inside_ids(conn)

    for read in (store.status, store.statistics, store.status_and_statistics, inside_ids):
        plans = plans_of_reads(store, read)
        assert plans, read
        for statement, plan in plans.items():
            guest_steps = [step for step in plan if re.search(r"\bguests\b", step)]
            # Never the whole table: at most the covering index, whole. (SQLite
            # before 3.36 says "SCAN TABLE guests".)
            assert not any(
                re.match(r"SCAN (TABLE )?guests\b", step) and "COVERING INDEX" not in step
                for step in guest_steps
            ), (statement, plan)
            if "count(" in statement:
                assert any(PRESENCE_INDEX in step for step in guest_steps), (statement, plan)
                assert all("COVERING INDEX" in step for step in guest_steps), (statement, plan)
    store.close()
