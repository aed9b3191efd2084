"""The kiosk window: the door, the guest list, statistics, roles and the lock.

Two roles (docs/roles in the README): a steward scans and sees the answers; a
supervisor, who knows the staff PIN, can also search the list, check in by hand,
undo, export, pair doors and change the settings (wipe is among them). Once a
staff PIN is set the window opens for a steward. Locked, the window is full
screen, shows only the door and cannot be closed; the staff PIN unlocks it. The
self check-in variant faces guests: it never builds the guest list or the
statistics at all, so there is nothing to break out into.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from doorcheck import __version__
from doorcheck.ui.i18n import tr
from doorcheck.ui.pin_dialog import PinDialog
from doorcheck.ui.plain import clip, plain_labels
from doorcheck.ui.scan_screen import ScanScreen
from doorcheck.ui.search_panel import SearchPanel
from doorcheck.ui.statistics_panel import StatisticsPanel
from doorcheck.ui.status_bar import DoorStatusBar
from doorcheck.ui.tasks import TaskRunner
from doorcheck.views import ScanOutcome


class Role(StrEnum):
    STEWARD = "steward"  # scans and sees answers
    SUPERVISOR = "supervisor"  # also searches, checks in by hand, undoes, sets up


# A supervisor who walks away leaves a steward's door behind: after this long with
# no key or click, the window goes back to the steward's role (where a PIN is set).
SUPERVISOR_IDLE_MS = 5 * 60 * 1000


class IdleWatch(QObject):
    """Installed on the application: every key press or click restarts ``timer``."""

    def __init__(self, timer: QTimer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = timer

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        pressed = event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress)
        if pressed and self.timer.isActive():
            self.timer.start()
        return False


class KioskWindow(QMainWindow):
    settings_requested = Signal()
    lock_changed = Signal(bool)
    role_changed = Signal(str)

    def __init__(
        self,
        event_name: str,
        station: str,
        mode: str,
        search: SearchPanel | None = None,
        statistics: StatisticsPanel | None = None,
        *,
        self_check_in: bool = False,
        hide_names: bool = False,
        logo: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(
            f"doorcheck {__version__} \u2013 {clip(event_name)} \u2013 {clip(station)}"
        )
        self.self_check_in = self_check_in
        self.scan = ScanScreen(guest_facing=self_check_in, event_name=event_name,
                               station=station, hide_names=hide_names, logo=logo)  # fmt: skip
        self.tabs = QTabWidget()
        self.tabs.setStyleSheet("QTabBar::tab { font-size: 17px; padding: 10px 28px; }")
        self.tabs.addTab(self.scan, tr("Door"))
        # The guest-facing variant never holds a list of other guests.
        self.search = None if self_check_in else search
        self.statistics = None if self_check_in else statistics
        for unused in (search, statistics) if self_check_in else ():
            if unused is not None:
                unused.deleteLater()  # Qt's to delete, not Python's garbage collector's
        if self.search is not None:
            self.tabs.addTab(self.search, tr("Guests"))
            # A manual check-in is answered on the door screen, big, like a scan.
            self.search.acted.connect(self._show_manual)
        if self.statistics is not None:
            self.tabs.addTab(self.statistics, tr("Statistics"))
        self.tabs.currentChanged.connect(self._tab_opened)
        self.settings_button = QPushButton(tr("Settings"))
        self.settings_button.setAccessibleName(tr("Open the settings"))
        self.settings_button.clicked.connect(self.settings_requested)
        self.lock_button = QPushButton(tr("Lock"))
        self.lock_button.setAccessibleName(tr("Lock the kiosk (full screen, PIN to leave)"))
        self.lock_button.clicked.connect(self.toggle_lock)
        corner = QWidget()
        corner_layout = QHBoxLayout(corner)
        corner_layout.setContentsMargins(0, 0, 6, 0)
        self.role_button = QPushButton()
        self.role_button.clicked.connect(self.toggle_role)
        corner_layout.addWidget(self.settings_button)
        corner_layout.addWidget(self.role_button)
        corner_layout.addWidget(self.lock_button)
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        for button in (self.settings_button, self.role_button, self.lock_button):
            button.setMinimumHeight(36)
            button.setStyleSheet("font-size: 15px; padding: 2px 14px;")
        self.status = DoorStatusBar(station, mode)
        self.setStatusBar(self.status)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.tabs, 1)
        central_layout.addWidget(self.status.failing)  # the failing workers' strip
        self.setCentralWidget(central)
        # Locked, the tab bar and its corner are hidden: staff find this one instead.
        self.staff_button = QPushButton(tr("Staff"))
        self.staff_button.setAccessibleName(tr("Unlock with the staff PIN"))
        self.staff_button.setFlat(True)
        self.staff_button.clicked.connect(self.ask_unlock)
        self.staff_button.hide()
        self.status.insertWidget(0, self.staff_button)
        self.locked = False
        self.role = Role.SUPERVISOR  # until the composition root knows of a PIN
        self.pin_matches: Callable[[str], bool] = lambda pin: False
        self.has_pin: Callable[[], bool] = lambda: False
        self.set_pin: Callable[[str], None] = lambda pin: None
        # The window's own work off the GUI thread (an export); its panels and
        # dialogs have runners of their own, closed with it (stop_tasks).
        self.tasks = TaskRunner(self)
        self.supervisor_idle = QTimer(self)
        self.supervisor_idle.setSingleShot(True)
        self.supervisor_idle.setInterval(SUPERVISOR_IDLE_MS)
        self.supervisor_idle.timeout.connect(self._supervisor_gone)
        # The composition root installs it on the application, where every input passes.
        self.idle_watch = IdleWatch(self.supervisor_idle, self)
        self.resize(1366, 768)
        self.setMinimumSize(1024, 600)
        plain_labels(self)
        self._shortcuts()
        self._apply_access()

    def _shortcuts(self) -> None:
        """Keyboard-only operation: Ctrl+F finds a guest, Escape goes back to the door,
        Ctrl+Z undoes; in the list, Enter checks the chosen guest in (or out)."""
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.activated.connect(self.find_guest)
        back = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        back.activated.connect(lambda: self.tabs.setCurrentWidget(self.scan))
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.activated.connect(
            lambda: self.scan.undo.click() if self.may_undo and self.scan.undo.isEnabled() else None
        )

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR and not self.locked

    @property
    def may_undo(self) -> bool:
        return self.is_supervisor and not self.self_check_in

    def find_guest(self) -> None:
        if self.search is None or not self.is_supervisor:
            return
        self.tabs.setCurrentWidget(self.search)
        self.search.box.setFocus()
        self.search.box.selectAll()

    def _tab_opened(self, _index: int) -> None:
        """The guest list opens ready to type into: fast hands start with the name."""
        if self.search is not None and self.tabs.currentWidget() is self.search:
            self.search.box.setFocus()
            self.search.box.selectAll()

    def _show_manual(self, outcome: ScanOutcome) -> None:
        self.scan.show_outcome(outcome)
        self.tabs.setCurrentWidget(self.scan)

    # -- roles -------------------------------------------------------------------

    def set_role(self, role: Role) -> None:
        self.role = role
        self._apply_access()
        self.role_changed.emit(role.value)

    def _supervisor_gone(self) -> None:
        if self.role == Role.SUPERVISOR and self.has_pin() and not self.self_check_in:
            self.set_role(Role.STEWARD)

    def toggle_role(self) -> None:
        """A supervisor hands the laptop to a steward (a staff PIN is chosen first if
        there is none, or the steward could not be stopped from coming back); a
        steward becomes a supervisor with the PIN."""
        if self.role == Role.SUPERVISOR:
            if not self.has_pin():
                dialog = PinDialog(choose=True, parent=self)
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return
                self.set_pin(dialog.pin.text())
            self.set_role(Role.STEWARD)
        elif self.ask_pin():
            self.set_role(Role.SUPERVISOR)

    def _apply_access(self) -> None:
        """What this role (and the lock) may reach: a steward sees the door and the
        figures; the guest list, undo, the settings and the list of changes (it
        names guests) are a supervisor's."""
        supervisor = self.is_supervisor
        if supervisor and self.has_pin():
            self.supervisor_idle.start()  # until the supervisor hands back, or walks away
        else:
            self.supervisor_idle.stop()
        if self.search is not None and not supervisor and self.tabs.currentWidget() is self.search:
            # Back to the door first: a hidden current tab would hand over to its
            # neighbour, not to the door.
            self.tabs.setCurrentWidget(self.scan)
        if self.search is not None:
            self.tabs.tabBar().setTabVisible(self.tabs.indexOf(self.search), supervisor)
        self.settings_button.setVisible(supervisor)
        self.role_button.setText(tr("Steward mode") if supervisor else tr("Supervisor\u2026"))
        self.role_button.setAccessibleName(
            tr("Hand the door to a steward") if supervisor
            else tr("Become a supervisor with the staff PIN")
        )  # fmt: skip
        self.scan.undo.setVisible(self.may_undo)
        self.status.waiting.setVisible(supervisor and self.status.uploads)
        if self.statistics is not None:
            self.statistics.export.setEnabled(supervisor)
            self.statistics.pair.setEnabled(supervisor)

    # -- the lock ----------------------------------------------------------------

    def toggle_lock(self) -> None:
        if self.locked:
            self.ask_unlock()
        else:
            self.lock()

    def lock(self) -> bool:
        """Full screen, door only. Without a PIN yet, staff choose one first."""
        if not self.has_pin():
            dialog = PinDialog(choose=True, parent=self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            self.set_pin(dialog.pin.text())
        self._set_locked(True)
        return True

    def ask_unlock(self) -> bool:
        if self.ask_pin():
            self.unlock()
            return True
        return False

    def ask_pin(self) -> bool:
        """The staff PIN asked until it is right or staff give up."""
        dialog = PinDialog(choose=False, parent=self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            if self.pin_matches(dialog.pin.text()):
                return True
            dialog.message.setText(tr("Wrong PIN. Try again."))
            dialog.pin.clear()
        return False

    def unlock(self) -> None:
        """Unlocked with the staff PIN: whoever typed it is a supervisor."""
        self.role = Role.SUPERVISOR
        self._set_locked(False)

    def _set_locked(self, locked: bool, full_screen: bool = True) -> None:
        self.locked = locked
        self.tabs.setCurrentWidget(self.scan)
        self.tabs.tabBar().setVisible(not locked)
        self.tabs.cornerWidget(Qt.Corner.TopRightCorner).setVisible(not locked)
        self.staff_button.setVisible(locked)
        # The list of changes names other guests: not for whoever stands at a locked door.
        self._apply_access()
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, locked)
        if locked and full_screen:
            self.showFullScreen()
        else:
            self.showNormal()
        self.lock_changed.emit(locked)

    def stop_tasks(self) -> None:
        """No more answers from tasks of this window, its panels and dialogs; a task
        running is waited for briefly, so a check-in on its way reaches the disk
        before the store closes (and one that takes longer ends unheard)."""
        for runner in self.findChildren(TaskRunner):
            runner.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.locked:
            event.ignore()  # Alt+F4 and the like: the PIN is the only way out
            return
        self.stop_tasks()
        super().closeEvent(event)
