"""The window as a door of the event's mesh (issue 14): another door, a process of
its own, admits a guest; the window, which does not ask the server again, answers
"already in" for that door and shows it in the status bar and the Statistics tab."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from doorcheck.cli import main as doorcheck
from doorcheck.domain.verdict import VerdictKind
from tests.support import RunningServer, fresh_engine, populate, running_server
from tests.support.kiosk import open_kiosk
from tests.support.peers import Door


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(fresh_engine("sqlite", tmp_path)) as running:
        yield populate(running)


def log_in(server: RunningServer, data: Path, station: str, key: str) -> None:
    args = ["sync", "--source", "station", "--server", server.url, "--event", server.event_id,
            "--key", key, "--station", station, "--data", str(data)]  # fmt: skip
    assert doorcheck(args) == 0


def test_a_check_in_at_another_door_is_already_in_here_without_the_server(
    server: RunningServer, qtbot: QtBot, tmp_path: Path
) -> None:
    here, side = tmp_path / "main", Door(tmp_path / "side", "Side Door")
    log_in(server, here, "Main Entrance", "main-code-1")
    log_in(server, side.data, "Side Door", "side-code-2")
    code = server.guests[3].access_code
    assert code is not None
    # One sync at the start, then none for an hour: what it learns comes from the door.
    with open_kiosk(qtbot, here, str(tmp_path / "no-camera"), 3600, peers=True) as kiosk:
        assert kiosk.mesh is not None and kiosk.mesh.port is not None
        try:
            side.watch(extra=("--peer", f"127.0.0.1:{kiosk.mesh.port}", "--no-discovery"))
            bar = kiosk.window.status
            qtbot.waitUntil(lambda: bar.doors.text() == "Doors nearby: 1", timeout=30_000)
            admitted = subprocess.run(
                [sys.executable, "-m", "doorcheck", "checkin", code, "--data", str(side.data)],
                capture_output=True, text=True, timeout=60, check=True,
            ).stdout  # fmt: skip
            assert admitted.startswith("ADMIT")
            qtbot.waitUntil(
                lambda: kiosk.store.guest_by_code(code).guest.is_checked_in,  # type: ignore[union-attr]
                timeout=30_000,
            )
            outcome = kiosk.scan(code, "scanner")
            assert outcome.verdict.kind == VerdictKind.ALREADY_IN
            assert "Side Door" in kiosk.window.scan.verdict.detail.text()
            statistics = kiosk.window.statistics
            assert statistics is not None

            # Refreshed each second: the door, and its one change held here.
            def cell(column: int) -> str:
                item = statistics.doors.item(0, column)
                return item.text() if item is not None else ""

            qtbot.waitUntil(lambda: cell(3) == "1", timeout=5_000)
            assert statistics.doors.rowCount() == 1 and cell(0) == "Side Door"
            assert "Side Door: heard" in bar.doors.toolTip()
        finally:
            side.close()
