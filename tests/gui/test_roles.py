"""Roles at the door (issue 15): a steward scans and sees answers; a supervisor, with
the staff PIN, can also search, check in by hand, undo, export, pair and change the
settings. Driven through the real window and the composition root (pytest-qt)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from doorcheck.app import Kiosk
from doorcheck.domain.verdict import VerdictKind
from doorcheck.settings import KioskSettings
from doorcheck.ui.main_window import KioskWindow, Role
from doorcheck.ui.pin_dialog import PinDialog
from tests.support import RunningServer, fresh_engine, populate, running_server
from tests.support.kiosk import logged_in_door, open_kiosk, when_modal


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    with running_server(fresh_engine("sqlite", tmp_path)) as running:
        yield populate(running)


@pytest.fixture
def steward_door(server: RunningServer, qtbot: QtBot, tmp_path: Path) -> Iterator[Kiosk]:
    """A door whose laptop has a staff PIN (4711): it opens for a steward."""
    data, reel = logged_in_door(server, tmp_path)
    settings = KioskSettings()
    settings.set_pin("4711")
    settings.save(data)
    with open_kiosk(qtbot, data, str(reel)) as kiosk:
        with qtbot.waitActive(kiosk.window):  # shortcuts belong to the active window
            kiosk.window.show()
            kiosk.window.activateWindow()
        yield kiosk


def ctrl_f(qtbot: QtBot, window: QWidget) -> None:
    """Ctrl+F as a person presses it: shortcuts belong to the active window (a PIN
    dialog just closed may have left none active)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)


def role_of(window: KioskWindow) -> Role:
    return window.role  # read anew: mypy would keep what an earlier assert narrowed


def type_pin(pin: str) -> None:
    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, PinDialog)
        dialog.pin.setText(pin)
        dialog.accept()
        if pin != "4711":
            when_modal(lambda again: again.reject())  # asked again: give up

    when_modal(fill)


def test_a_steward_scans_but_cannot_reach_the_list_settings_or_undo(
    steward_door: Kiosk, qtbot: QtBot, server: RunningServer
) -> None:
    window = steward_door.window
    assert window.role == Role.STEWARD and not window.is_supervisor
    bar = window.tabs.tabBar()
    assert window.search is not None
    guests = window.tabs.indexOf(window.search)
    assert not bar.isTabVisible(guests)
    assert window.settings_button.isHidden() and window.scan.undo.isHidden()
    assert window.status.waiting.isHidden()
    statistics = window.statistics
    assert statistics is not None and not statistics.export.isEnabled()
    # Scanning works and is answered.
    outcome = steward_door.scan(server.code_of(0), "scanner")
    assert outcome.verdict.kind == VerdictKind.ADMIT
    # Ctrl+F, Ctrl+Z and a stray undo signal reach nothing.
    ctrl_f(qtbot, window)
    assert window.tabs.currentWidget() is window.scan
    window.scan.undo_requested.emit()
    view = steward_door.store.guest_by_code(server.code_of(0))
    assert view is not None and view.guest.is_checked_in
    # A wrong PIN keeps the steward a steward.
    type_pin("0000")
    window.toggle_role()
    assert window.role == Role.STEWARD and not bar.isTabVisible(guests)


def test_the_staff_pin_makes_a_supervisor_who_can_hand_back(
    steward_door: Kiosk, qtbot: QtBot, server: RunningServer
) -> None:
    window = steward_door.window
    type_pin("4711")
    window.toggle_role()
    assert window.role == Role.SUPERVISOR
    assert window.search is not None
    guests = window.tabs.indexOf(window.search)
    assert window.tabs.tabBar().isTabVisible(guests)
    assert not window.settings_button.isHidden()
    ctrl_f(qtbot, window)
    assert window.tabs.currentWidget() is window.search
    steward_door.scan(server.code_of(1), "scanner")
    assert not window.scan.undo.isHidden() and window.scan.undo.isEnabled()
    window.scan.undo.click()
    view = steward_door.store.guest_by_code(server.code_of(1))
    assert view is not None and not view.guest.is_checked_in
    # Handing the laptop back: the list closes on the steward.
    window.tabs.setCurrentWidget(window.search)
    window.toggle_role()
    assert role_of(window) == Role.STEWARD and window.tabs.currentWidget() is window.scan
    assert window.settings_button.isHidden()


def test_a_door_without_a_pin_is_a_supervisors_until_one_is_chosen(
    server: RunningServer, qtbot: QtBot, tmp_path: Path
) -> None:
    data, reel = logged_in_door(server, tmp_path, sync=False)
    with open_kiosk(qtbot, data, str(reel)) as kiosk:
        window = kiosk.window
        assert window.role == Role.SUPERVISOR

        def choose(dialog: QDialog) -> None:
            assert isinstance(dialog, PinDialog)
            dialog.pin.setText("2468")
            dialog.again.setText("2468")
            dialog.accept()

        when_modal(choose)
        window.toggle_role()  # handing over first asks for the PIN to come back with
        assert role_of(window) == Role.STEWARD
        assert KioskSettings.load(data).pin_matches("2468")


def test_a_supervisor_who_walks_away_leaves_a_stewards_door(
    steward_door: Kiosk, qtbot: QtBot
) -> None:
    window = steward_door.window
    window.supervisor_idle.setInterval(400)
    type_pin("4711")
    window.toggle_role()
    assert window.role == Role.SUPERVISOR
    # Keys keep the supervisor's role alive...
    for _ in range(3):
        qtbot.wait(200)
        QTest.keyClick(window.scan, Qt.Key.Key_Shift)
    assert window.role == Role.SUPERVISOR
    # ...nothing for a while, and the door is a steward's again.
    qtbot.waitUntil(lambda: role_of(window) == Role.STEWARD, timeout=5000)
    assert window.settings_button.isHidden()
