"""Inside per zone as a door counts it: the server's plan, a zone set at this door
and zones other doors said they are in; changes waiting and learned from doors in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from doorcheck.domain.changes import Action
from doorcheck.domain.occupancy import CheckOutTime, DoorZone, Fill, Zone, ZonePlan
from doorcheck.domain.verdict import Mode
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from doorcheck.store.zones import SERVER_PLAN
from tests.support import full_sync, wire

# A store of the test's kind, plain or encrypted (conftest.py).
OpenStore = Callable[[Path], LocalStore]

CAME = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)  # yesterday: the door's own changes come after


def inside_at(station: str) -> dict[str, Any]:
    return {"checkInDateTime": CAME.isoformat(), "checkInStationName": station}


@pytest.fixture
def store(open_store: OpenStore, tmp_path: Path) -> LocalStore:
    store = open_store(tmp_path / "door.sqlite3")
    full_sync(
        store,
        [
            wire("a", "A", "Ann", "A", **inside_at("Main Entrance")),
            wire("b", "B", "Ben", "B", **inside_at("Main Entrance")),
            wire("c", "C", "Cem", "C", **inside_at("Side Door")),
            wire("d", "D", "Dan", "D", **inside_at("Terrace")),
            wire("e", "E", "Eve", "E"),
            wire("f", "F", "Fay", "F"),
        ],
    )
    store.zones.set_server_plan(
        ZonePlan((Zone("Ballroom", 4, ("Main Entrance", "Side Door")),), capacity=10)
    )
    return store


def zones(store: LocalStore) -> dict[str, int]:
    return {z.name: z.inside for z in store.statistics().occupancy.zones}


def test_the_servers_plan_counts_who_came_in_at_its_stations(store: LocalStore) -> None:
    counted = store.statistics().occupancy
    assert zones(store) == {"Ballroom": 3}
    assert counted.zones[0].fill == Fill.NORMAL  # 3 of 4: 75 %, below the warning
    assert counted.elsewhere == 1  # the Terrace is in no zone
    assert (counted.inside, counted.capacity) == (4, 10)


def test_this_doors_check_ins_and_check_outs_count_at_once(store: LocalStore) -> None:
    door = CheckInService(store, "Side Door", Mode.TOGGLE)
    door.scan("E")  # in through the Side Door
    door.act("a", Action.CHECK_OUT)  # Ann leaves
    assert zones(store) == {"Ballroom": 3}
    door.scan("F")
    assert zones(store) == {"Ballroom": 4}
    assert store.statistics().occupancy.zones[0].fill == Fill.ALERT


def test_a_zone_set_at_this_door_and_one_a_peer_told_are_counted(store: LocalStore) -> None:
    store.zones.set_door_zone("Side Door", DoorZone("Garden", 2))
    store.log.note_peer("d" * 32, "Terrace", zone=DoorZone("Garden"))
    assert zones(store) == {"Ballroom": 2, "Garden": 2}
    garden = next(z for z in store.statistics().occupancy.zones if z.name == "Garden")
    assert garden.capacity == 2  # this door's own setting holds
    assert store.statistics().occupancy.elsewhere == 0
    assert store.log.peers()[0].zone == DoorZone("Garden")


def test_a_change_learned_from_another_door_counts_in_its_zone(store: LocalStore) -> None:
    other = LocalStore.open(store.path.parent / "other.sqlite3", store.db.key)
    full_sync(other, [wire("e", "E", "Eve", "E")])
    CheckInService(other, "Main Entrance", Mode.CHECK_IN).scan("E")
    store.log.accept(other.log.after({}))
    assert zones(store) == {"Ballroom": 4}
    other.close()


def test_an_unreadable_saved_plan_counts_without_zones(store: LocalStore) -> None:
    store.set_state(SERVER_PLAN, '{"zones": [{"name": ""}]}')
    counted = store.statistics().occupancy
    assert counted.zones == ()
    assert counted.inside == 4  # everyone is still counted in all


def test_a_peers_unreadable_zone_counts_as_none(store: LocalStore) -> None:
    store.log.note_peer("d" * 32, "Terrace", zone=DoorZone("Garden"))
    with store.write() as conn:
        conn.exec_driver_sql("UPDATE peers SET zone = '{\"zone\": 5}'")
    assert store.log.peers()[0].zone is None
    assert zones(store) == {"Ballroom": 3}


def test_check_out_everyone_takes_out_exactly_who_is_inside(store: LocalStore) -> None:
    door = CheckInService(store, "Exit", Mode.CHECK_OUT)
    CheckInService(store, "Side Door", Mode.TOGGLE).scan("E")  # waiting check-in counts
    CheckInService(store, "Side Door", Mode.TOGGLE).act("a", Action.CHECK_OUT)  # already out
    assert door.check_out_everyone() == 4  # b, c, d and e
    assert store.statistics().inside == 0
    assert store.status().pending == 2 + 4
    assert door.check_out_everyone() == 0  # nobody left to check out


def test_a_check_in_station_does_not_check_everyone_out(store: LocalStore) -> None:
    with pytest.raises(ValueError, match="check-in station"):
        CheckInService(store, "Main Entrance", Mode.CHECK_IN).check_out_everyone()
    assert store.statistics().inside == 4


def test_the_daily_check_out_time_starts_counting_when_it_is_set(store: LocalStore) -> None:
    now = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    store.zones.set_check_out_time(CheckOutTime.parse("04:00"), now)
    at = store.zones.check_out_time()
    assert at is not None and at.text() == "04:00"
    assert at.due(now, store.zones.check_out_done()) is None
    assert at.due(now + timedelta(hours=13, minutes=1), store.zones.check_out_done())
    store.zones.set_check_out_time(None, now)
    assert store.zones.check_out_time() is None
