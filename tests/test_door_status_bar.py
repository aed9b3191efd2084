"""The status bar says a worker is failing, in words, and stops saying Online."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from doorcheck.sync.engine import SyncStatus
from doorcheck.sync.health import DISK_FULL, WorkerHealth
from doorcheck.ui.status_bar import DoorStatusBar


def test_a_failing_worker_is_shown_until_it_recovers(qtbot: QtBot) -> None:
    bar = DoorStatusBar("Main Entrance", "checkIn")
    qtbot.addWidget(bar)
    bar.show_sync(SyncStatus(True, datetime.now(UTC), None, None))
    assert "Online" in bar.online.text()

    bar.show_health(WorkerHealth("sync", DISK_FULL, retry_in=2.0))
    assert "Online" not in bar.online.text()
    assert "failing" in bar.online.text()
    assert not bar.failing.isHidden()
    assert bar.failing.text() == (
        "Sync failing: The laptop's disk is full: nothing new is recorded until space is free."
    )
    bar.show_health(WorkerHealth("forward", "The API key was refused.", stopped=True))
    assert "Event Cadence stopped: The API key was refused." in bar.failing.text()

    bar.show_health(WorkerHealth("sync"))
    bar.show_health(WorkerHealth("forward"))
    assert bar.failing.isHidden()
    bar.show_sync(SyncStatus(True, datetime.now(UTC), None, None))
    assert "Online" in bar.online.text()
