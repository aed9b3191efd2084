"""Arrivals per 5 minutes, inside now and per station, with this door's changes in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from doorcheck.domain.changes import Action
from doorcheck.domain.verdict import Mode
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
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
