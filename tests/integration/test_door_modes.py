"""A door is the station the server says it is, and its answer never promises what
the station refuses: the command line against a real server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import RunningServer, fresh_engine, populate, running_server
from tests.support.cli import doorcheck


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    """A real station server on loopback (SQLite: the door's side is under test)."""
    with running_server(fresh_engine("sqlite", tmp_path)) as running:
        yield populate(running)


def login(server: RunningServer, data: Path, station: str, typed: str | None = None) -> None:
    doorcheck(
        "login",
        "--server",
        server.url,
        "--event",
        server.event_id,
        "--key",
        server.stations[station].app_code,
        "--station",
        typed or station,
        "--data",
        data,
    )
    doorcheck("sync", "--data", data)


def server_presence(server: RunningServer, code: str) -> tuple[object, object]:
    guest = next(
        g for g in server.repository.guests_for_tickets(server.event_id) if g.access_code == code
    )
    return guest.check_in, guest.check_out


def pending(data: Path) -> int:
    status = json.loads(doorcheck("status", "--json", "--local", "--data", data).stdout)
    return int(status["pending"])


def refused_here(
    server: RunningServer, data: Path, station: str, command: str, guest: int
) -> tuple[str, str]:
    """``doorcheck <command>`` at ``station``, which must refuse it before anything is
    queued; the guest's code and what the door printed."""
    login(server, data, station)
    code = server.code_of(guest)
    if command == "checkout":  # first in, through the front door
        assert doorcheck("checkin", code, "--data", data).stdout.startswith("ADMIT")
    refused = doorcheck(command, code, "--data", data, check=False)
    assert refused.returncode != 0
    assert pending(data) == 0
    return code, refused.stdout


def test_check_out_at_a_check_in_only_station_is_refused_here(
    server: RunningServer, tmp_path: Path
) -> None:
    code, said = refused_here(server, tmp_path / "main", "Main Entrance", "checkout", 1)
    assert "only checks guests in" in said
    assert "Goodbye" not in said and "uploaded" not in said
    check_in, check_out = server_presence(server, code)
    assert check_in is not None and check_out is None


def test_check_in_at_a_check_out_only_station_is_refused_here(
    server: RunningServer, tmp_path: Path
) -> None:
    code, said = refused_here(server, tmp_path / "exit", "Exit", "checkin", 2)
    assert "only checks guests out" in said
    assert server_presence(server, code) == (None, None)


def test_a_station_name_typed_in_another_case_is_still_the_exit_door(
    server: RunningServer, tmp_path: Path
) -> None:
    data = tmp_path / "typed"
    login(server, data, "Exit", typed="exit")
    code = server.code_of(3)
    status = json.loads(doorcheck("status", "--json", "--local", "--data", data).stdout)
    assert status["station"] == "Exit"
    assert status["guests"] == len(server.guests)  # the synced list, in the same file
    files = {p.name for p in (data / "events").rglob("*.sqlite3")}
    assert files == {"Exit.sqlite3"}  # the server's spelling; no second, modeless file
    # The exit door's mode holds: nobody is admitted here.
    scanned = doorcheck("checkin", code, "--data", data, check=False)
    assert scanned.returncode != 0
    assert not scanned.stdout.startswith("ADMIT")
    assert server_presence(server, code) == (None, None)


def test_explicit_login_details_in_another_case_take_the_servers_mode(
    server: RunningServer, tmp_path: Path
) -> None:
    creds = ["--server", server.url, "--event", server.event_id,
             "--key", server.stations["Exit"].app_code, "--station", "EXIT"]  # fmt: skip
    data = ["--data", tmp_path / "explicit"]
    doorcheck("sync", *creds, *data)
    scanned = doorcheck("checkin", server.code_of(4), *creds, *data, check=False)
    assert scanned.returncode != 0
    assert "only checks guests out" in scanned.stdout
    assert server_presence(server, server.code_of(4)) == (None, None)
