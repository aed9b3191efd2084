"""The door's answer and the supervisor's commands on the command line, against the
reference server's demo event in its own process (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from doorcheck.commands.common import PIN_VARIABLE
from doorcheck.server.db import make_engine
from doorcheck.server.repository import StationRepository
from doorcheck.settings import KioskSettings
from tests.support.cli import doorcheck_here, serving_demo


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[dict[str, str]]:
    with serving_demo(tmp_path, guests=60) as info:
        yield info


def log_in(demo: dict[str, str], tmp_path: Path) -> Path:
    data = tmp_path / "door"
    doorcheck_here("login", "--server", demo["url"], "--event", demo["eventId"], "--key",
                   demo["apiKey"], "--station", "Main Entrance", "--data", data)  # fmt: skip
    doorcheck_here("sync", "--data", data)
    return data


def registered_codes(tmp_path: Path, event_id: str, vip: bool) -> list[str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'server' / 'station.sqlite3'}")
    guests = StationRepository(engine).guests_for_tickets(event_id)
    engine.dispose()
    return sorted(
        g.access_code
        for g in guests
        if g.parent_id is None and g.registration_state.value == "registered" and g.access_code
        and (g.fields.get("customField1") == "VIP") == vip and "attention" not in g.fields
    )  # fmt: skip


def test_a_vip_is_admitted_with_the_stations_attention_text(
    demo: dict[str, str], tmp_path: Path
) -> None:
    data = log_in(demo, tmp_path)
    vip = registered_codes(tmp_path, demo["eventId"], vip=True)[0]
    other = registered_codes(tmp_path, demo["eventId"], vip=False)[0]
    said = doorcheck_here("checkin", vip, "--data", data).stdout
    assert said.startswith("ADMIT: Welcome")
    assert "  ATTENTION: VIP: walk them to the VIP Lounge" in said.splitlines()
    assert "ATTENTION" not in doorcheck_here("checkin", other, "--data", data).stdout


def test_a_supervisors_command_asks_for_the_staff_pin_once_one_is_set(
    demo: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = log_in(demo, tmp_path)
    monkeypatch.delenv(PIN_VARIABLE, raising=False)
    assert doorcheck_here("search", "a", "--data", data, check=False).returncode in (0, 1)
    settings = KioskSettings()
    settings.set_pin("4711")
    settings.save(data)
    for command in (["search", "a"], ["export", "--out", tmp_path / "x.csv"], ["wipe"],
                    ["checkout-all", "--off"], ["pair"]):  # fmt: skip
        refused = doorcheck_here(*command, "--data", data, check=False)
        assert refused.returncode == 1, command
        assert "supervisor's" in refused.stderr and PIN_VARIABLE in refused.stderr
    monkeypatch.setenv(PIN_VARIABLE, "0000")
    wrong = doorcheck_here("search", "a", "--data", data, check=False)
    assert wrong.returncode == 1 and "Wrong staff PIN" in wrong.stderr
    monkeypatch.setenv(PIN_VARIABLE, "4711")
    assert doorcheck_here("export", "--out", tmp_path / "x.csv", "--data", data).returncode == 0
    assert (tmp_path / "x.csv").exists()
    # A steward's own work needs no PIN: checking a guest in, the door's status.
    monkeypatch.delenv(PIN_VARIABLE)
    code = registered_codes(tmp_path, demo["eventId"], vip=False)[0]
    assert doorcheck_here("checkin", code, "--data", data).returncode == 0
    assert doorcheck_here("status", "--data", data).returncode == 0


def test_the_admin_sets_a_stations_attention_rules_and_the_door_takes_them_at_login(
    demo: dict[str, str], tmp_path: Path
) -> None:
    server = ["--data", tmp_path / "server"]
    event = demo["eventId"]
    refused = doorcheck_here("admin", "attention", event, "Main Entrance", "--rule",
                             "customField1", "Press", "  ", *server, check=False)  # fmt: skip
    assert refused.returncode == 1 and "attention rule 1" in refused.stderr
    unknown = doorcheck_here("admin", "attention", event, "Back Door", *server, check=False)
    assert unknown.returncode == 1 and "no station 'Back Door'" in unknown.stderr
    said = doorcheck_here("admin", "attention", event, "main entrance", "--rule", "customField1",
                          "Press", "Press: hand over the press kit", *server).stdout  # fmt: skip
    assert "customField1 = Press: Press: hand over the press kit" in said
    data = log_in(demo, tmp_path)
    press = [
        code for code in registered_codes(tmp_path, event, vip=False)
        if press_guest(tmp_path, event, code)
    ]  # fmt: skip
    out = doorcheck_here("checkin", press[0], "--data", data).stdout
    assert "  ATTENTION: Press: hand over the press kit" in out.splitlines()
    vip = registered_codes(tmp_path, event, vip=True)[0]
    assert "ATTENTION" not in doorcheck_here("checkin", vip, "--data", data).stdout


def press_guest(tmp_path: Path, event_id: str, code: str) -> bool:
    engine = make_engine(f"sqlite:///{tmp_path / 'server' / 'station.sqlite3'}")
    guests = StationRepository(engine).guests_for_tickets(event_id)
    engine.dispose()
    return any(g.access_code == code and g.fields.get("customField1") == "Press" for g in guests)
