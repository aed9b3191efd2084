"""Logging a door in to a list file (session/login.py), on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from doorcheck.session.door import saved_door
from doorcheck.session.errors import DoorError, Problem
from doorcheck.session.login import import_list, log_in_and_load, read_list_file
from doorcheck.store.cipher import StoreKey
from doorcheck.store.credentials import ENCRYPTION_FILE, SECRET_FILE, load_login
from tests.support.cli import doorcheck_here


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


def test_an_encrypted_door_says_so_and_stays_shut_without_its_key(tmp_path: Path) -> None:
    sheet = tmp_path / "guests.csv"
    sheet.write_text("Code,First name,Last name\nT-1,Ann,Quarterfield\n", "utf-8")
    data = tmp_path / "door"
    doorcheck_here("import", sheet, "--encrypt", "--data", data)
    status = doorcheck_here("status", "--local", "--data", data)
    assert "encrypted (SQLCipher), its key in the data folder's user-only secret file" in (
        status.stdout
    )
    assert "T-1" in doorcheck_here("search", "Quarter", "--data", data).stdout
    (stores,) = data.rglob("*.sqlite3")
    assert b"Quarterfield" not in stores.read_bytes()
    # Importing the list again, plain or not, keeps the door encrypted.
    import_list(data, sheet)
    assert b"SQLite format 3" not in stores.read_bytes()[:16]

    secrets = json.loads((data / SECRET_FILE).read_text("utf-8"))
    (data / SECRET_FILE).unlink()  # the key is gone (in life: a locked keyring)
    refused = doorcheck_here("status", "--local", "--data", data, check=False)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("doorcheck: this door's data is encrypted and its key")
    door = saved_door(data)
    assert door is not None
    with door, pytest.raises(DoorError) as shut:
        door.report(probe=False)
    assert shut.value.problem == Problem.STORE_NO_KEY

    # Another key in its place does not open it either; the file is left as it was.
    before = stores.read_bytes()
    other = {name: StoreKey.new().text() for name in secrets if name.startswith("secret:store|")}
    assert len(other) == 1
    (data / SECRET_FILE).write_text(json.dumps(secrets | other), "utf-8")
    refused = doorcheck_here("search", "Ann", "--data", data, check=False)
    assert "does not open its data file" in refused.stderr
    # Its settings gone, it is opened as a plain store and refused as none.
    (data / ENCRYPTION_FILE).unlink()
    refused = doorcheck_here("checkin", "T-1", "--data", data, check=False)
    assert "is not a SQLite database" in refused.stderr and "Traceback" not in refused.stderr
    assert stores.read_bytes() == before


def test_a_folder_with_plain_guest_data_is_not_made_encrypted(tmp_path: Path) -> None:
    sheet = tmp_path / "guests.csv"
    sheet.write_text("Code,First name,Last name\nT-1,Ann,Lee\n", "utf-8")
    import_list(tmp_path / "door", sheet)
    with pytest.raises(DoorError) as refused:
        import_list(tmp_path / "door", sheet, encrypt=True)
    assert refused.value.problem == Problem.CANNOT_ENCRYPT
    assert not (tmp_path / "door" / ENCRYPTION_FILE).exists()
