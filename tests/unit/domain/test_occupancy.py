"""Zones, capacities and the daily check-out time: counted right, and a plan from
outside (a server, a peer, a typed command) checked before anything uses it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doorcheck.domain.occupancy import (
    MAX_CAPACITY,
    MAX_STATIONS,
    MAX_ZONES,
    CheckOutTime,
    DoorZone,
    Fill,
    PlanError,
    Zone,
    ZonePlan,
    effective_plan,
    fill_of,
    occupancy,
)

PLAN = ZonePlan(
    (
        Zone("Ballroom", 100, ("Main Entrance", "Side Door")),
        Zone("VIP Lounge", 10, ("VIP Lounge",)),
    ),
    capacity=120,
)


@pytest.mark.parametrize(
    ("inside", "capacity", "fill"),
    [
        (0, None, Fill.UNKNOWN),
        (79, 100, Fill.NORMAL),
        (80, 100, Fill.WARNING),
        (94, 100, Fill.WARNING),
        (95, 100, Fill.ALERT),
        (130, 100, Fill.ALERT),  # over capacity (a door admitted offline) is still alert
        (7, 9, Fill.NORMAL),  # 77.7 %: not rounded up into a warning
        (8, 9, Fill.WARNING),  # 88.8 %
        (9, 9, Fill.ALERT),
    ],
)
def test_fill_warns_at_80_and_alerts_at_95_percent(
    inside: int, capacity: int | None, fill: Fill
) -> None:
    assert fill_of(inside, capacity) == fill


def test_inside_is_counted_per_zone_by_the_station_guests_came_in_at() -> None:
    counted = occupancy({"Main Entrance": 50, "Side Door": 35, "VIP Lounge": 10, "Bar": 3}, PLAN)
    assert [(z.name, z.inside) for z in counted.zones] == [("Ballroom", 85), ("VIP Lounge", 10)]
    assert counted.inside == 98
    assert counted.elsewhere == 3  # the Bar is in no zone, still inside in all
    assert counted.zones[0].fill == Fill.WARNING
    assert counted.zones[1].fill == Fill.ALERT
    assert counted.fill == Fill.WARNING  # 98 of 120
    assert counted.worst == Fill.ALERT
    assert counted.zones[0].percent == 85


def test_a_zone_nobody_entered_is_shown_empty() -> None:
    counted = occupancy({}, PLAN)
    assert [(z.name, z.inside) for z in counted.zones] == [("Ballroom", 0), ("VIP Lounge", 0)]
    assert counted.inside == 0


def test_a_zone_set_at_a_door_moves_its_station_out_of_the_servers_zone() -> None:
    plan = effective_plan(PLAN, [("Side Door", DoorZone("Garden", 40))])
    assert plan.zone_of("Side Door") == "Garden"
    assert plan.zone_of("Main Entrance") == "Ballroom"
    garden = next(z for z in plan.zones if z.name == "Garden")
    assert garden.capacity == 40
    counted = occupancy({"Main Entrance": 5, "Side Door": 7}, plan)
    assert {z.name: z.inside for z in counted.zones} == {
        "Ballroom": 5,
        "VIP Lounge": 0,
        "Garden": 7,
    }


def test_a_door_joining_a_known_zone_keeps_its_capacity_unless_it_sets_one() -> None:
    kept = effective_plan(PLAN, [("Cloakroom", DoorZone("Ballroom"))])
    ballroom = next(z for z in kept.zones if z.name == "Ballroom")
    assert ballroom.capacity == 100
    assert "Cloakroom" in ballroom.stations
    changed = effective_plan(PLAN, [("Cloakroom", DoorZone("Ballroom", 150))])
    assert next(z for z in changed.zones if z.name == "Ballroom").capacity == 150


def test_a_plan_survives_its_json() -> None:
    assert ZonePlan.from_json(PLAN.to_json()) == PLAN
    assert ZonePlan.from_json(None) == ZonePlan()
    assert ZonePlan.from_json({"zones": None}).empty


@pytest.mark.parametrize(
    "bad",
    [
        "a list please",
        {"zones": "Ballroom"},
        {"zones": [{"name": ""}]},
        {"zones": [{"name": "x" * 101}]},
        {"zones": [{"name": "Bad\u202eEvil"}]},  # right-to-left override: shown reversed
        {"zones": [{"name": "Line\nbreak"}]},
        {"zones": [{"name": 7}]},
        {"zones": [{"name": "A"}, {"name": "A"}]},
        {"zones": [{"name": "A", "capacity": 0}]},
        {"zones": [{"name": "A", "capacity": -5}]},
        {"zones": [{"name": "A", "capacity": 1.5}]},
        {"zones": [{"name": "A", "capacity": True}]},
        {"zones": [{"name": "A", "capacity": MAX_CAPACITY + 1}]},
        {"zones": [{"name": "A", "stations": "Main Entrance"}]},
        {"zones": [{"name": "A", "stations": [None]}]},
        {"zones": [{"name": f"Z{i}"} for i in range(MAX_ZONES + 1)]},
        {"zones": [{"name": "A", "stations": [f"S{i}" for i in range(MAX_STATIONS + 1)]}]},
        {"capacity": "lots"},
    ],
)
def test_a_hostile_or_broken_plan_is_refused_with_a_reason(bad: Any) -> None:
    with pytest.raises(PlanError):
        ZonePlan.from_json(bad)


def test_a_station_named_in_two_zones_belongs_to_the_first() -> None:
    plan = ZonePlan.from_json(
        {"zones": [{"name": "A", "stations": ["Gate"]}, {"name": "B", "stations": ["Gate"]}]}
    )
    assert plan.zone_of("Gate") == "A"
    assert occupancy({"Gate": 4}, plan).zones[1].inside == 0  # counted once


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=30,
)


@given(st.dictionaries(st.sampled_from(["zones", "capacity", "other"]), json_values))
def test_any_json_gives_a_plan_or_a_plan_error(value: dict[str, Any]) -> None:
    try:
        plan = ZonePlan.from_json(value)
    except PlanError:
        return
    # A plan that passed counts without error and round-trips.
    assert ZonePlan.from_json(plan.to_json()) == plan
    occupancy({station: 1 for zone in plan.zones for station in zone.stations}, plan)


@given(
    st.dictionaries(st.sampled_from(["A", "B", "C", "D"]), st.integers(0, 1000)),
    st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.sampled_from(["X", "Y"]))),
)
def test_every_guest_inside_is_counted_in_exactly_one_zone_or_elsewhere(
    inside_by_station: dict[str, int], moves: list[tuple[str, str]]
) -> None:
    plan = effective_plan(ZonePlan(), [(station, DoorZone(zone)) for station, zone in moves])
    counted = occupancy(inside_by_station, plan)
    assert sum(z.inside for z in counted.zones) + counted.elsewhere == counted.inside
    assert counted.inside == sum(inside_by_station.values())


# -- the daily check-out -------------------------------------------------------------


def test_a_check_out_time_is_read_as_hours_and_minutes() -> None:
    assert CheckOutTime.parse("4:00").at == time(4, 0)
    assert CheckOutTime.parse(" 23:59 ").text() == "23:59"
    for bad in ("24:00", "12:60", "noon", "12", "1:2", "-1:00", ""):
        with pytest.raises(PlanError):
            CheckOutTime.parse(bad)


def test_the_check_out_is_due_once_after_its_time_and_not_before() -> None:
    zone = timezone(timedelta(hours=1))
    reset = CheckOutTime.parse("04:00")
    set_at = datetime(2026, 11, 29, 15, 0, tzinfo=zone)  # set in the afternoon
    # Not at once for this morning's 04:00, which was before it was set.
    assert reset.due(set_at + timedelta(hours=1), set_at) is None
    assert reset.due(datetime(2026, 11, 30, 3, 59, tzinfo=zone), set_at) is None
    night = datetime(2026, 11, 30, 4, 0, 5, tzinfo=zone)
    due = reset.due(night, set_at)
    assert due == datetime(2026, 11, 30, 4, 0, tzinfo=zone)
    # Done: not again that day, but again the next night.
    assert reset.due(night + timedelta(hours=5), night) is None
    assert reset.due(night + timedelta(days=1), night) == due + timedelta(days=1)


def test_a_door_off_for_days_checks_out_once_when_it_comes_back() -> None:
    reset = CheckOutTime.parse("04:00")
    done = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
    back = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert reset.due(back, done) == datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
    assert reset.due(back, back) is None
