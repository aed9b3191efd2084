"""The status bar says a worker is failing, in words, and stops saying Online."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from doorcheck.sync.health import DISK_FULL, WorkerHealth
from doorcheck.ui.main_window import KioskWindow
from doorcheck.ui.status_bar import DoorStatusBar
from doorcheck.views import SyncStatus


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


def test_a_long_reason_is_shown_whole_above_the_bar_and_online_waits_for_recovery(
    qtbot: QtBot,
) -> None:
    window = KioskWindow("Winter Gala", "Main Entrance", "checkIn")
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    bar = window.status
    reason = "The station server answered: " + "a reason that goes on and on, " * 6 + "the end."
    bar.show_health(WorkerHealth("sync", reason, retry_in=30.0))
    # A server that answers does not make the door "Online" while its rounds fail.
    bar.show_sync(SyncStatus(True, datetime.now(UTC), None, None))
    assert "failing" in bar.online.text()

    def shown_whole() -> None:
        strip = bar.failing
        assert strip.isVisible() and not bar.isAncestorOf(strip)  # a strip, not a bar cell
        assert strip.width() >= window.width() - 20  # the window's full width
        assert strip.height() >= strip.heightForWidth(strip.width())  # every line
        assert strip.heightForWidth(strip.width()) > strip.fontMetrics().lineSpacing() * 2

    qtbot.waitUntil(shown_whole)
    assert bar.failing.text().endswith("the end.")

    bar.show_health(WorkerHealth("sync"))
    bar.show_sync(SyncStatus(True, datetime.now(UTC), None, None))
    assert bar.failing.isHidden()
    assert "Online" in bar.online.text()
