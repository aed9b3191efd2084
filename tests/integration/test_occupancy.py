"""Inside per zone and in all (issue 14, docs/occupancy.md): the server's plan, zones
set at doors and told between them, capacities, and checking everyone out; a real
server and real door processes (the short commands run in this process, one as a
process of its own)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from doorcheck.commands.door import occupancy_json
from doorcheck.protocol.wire import StationMode
from doorcheck.store.zones import CHECK_OUT_DONE
from tests.support.cli import demo_codes, doorcheck, doorcheck_here, start_server, stop
from tests.support.peers import Door, make_doors, until


@pytest.fixture
def event(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    process, info = start_server("--demo", "--guests", "20", "--data", tmp_path / "server")
    try:
        yield process, info
    finally:
        if process.poll() is None:
            stop(process)


def gates(tmp_path: Path, info: dict[str, str], count: int) -> list[Door]:
    """Toggle stations "Gate 1" ... (they may check guests out), each door logged in."""
    return make_doors(tmp_path, info, count, StationMode.TOGGLE, run=doorcheck_here)


def occupancy(door: Door) -> dict[str, Any]:
    """The ``occupancy`` of `doorcheck status --json`, made in this process (the
    tests poll it; a process per look would cost more than the doors)."""
    return occupancy_json(door.session().report(probe=False))


def zone(counted: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(z for z in counted["zones"] if z["name"] == name)
    return found


def test_the_servers_zones_count_at_the_door_and_everyone_can_be_checked_out(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    _, info = event
    server = ("--data", tmp_path / "server")
    planned = doorcheck_here("admin", "zone", info["eventId"], "Garden", "--station", "Gate 1",
                        "--capacity", "2", *server).stdout  # fmt: skip
    assert "Garden: Gate 1 (capacity 2)" in planned
    assert "Ballroom: Main Entrance, Side Door, Cloakroom, Exit" in planned  # the demo's
    refused = doorcheck_here("admin", "zone", info["eventId"], "Garden", "--capacity", "0", *server,
                        check=False)  # fmt: skip
    assert refused.returncode != 0
    assert "capacity must be between 1" in refused.stderr
    (door,) = gates(tmp_path, info, 1)  # logs in after the plan: the login brings it

    counted = occupancy(door)
    assert [z["name"] for z in counted["zones"]] == ["Ballroom", "VIP Lounge", "Garden"]
    assert counted["capacity"] == 20
    assert zone(counted, "Garden")["inside"] == 0

    codes = demo_codes(tmp_path, info["eventId"])
    for code in codes[:2]:
        assert doorcheck_here("checkin", code, "--data", door.data).stdout.startswith("ADMIT")
    counted = occupancy(door)
    assert (zone(counted, "Garden")["inside"], zone(counted, "Garden")["fill"]) == (2, "alert")
    assert counted["inside"] == 2
    assert json.loads(doorcheck("status", "--json", "--local", "--data", door.data).stdout)[
        "occupancy"
    ] == occupancy(door)
    text = doorcheck_here("status", "--local", "--data", door.data).stdout
    assert "Garden                   2 of 2 (100 %)  ALERT: 95 % full" in text

    # Set at the door: its station leaves the server's zone for this one.
    doorcheck_here("zone", "Terrace", "--capacity", "5", "--data", door.data)
    counted = occupancy(door)
    assert zone(counted, "Terrace")["inside"] == 2
    assert zone(counted, "Terrace")["fill"] == "normal"
    assert zone(counted, "Garden")["inside"] == 0
    assert counted["doorZone"] == {"zone": "Terrace", "capacity": 5}
    bad = doorcheck_here("zone", "Evil\u202eName", "--data", door.data, check=False)
    assert bad.returncode != 0 and "printable" in (bad.stdout + bad.stderr)

    said = doorcheck_here("checkout-all", "--now", "--data", door.data).stdout
    assert "Checked out 2 guests." in said
    assert occupancy(door)["inside"] == 0
    # The server takes the check-outs: a toggle station may check out.
    doorcheck_here("sync", "--data", door.data)
    status = json.loads(doorcheck_here("status", "--json", "--data", door.data).stdout)
    assert (status["pending"], status["rejected"], status["conflicts"]) == (0, 0, 0)


def test_a_check_in_station_refuses_a_daily_check_out(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    _, info = event
    door = tmp_path / "main"
    doorcheck_here("sync", "--source", "station", "--server", info["url"], "--event",
              info["eventId"], "--key", info["apiKey"], "--station", "Main Entrance",
              "--data", door)  # fmt: skip
    refused = doorcheck_here("checkout-all", "--at", "04:00", "--data", door, check=False)
    assert refused.returncode != 0
    assert "a check-in station does not check guests out" in refused.stderr
    shown = doorcheck_here("checkout-all", "--data", door).stdout
    assert "No daily check-out" in shown


def test_a_watching_door_checks_everyone_out_when_its_time_has_come(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    _, info = event
    (door,) = gates(tmp_path, info, 1)
    codes = demo_codes(tmp_path, info["eventId"])
    for code in codes[:3]:
        doorcheck_here("checkin", code, "--data", door.data)
    doorcheck_here("checkout-all", "--at", "04:00", "--data", door.data)
    # As if the door was set two days ago and was off since: the night's check-out
    # is due, and done when the door starts.
    door.session().store.set_state(
        CHECK_OUT_DONE, (datetime.now(UTC) - timedelta(days=2)).isoformat()
    )
    door.close()
    try:
        door.watch()
        assert "3 guests checked out" in door.wait_for("daily check-out:")
        until(lambda: occupancy(door)["inside"] == 0, what="everyone out")
        # Uploaded as any check-out, and not done twice.
        until(lambda: door.status()["pending"] == 0, what="the check-outs uploaded")
        assert door.session().store.status().rejected == 0
    finally:
        door.close()


def test_doors_tell_each_other_their_zones_and_count_each_guest_once(
    tmp_path: Path, event: tuple[subprocess.Popen[str], dict[str, str]]
) -> None:
    process, info = event
    first, second = gates(tmp_path, info, 2)
    stop(process)  # no server: the zones travel between the doors
    doorcheck_here("zone", "Garden", "--capacity", "5", "--data", first.data)
    codes = demo_codes(tmp_path, info["eventId"])
    try:
        first.watch()
        second.watch(first)
        until(lambda: all(any(not p["stale"] for p in d.status()["peers"])
                          for d in (first, second)), what="the two doors meeting")  # fmt: skip
        for code in codes[:4]:
            doorcheck_here("checkin", code, "--data", first.data)
        doorcheck_here("checkin", codes[4], "--data", second.data)
        for door in (first, second):
            until(lambda d=door: occupancy(d)["inside"] == 5, what=f"{door.station} counting 5")
        counted = occupancy(second)  # the door where nobody set a zone
        garden = zone(counted, "Garden")
        assert (garden["inside"], garden["capacity"], garden["fill"]) == (4, 5, "warning")
        assert garden["stations"] == ["Gate 1"]
        assert counted["elsewhere"] == 1  # Gate 2 is in no zone
        shown = json.loads(
            doorcheck_here("status", "--json", "--local", "--data", second.data).stdout
        )
        assert [p["zone"] for p in shown["peers"]] == ["Garden"]
        # The same figures at the door that set it: each guest counted once.
        assert zone(occupancy(first), "Garden")["inside"] == 4
        assert occupancy(first)["inside"] == 5
    finally:
        for door in (first, second):
            door.close()
