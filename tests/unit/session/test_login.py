"""Logging a door in to a list file (session/login.py), on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from doorcheck.session.door import saved_door
from doorcheck.session.errors import DoorError, Problem
from doorcheck.session.login import import_list, log_in_and_load, read_list_file
from doorcheck.store.credentials import load_login


def test_a_refused_list_file_leaves_no_login_and_no_empty_door(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", "utf-8")
    data = tmp_path / "door"
    with pytest.raises(DoorError) as refused:
        log_in_and_load(data, "spreadsheet", str(empty), "", "", "Main Entrance")
    assert refused.value.problem == Problem.BAD_FILE
    # The kiosk would otherwise open on an empty door next time, with no login screen.
    assert load_login(data) is None and saved_door(data) is None
    assert not any(data.rglob("*.sqlite3"))


def test_a_list_file_that_loads_becomes_the_saved_door(tmp_path: Path) -> None:
    sheet = tmp_path / "guests.csv"
    sheet.write_text("Code,First name,Last name\nT-1,Ann,Lee\nT-2,Ben,Ray\n", "utf-8")
    found = read_list_file(sheet)
    assert (found.kind, found.guests) == ("spreadsheet", 2)
    done = import_list(tmp_path / "door", sheet, station="Front")
    assert (done.station, done.guests) == ("Front", 2)
    door = saved_door(tmp_path / "door")
    assert door is not None
    with door:
        assert door.report(probe=False).status.guests == 2
        assert [hit.guest.access_code for hit in door.search("Lee")] == ["T-1"]
