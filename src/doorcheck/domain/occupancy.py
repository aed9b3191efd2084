"""Who is inside, per zone and in all, and how full each is (docs/occupancy.md).

A zone is a set of stations: a guest is inside a zone when their latest check-in was
at one of its stations and they have not checked out since. Every door of the mesh
holds every door's check-ins and check-outs (docs/peers.md), so each guest is counted
once, at whichever door the figures are read.

The zone plan comes from the server (``occupancy`` in the login answer,
docs/protocol.md) or is set at a door (``doorcheck zone``), and a door tells the
other doors its own zone in its hello, so a plan set at the doors reaches every
door. Everything here is plain data: the plan from outside is validated and bounded
before anything uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import IntEnum
from typing import Any

MAX_ZONES = 100
MAX_STATIONS = 1000  # stations named in a plan, all zones together
MAX_NAME = 100  # characters of a zone's or station's name
MAX_CAPACITY = 10_000_000

# The thresholds festivals alert at (reference/peers-printing-occupancy.md).
WARNING_PERCENT = 80
ALERT_PERCENT = 95

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class Fill(IntEnum):
    """How full a zone (or the event) is, against its capacity."""

    UNKNOWN = 0  # no capacity set
    NORMAL = 1
    WARNING = 2  # at least 80 %
    ALERT = 3  # at least 95 %


def fill_of(inside: int, capacity: int | None) -> Fill:
    if capacity is None or capacity <= 0:
        return Fill.UNKNOWN
    if inside * 100 >= capacity * ALERT_PERCENT:
        return Fill.ALERT
    if inside * 100 >= capacity * WARNING_PERCENT:
        return Fill.WARNING
    return Fill.NORMAL


def percent_of(inside: int, capacity: int | None) -> int | None:
    """Whole percent, rounded down: 79.9 % is not yet a warning's 80."""
    return inside * 100 // capacity if capacity else None


class PlanError(ValueError):
    """A zone plan (from the server, a peer or typed at the door) that cannot be used."""


def zone_name(value: object) -> str:
    """A zone's or station's name, checked: text, 1 to 100 characters, printable."""
    if not isinstance(value, str):
        raise PlanError("a zone or station name must be text")
    name = value.strip()
    if not name or len(name) > MAX_NAME:
        raise PlanError(f"a zone or station name must have 1 to {MAX_NAME} characters")
    if _UNPRINTABLE.search(name):
        raise PlanError("a zone or station name must be printable text")
    return name


def capacity_of(value: object) -> int | None:
    """A capacity, checked: absent (None) or a whole number from 1 to 10,000,000."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanError("a capacity must be a whole number")
    if not 1 <= value <= MAX_CAPACITY:
        raise PlanError(f"a capacity must be between 1 and {MAX_CAPACITY:,}")
    return value


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    capacity: int | None = None
    stations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ZonePlan:
    """Zones and the stations in each; ``capacity`` is the whole event's."""

    zones: tuple[Zone, ...] = ()
    capacity: int | None = None

    @property
    def empty(self) -> bool:
        return not self.zones and self.capacity is None

    def zone_of(self, station: str) -> str | None:
        for zone in self.zones:
            if station in zone.stations:
                return zone.name
        return None

    def with_station(self, station: str, zone: str, capacity: int | None = None) -> ZonePlan:
        """The plan with ``station`` in ``zone`` (moved out of any other), the zone
        made if new; ``capacity`` sets the zone's when given."""
        zones: list[Zone] = []
        found = False
        for each in self.zones:
            stations = tuple(s for s in each.stations if s != station)
            if each.name == zone:
                found = True
                stations = (*stations, station)
                each = Zone(each.name, capacity if capacity is not None else each.capacity,
                            stations)  # fmt: skip
            zones.append(Zone(each.name, each.capacity, stations))
        if not found:
            zones.append(Zone(zone, capacity, (station,)))
        return ZonePlan(tuple(zones), self.capacity)

    def to_json(self) -> dict[str, Any]:
        return {
            "capacity": self.capacity,
            "zones": [
                {"name": z.name, "capacity": z.capacity, "stations": list(z.stations)}
                for z in self.zones
            ],
        }

    @classmethod
    def from_json(cls, value: object) -> ZonePlan:
        """A plan from outside (the server's login answer, the store), checked and
        bounded; PlanError says what is wrong. A station named in two zones belongs
        to the first."""
        if value is None:
            return cls()
        if not isinstance(value, Mapping):
            raise PlanError("the zone plan must be an object")
        zones_json = value.get("zones", [])
        if zones_json is None:
            zones_json = []
        if not isinstance(zones_json, list):
            raise PlanError("the zone plan's zones must be a list")
        if len(zones_json) > MAX_ZONES:
            raise PlanError(f"a zone plan may have at most {MAX_ZONES} zones")
        zones: list[Zone] = []
        seen_zones: set[str] = set()
        seen_stations: set[str] = set()
        for item in zones_json:
            if not isinstance(item, Mapping):
                raise PlanError("each zone must be an object")
            name = zone_name(item.get("name"))
            if name in seen_zones:
                raise PlanError(f"the zone {name!r} is named twice")
            seen_zones.add(name)
            stations_json = item.get("stations") or []
            if not isinstance(stations_json, list):
                raise PlanError(f"the stations of zone {name!r} must be a list")
            stations = []
            for station_json in stations_json:
                station = zone_name(station_json)
                if station not in seen_stations:
                    seen_stations.add(station)
                    stations.append(station)
            if len(seen_stations) > MAX_STATIONS:
                raise PlanError(f"a zone plan may name at most {MAX_STATIONS} stations")
            zones.append(Zone(name, capacity_of(item.get("capacity")), tuple(stations)))
        return cls(tuple(zones), capacity_of(value.get("capacity")))


