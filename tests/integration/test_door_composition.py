"""One door, however it is opened: after `doorcheck import`, the camera door of the
command line applies its check-ins to the list as the window does, instead of
waiting for a station server that does not exist."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image

from doorcheck.session.door import DoorSession
from doorcheck.store.credentials import load_login
from doorcheck.sync.source_sync import SourceSync
from tests.support.cli import doorcheck


def ticket_folder(folder: Path, code: str) -> Path:
    folder.mkdir()
    symbol = zxingcpp.create_barcode(code, zxingcpp.BarcodeFormat.QRCode)
    image = np.array(zxingcpp.write_barcode_to_image(symbol, scale=6))
    Image.fromarray(np.pad(image, 40, constant_values=255)).save(folder / "ticket.png")
    return folder


def test_a_spreadsheet_door_scanning_from_the_command_line_records_at_the_door(
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "guests.csv"
    sheet.write_text("Code,First name,Last name\nT-1001,Ann,Lee\nT-1002,Ben,Ray\n", "utf-8")
    data = ["--data", tmp_path / "door"]
    doorcheck("import", sheet, "--station", "Front", *data)
    camera = ticket_folder(tmp_path / "camera", "T-1001")
    scanned = doorcheck("scan", "--camera", camera, "--once", *data, timeout=60)
    assert "ADMIT" in scanned.stdout
    status = json.loads(doorcheck("status", "--json", *data).stdout)
    assert status["checked_in"] == 1
    assert status["pending"] == 0  # applied to the door's list, not queued for a server
    export = tmp_path / "out.csv"
    doorcheck("export", "--out", export, *data)
    with export.open(encoding="utf-8-sig", newline="") as exported:
        rows = {row[0]: row for row in csv.reader(exported)}
    assert "Front" in rows["T-1001"] and "T-1002" not in rows  # only who came


def test_the_command_line_door_gets_the_windows_worker(tmp_path: Path) -> None:
    sheet = tmp_path / "guests.csv"
    sheet.write_text("Code,First name,Last name\nT-1,Ann,Lee\n", "utf-8")
    doorcheck("import", sheet, "--station", "Front", "--data", tmp_path / "door")
    saved = load_login(tmp_path / "door")
    assert saved is not None
    login, secret = saved
    door = DoorSession.of_login(tmp_path / "door", login, secret)
    try:
        assert isinstance(door.sync_worker(), SourceSync)
    finally:
        door.close()


def test_sync_watch_follows_a_spreadsheet_as_the_window_does(tmp_path: Path) -> None:
    sheet = tmp_path / "guests.csv"
    sheet.write_text("Code,First name,Last name\nT-1,Ann,Lee\n", "utf-8")
    data = ["--data", str(tmp_path / "door")]
    doorcheck("import", sheet, "--station", "Front", *data)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "doorcheck", "sync", "--watch", "--interval", "0.2", *data],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        sheet.write_text("Code,First name,Last name\nT-1,Ann,Lee\nT-2,Ben,Ray\n", "utf-8")
        deadline = time.monotonic() + 30
        guests = 1
        while guests != 2 and time.monotonic() < deadline:
            time.sleep(0.3)
            guests = json.loads(doorcheck("status", "--json", *data).stdout)["guests"]
        assert guests == 2  # the changed file was read again
    finally:
        watcher.terminate()
        watcher.wait(20)
