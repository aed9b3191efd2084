"""The zone plan this door counts with, and its automatic check-out time
(docs/occupancy.md).

Three sources, each kept where it belongs: the server's plan (sync state, from the
login answer), the zone set at this door for its station (settings, chosen by staff),
and the zones other doors said they are in (the peers table, from their hellos).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import Connection, select

from doorcheck.domain.occupancy import CheckOutTime, DoorZone, PlanError, ZonePlan, effective_plan
from doorcheck.domain.timeutil import parse_datetime
from doorcheck.store.changelog import PEERS, stored_zone
from doorcheck.store.state import SyncState
from doorcheck.store.transactions import Database

log = logging.getLogger(__name__)

SERVER_PLAN = "zone_plan"  # sync state: the server's plan, as JSON
DOOR_ZONE = "door_zone"  # setting: {"station", "zone", "capacity"}
CHECK_OUT_AT = "check_out_everyone_at"  # setting: "HH:MM"
CHECK_OUT_DONE = "check_out_everyone_done"  # sync state: the last reset's time


class Zones:
    def __init__(self, db: Database, state: SyncState) -> None:
        self._db = db
        self._state = state

    # -- the plan ---------------------------------------------------------------------

    def server_plan(self, conn: Connection | None = None) -> ZonePlan:
        text = self._state.get(SERVER_PLAN, conn)
        if not text:
            return ZonePlan()
        try:
            return ZonePlan.from_json(json.loads(text))
        except (ValueError, PlanError) as exc:
            log.warning("the saved zone plan does not read (%s); counting without it", exc)
            return ZonePlan()

    def set_server_plan(self, plan: ZonePlan) -> None:
        self._state.set({SERVER_PLAN: None if plan.empty else json.dumps(plan.to_json())})

    def door_zone(self) -> tuple[str, DoorZone] | None:
        """The zone staff set at this door, with the station it was set for."""
        text = self._state.get_setting(DOOR_ZONE)
        if not text:
            return None
        try:
            raw = json.loads(text)
            station = raw["station"]
            if not isinstance(station, str):
                return None
            return station, DoorZone.from_json(raw)
        except (ValueError, KeyError, TypeError, PlanError):
            return None

    def set_door_zone(self, station: str, zone: DoorZone | None) -> None:
        value = None if zone is None else json.dumps({"station": station, **zone.to_json()})
        self._state.set_setting(DOOR_ZONE, value)

    def plan(self, conn: Connection) -> ZonePlan:
        """The plan counted with: the server's, the zones other doors said they are
        in laid over it, and this door's own setting over all."""
        set_at_doors: list[tuple[str, DoorZone]] = []
        for station, text in conn.execute(select(PEERS.c.station, PEERS.c.zone)).all():
            zone = stored_zone(text)
            if zone is not None:
                set_at_doors.append((station, zone))
        own = self.door_zone()
        if own is not None:
            set_at_doors.append(own)
        return effective_plan(self.server_plan(conn), set_at_doors)

    # -- everyone out at a set time ---------------------------------------------------

    def check_out_time(self) -> CheckOutTime | None:
        text = self._state.get_setting(CHECK_OUT_AT)
        if not text:
            return None
        try:
            return CheckOutTime.parse(text)
        except PlanError:
            return None

    def set_check_out_time(self, at: CheckOutTime | None, now: datetime) -> None:
        """Set (or with None, end) the daily check-out. Counted from ``now``: setting
        04:00 in the afternoon checks out next at 04:00 tomorrow, not at once."""
        self._state.set_setting(CHECK_OUT_AT, at.text() if at else None)
        self._state.set({CHECK_OUT_DONE: now.isoformat() if at else None})

    def check_out_done(self) -> datetime | None:
        return parse_datetime(self._state.get(CHECK_OUT_DONE) or "")

    def note_check_out_done(self, at: datetime) -> None:
        self._state.set({CHECK_OUT_DONE: at.isoformat()})