@dataclass(frozen=True, slots=True)
class DoorZone:
    """A zone set at a door for its own station (``doorcheck zone``), which the door
    tells the other doors in its hello."""

    zone: str
    capacity: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"zone": self.zone, "capacity": self.capacity}

    @classmethod
    def from_json(cls, value: object) -> DoorZone:
        if not isinstance(value, Mapping):
            raise PlanError("a door's zone must be an object")
        return cls(zone_name(value.get("zone")), capacity_of(value.get("capacity")))


def effective_plan(server: ZonePlan, set_at_doors: Iterable[tuple[str, DoorZone]]) -> ZonePlan:
    """The server's plan with the zones set at doors laid over it: a door's own
    setting for its station wins over the server's, as staff at that door chose it."""
    plan = server
    for station, door_zone in set_at_doors:
        plan = plan.with_station(station, door_zone.zone, door_zone.capacity)
    return plan


class _Counted:
    """How full a count is against its capacity (a zone's, or the whole event's)."""

    __slots__ = ()
    inside: int
    capacity: int | None

    @property
    def fill(self) -> Fill:
        return fill_of(self.inside, self.capacity)

    @property
    def percent(self) -> int | None:
        return percent_of(self.inside, self.capacity)


@dataclass(frozen=True, slots=True)
class ZoneCount(_Counted):
    name: str
    inside: int
    capacity: int | None
    stations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Occupancy(_Counted):
    """Inside now per zone and in all; ``elsewhere`` counts guests inside who came
    in at a station of no zone (or at a door whose station is unknown)."""

    zones: tuple[ZoneCount, ...] = ()
    inside: int = 0
    capacity: int | None = None
    elsewhere: int = 0

    @property
    def worst(self) -> Fill:
        return max((self.fill, *(zone.fill for zone in self.zones)), default=Fill.UNKNOWN)


def occupancy(inside_by_station: Mapping[str, int], plan: ZonePlan) -> Occupancy:
    """Count who is inside per zone from who is inside per station of entry."""
    counted: dict[str, int] = {zone.name: 0 for zone in plan.zones}
    elsewhere = 0
    for station, inside in inside_by_station.items():
        zone = plan.zone_of(station)
        if zone is None:
            elsewhere += inside
        else:
            counted[zone] += inside
    zones = tuple(
        ZoneCount(zone.name, counted[zone.name], zone.capacity, zone.stations)
        for zone in plan.zones
    )
    total = sum(inside_by_station.values())
    return Occupancy(zones, total, plan.capacity, elsewhere)


# -- everyone out at a set time (a festival's nightly reset) -------------------------


@dataclass(frozen=True, slots=True)
class CheckOutTime:
    """The daily time (laptop's local clock) at which a door checks everyone out."""

    at: time = field(default_factory=time)

    @classmethod
    def parse(cls, text: str) -> CheckOutTime:
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise PlanError(f"{text[:20]!r} is no time of day (HH:MM, 00:00 to 23:59)")
        return cls(time(int(match[1]), int(match[2])))

    def text(self) -> str:
        return f"{self.at:%H:%M}"

    def latest(self, now: datetime) -> datetime:
        """The latest moment at this time of day no later than ``now`` (aware, in
        ``now``'s zone)."""
        today = now.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        return today if today <= now else today - timedelta(days=1)

    def due(self, now: datetime, done: datetime | None) -> datetime | None:
        """The reset now due, if the latest one (at or before ``now``) is later than
        the last one ``done`` (or than when the time was set): None when none is."""
        latest = self.latest(now)
        if done is not None and done >= latest:
            return None
        return latest
