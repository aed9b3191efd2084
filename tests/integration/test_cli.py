"""The ``doorcheck`` command as a user runs it: real processes, real server, real files."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from doorcheck.protocol.wire import StationMode
from doorcheck.server.db import create_schema, make_engine
from doorcheck.server.repository import StationRepository
from tests.support.cli import demo_codes, doorcheck, serving_demo, start_server, stop


def door_login(
    info: dict[str, str],
    data: Path,
    *,
    key: str | None = None,
    station: str = "Main Entrance",
    sync: bool = True,
) -> str:
    """``doorcheck login`` a door into the server ``info`` describes, then sync it."""
    out = doorcheck(
        "login",
        "--server",
        info["url"],
        "--event",
        info["eventId"],
        "--key",
        key or info["apiKey"],
        "--station",
        station,
        "--data",
        data,
    ).stdout
    if sync:
        doorcheck("sync", "--data", data)
    return out


def verdict_lines(output: str) -> list[str]:
    """The verdicts a command printed, without the attention lines under an admit."""
    return [line for line in output.splitlines() if not line.startswith("  ATTENTION: ")]


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    with serving_demo(tmp_path) as info:
        yield info


def test_serve_demo_json_line(demo_server: dict[str, str]) -> None:
    assert set(demo_server) == {"url", "eventId", "apiKey", "stationName"}
    assert demo_server["url"].startswith("http://127.0.0.1:")
    assert demo_server["stationName"] == "Main Entrance"


def test_login_sync_checkin_and_another_station_sees_it(
    demo_server: dict[str, str], tmp_path: Path
) -> None:
    main = ["--data", tmp_path / "main"]
    out = door_login(demo_server, tmp_path / "main", sync=False)
    assert "Winter Gala 2026" in out
    # The App Code went to a user-only file here (no keyring in tests), never to login.json.
    assert demo_server["apiKey"] not in (tmp_path / "main" / "login.json").read_text()
    secret = tmp_path / "main" / "secret.json"
    assert secret.stat().st_mode & 0o077 == 0
    assert "Synced (full list)" in doorcheck("sync", *main).stdout
    code = demo_codes(tmp_path, demo_server["eventId"])[0]
    first = doorcheck("checkin", code, *main)
    assert first.stdout.startswith("ADMIT")
    assert "[uploaded]" in first.stdout
    again = doorcheck("checkin", code, *main, check=False)
    assert again.returncode == 1
    assert "already checked in" in again.stdout

    # A second station: explicit credentials, its own data folder.
    side = ["--data", tmp_path / "side"]
    creds = ["--server", demo_server["url"], "--event", demo_server["eventId"]]
    server_dir = tmp_path / "server"
    assert server_dir.exists()
    doorcheck(
        "admin",
        "create-station",
        demo_server["eventId"],
        "Gate 2",
        "--app-code",
        "gate-2",
        "--data",
        server_dir,
    )
    doorcheck("login", *creds, "--key", "gate-2", "--station", "Gate 2", *side)
    doorcheck("sync", *side)
    seen = doorcheck("checkin", code, *side, check=False)
    assert seen.returncode == 1
    assert "already checked in" in seen.stdout
    assert "Main Entrance" in seen.stdout
    status = json.loads(doorcheck("status", "--json", *side).stdout)
    assert status["online"] is True
    assert status["checked_in"] == 1
    assert status["pending"] == 0
    assert status["guests"] > 40


def test_checkout_at_a_toggle_station(demo_server: dict[str, str], tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server' / 'station.sqlite3'}")
    StationRepository(engine).create_station(
        demo_server["eventId"], "Coats", app_code="coats", mode=StationMode.TOGGLE
    )
    engine.dispose()
    data = ["--data", tmp_path / "coats"]
    door_login(demo_server, tmp_path / "coats", key="coats", station="Coats")
    code = demo_codes(tmp_path, demo_server["eventId"])[1]
    early = doorcheck("checkout", code, *data, check=False)
    assert early.returncode == 1
    assert "not checked in" in early.stdout
    assert doorcheck("checkin", code, *data).stdout.startswith("ADMIT")
    assert doorcheck("checkout", code, *data).stdout.startswith("EXIT")


def test_offline_check_in_is_queued_and_uploaded_later(tmp_path: Path) -> None:
    server_dir = tmp_path / "server"
    process, info = start_server("--demo", "--guests", "20", "--data", server_dir)
    data = ["--data", tmp_path / "door"]
    door_login(info, tmp_path / "door")
    stop(process)
    code = demo_codes(tmp_path, info["eventId"])[2]
    offline = doorcheck("checkin", code, *data)
    assert "queued" in offline.stdout
    assert json.loads(doorcheck("status", "--json", *data).stdout)["pending"] == 1
    failed = doorcheck("sync", *data, check=False)
    assert failed.returncode == 1
    assert "Cannot reach the station server" in failed.stderr
    # The server comes back on the same port and database: the queue drains.
    port = info["url"].rsplit(":", 1)[1]
    # (a later --port overrides start_server's --port 0)
    again, _ = start_server("--port", port, "--data", server_dir)
    try:
        assert "1 change uploaded" in doorcheck("sync", *data).stdout
        assert json.loads(doorcheck("status", "--json", *data).stdout)["pending"] == 0
    finally:
        stop(again)


def test_search_finds_guests_as_the_guest_list_does(
    demo_server: dict[str, str], tmp_path: Path
) -> None:
    data = ["--data", tmp_path / "door"]
    door_login(demo_server, tmp_path / "door")
    code = demo_codes(tmp_path, demo_server["eventId"])[0]
    [found] = json.loads(doorcheck("search", code, "--json", *data).stdout)
    assert found["code"] == code and not found["checkedIn"]
    surname = found["name"].split()[-1]
    by_name = json.loads(doorcheck("search", surname, "--json", *data).stdout)
    assert code in {hit["code"] for hit in by_name}
    doorcheck("checkin", code, *data)
    shown = doorcheck("search", code, *data).stdout
    assert shown.startswith("in ") and code in shown
    nobody = doorcheck("search", "Qxzqxzq", *data, check=False)
    assert nobody.returncode == 1 and "No guest found." in nobody.stdout


def test_checkin_party_checks_the_companions_in_with_the_guest(
    demo_server: dict[str, str], tmp_path: Path
) -> None:
    data = ["--data", tmp_path / "door"]
    door_login(demo_server, tmp_path / "door")
    engine = make_engine(f"sqlite:///{tmp_path / 'server' / 'station.sqlite3'}")
    guests = StationRepository(engine).guests_for_tickets(demo_server["eventId"])
    engine.dispose()
    companions: dict[str, list[str]] = {}
    for guest in guests:
        if guest.parent_id:
            companions.setdefault(guest.parent_id, []).append(guest.id)
    party = next(
        g for g in guests
        if g.id in companions and g.access_code and g.registration_state.value == "registered"
    )  # fmt: skip
    size = 1 + len(companions[party.id])
    out = verdict_lines(doorcheck("checkin", party.access_code, "--party", *data).stdout)
    assert len(out) == size
    assert all(line.startswith("ADMIT") and line.endswith("[uploaded]") for line in out)
    status = json.loads(doorcheck("status", "--json", "--local", *data).stdout)
    assert status["checked_in"] == size and status["pending"] == 0
    # Again: everybody is in already, nothing more is recorded.
    again = doorcheck("checkin", party.access_code, "--party", *data, check=False)
    assert again.returncode == 1 and again.stdout.startswith("ALREADY IN")


def test_commands_fail_in_one_line_without_a_login(tmp_path: Path) -> None:
    for command in (["sync"], ["status"], ["checkin", "X"]):
        result = doorcheck(*command, "--data", tmp_path / "nobody", check=False)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1
        assert "doorcheck login" in result.stderr


def test_login_with_a_wrong_app_code_says_so(demo_server: dict[str, str], tmp_path: Path) -> None:
    result = doorcheck(
        "login",
        "--server",
        demo_server["url"],
        "--event",
        demo_server["eventId"],
        "--key",
        "wrong",
        "--station",
        "Main Entrance",
        "--data",
        tmp_path / "x",
        check=False,
    )
    assert result.returncode == 1
    assert "App Code" in result.stderr
    assert not (tmp_path / "x" / "login.json").exists()


def test_garbage_codes_get_a_clear_message(demo_server: dict[str, str], tmp_path: Path) -> None:
    data = ["--data", tmp_path / "g"]
    door_login(demo_server, tmp_path / "g")
    for garbage in ("x" * 10_000, "abc\x07def", "\u202eevil"):
        result = doorcheck("checkin", garbage, *data, check=False)
        assert result.returncode == 1
        assert "not a valid ticket code" in result.stderr or "Not on the list" in result.stdout


def test_admin_event_stations_import_and_tickets(tmp_path: Path) -> None:
    data = ["--data", tmp_path / "srv"]
    event_id = doorcheck(
        "admin", "create-event", "Import Test", "--company", "ACME", *data
    ).stdout.strip()
    out = doorcheck(
        "admin",
        "create-station",
        event_id,
        "Front",
        "--mode",
        "toggle",
        "--qr",
        tmp_path / "front.png",
        *data,
    ).stdout
    assert "App Code:" in out
    assert Image.open(tmp_path / "front.png").size[0] > 100
    csv_file = tmp_path / "guests.csv"
    csv_file.write_text(
        "First Name;Last Name;Company;Access Code;Segment;Dietary\n"
        "Jürgen;Groß;Müller AG;AAA111;VIP;vegan\n"
        "Zoë;Ångström;;BBB222;;\n",
        encoding="utf-8",
    )
    assert (
        "Imported 2 guests" in doorcheck("admin", "import-guests", event_id, csv_file, *data).stdout
    )
    dupes = tmp_path / "dupes.csv"
    dupes.write_text("code,firstName\nX1,a\nX1,b\n", encoding="utf-8")
    failed = doorcheck("admin", "import-guests", event_id, dupes, *data, check=False)
    assert failed.returncode == 1
    assert "appears twice" in failed.stderr
    assert (
        "deregistered" in doorcheck("admin", "deregister-guest", event_id, "BBB222", *data).stdout
    )
    out = doorcheck("admin", "tickets", event_id, "--out", tmp_path / "tickets", *data).stdout
    assert "Wrote 3 files" in out
    import zxingcpp

    (ticket_code,) = zxingcpp.read_barcodes(Image.open(tmp_path / "tickets" / "AAA111.png"))
    assert ticket_code.text == "AAA111"
    assert (tmp_path / "tickets" / "tickets.pdf").read_bytes().startswith(b"%PDF")
    assert "deleted" in doorcheck("admin", "delete-guest", event_id, "AAA111", *data).stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'srv' / 'station.sqlite3'}")
    create_schema(engine)
    summary = StationRepository(engine).event_summary(event_id)
    engine.dispose()
    assert summary is not None and summary["guests"] == 1


def test_demo_walks_through_and_exits() -> None:
    out = doorcheck("demo", "--exit", "--headless", "--guests", "30", timeout=120).stdout
    assert "ADMIT" in out
    assert "already checked in" in out
    assert "NOT ON LIST" in out


def test_version() -> None:
    from doorcheck import __version__

    assert doorcheck("--version").stdout.strip() == f"doorcheck {__version__}"


def test_no_secret_in_the_database_and_the_data_folder_is_private(
    demo_server: dict[str, str], tmp_path: Path
) -> None:
    import sqlite3

    data = tmp_path / "private"
    door_login(demo_server, data)
    assert data.stat().st_mode & 0o077 == 0
    secret = json.loads((data / "secret.json").read_text())
    assert secret["appCode"] == demo_server["apiKey"]
    assert len(secret["sessionToken"]) == 40
    for db_file in data.rglob("*.sqlite3"):
        dump = "\n".join(sqlite3.connect(db_file).iterdump())
        assert demo_server["apiKey"] not in dump
        assert secret["sessionToken"] not in dump


def test_station_setup_qr_holds_the_login(tmp_path: Path) -> None:
    out = doorcheck(
        "admin",
        "station-qr",
        "4711",
        "Main Entrance",
        "--app-code",
        "aBcDeFgH",
        "--url",
        "https://checkin.example.org",
        "--out",
        tmp_path / "s.png",
    ).stdout
    assert "aBcDeFgH" in out
    import zxingcpp

    (code,) = zxingcpp.read_barcodes(Image.open(tmp_path / "s.png"))
    assert json.loads(code.text) == {
        "type": "doorcheck-station",
        "version": 1,
        "url": "https://checkin.example.org",
        "eventId": "4711",
        "apiKey": "aBcDeFgH",
        "stationName": "Main Entrance",
    }


def test_status_tells_the_truth_offline_and_wipe_waits_for_uploads(tmp_path: Path) -> None:
    process, info = start_server("--demo", "--guests", "20", "--data", tmp_path / "server")
    door = tmp_path / "door"
    data = ["--data", door]
    door_login(info, door)
    stop(process)
    code = demo_codes(tmp_path, info["eventId"])[0]
    doorcheck("checkin", code, *data)
    out = doorcheck("status", "--changes", *data).stdout
    assert "OFFLINE" in out
    assert "Waiting uploads: 1" in out
    assert "pending" in out and "checkIn" in out
    refused = doorcheck("wipe", *data, check=False)
    assert refused.returncode == 1
    assert "have not reached the server" in refused.stderr
    assert "after it ends" in doorcheck("wipe", "--after-days", "7", *data).stdout
    wiped = doorcheck("wipe", "--force", *data).stdout
    assert f"Wiped event {info['eventId']}" in wiped
    assert not (door / "events").exists() or not any((door / "events").iterdir())


def test_sync_watch_follows_the_server_and_reports_going_offline(tmp_path: Path) -> None:
    process, info = start_server("--demo", "--guests", "20", "--data", tmp_path / "server")
    door = tmp_path / "door"
    door_login(info, door, sync=False)
    watcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "doorcheck",
            "sync",
            "--watch",
            "--interval",
            "0.3",
            "--data",
            str(door),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert watcher.stdout is not None
        # "online", and the doors nearby: on its own port, or another if that is taken.
        first: list[str] = []
        while not (
            any(line.split()[1:2] == ["online"] for line in first)
            and any(line.startswith("Doors nearby:   listening on port") for line in first)
        ):
            first.append(watcher.stdout.readline())
            assert len(first) < 6, first
        # Another door checks a guest in; the watching door pulls it on its own.
        code = demo_codes(tmp_path, info["eventId"])[0]
        side = tmp_path / "side"
        doorcheck(
            "admin",
            "create-station",
            info["eventId"],
            "Gate 9",
            "--app-code",
            "g9",
            "--data",
            tmp_path / "server",
        )
        door_login(info, side, key="g9", station="Gate 9")
        doorcheck("checkin", code, "--data", side)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status = json.loads(doorcheck("status", "--json", "--local", "--data", door).stdout)
            if status["checked_in"] == 1:
                break
            time.sleep(0.3)
        assert status["checked_in"] == 1
        stop(process)
        lines = [watcher.stdout.readline()]
        while "OFFLINE" not in lines[-1]:
            lines.append(watcher.stdout.readline())
            assert len(lines) < 4, lines
    finally:
        watcher.terminate()
        watcher.wait(20)
        if process.poll() is None:
            stop(process)


def test_a_camera_door_checks_guests_in_from_the_ticket_reel(
    demo_server: dict[str, str], tmp_path: Path
) -> None:
    reel = tmp_path / "reel.avi"
    out = doorcheck(
        "admin",
        "reel",
        demo_server["eventId"],
        "--out",
        reel,
        "--limit",
        "3",
        "--data",
        tmp_path / "server",
    ).stdout
    assert "reel of 3 tickets" in out
    door = tmp_path / "door"
    door_login(demo_server, door)
    # Typed in, and spelled as the server does not: the door learns the station's
    # name from the server, and its worker must upload from that same door's file.
    typed = ["--server", demo_server["url"], "--event", demo_server["eventId"],
             "--key", demo_server["apiKey"], "--station", "main entrance"]  # fmt: skip
    result = doorcheck("scan", "--camera", reel, "--once", *typed, "--data", door, timeout=120)
    # One line a verdict; an attention text a steward must not miss follows its admit.
    verdicts = [line.split(" ", 1)[1] for line in verdict_lines(result.stdout)]
    assert len(verdicts) == 3, result.stdout
    assert all(v.startswith(("ADMIT", "DEREGISTERED")) for v in verdicts), verdicts
    status = json.loads(doorcheck("status", "--json", "--data", door).stdout)
    admitted = sum(v.startswith("ADMIT") for v in verdicts)
    assert status["checked_in"] == admitted and status["pending"] == 0
    # The camera is remembered: the same reel again, and those guests are in now.
    again = doorcheck("scan", "--once", "--data", door, timeout=120)
    repeated = [line.split(" ", 1)[1] for line in verdict_lines(again.stdout)]
    assert len(repeated) == 3
    assert sum(v.startswith("ALREADY IN") for v in repeated) == admitted
    wrong = doorcheck("scan", "--camera", tmp_path / "missing.avi", "--data", door, check=False)
    assert wrong.returncode == 1 and "no such camera, file or folder" in wrong.stderr
