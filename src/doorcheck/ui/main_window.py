"""The kiosk window: the scan screen and the status bar."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QTabWidget, QWidget

from doorcheck import __version__
from doorcheck.services.checkin import ScanOutcome
from doorcheck.ui.scan_screen import ScanScreen
from doorcheck.ui.search_panel import SearchPanel
from doorcheck.ui.status_bar import DoorStatusBar


class KioskWindow(QMainWindow):
    def __init__(
        self,
        event_name: str,
        station: str,
        mode: str,
        search: SearchPanel | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"doorcheck {__version__} \u2013 {event_name} \u2013 {station}")
        self.scan = ScanScreen()
        self.tabs = QTabWidget()
        self.tabs.setStyleSheet("QTabBar::tab { font-size: 17px; padding: 10px 28px; }")
        self.tabs.addTab(self.scan, "Door")
        self.search = search
        if search is not None:
            self.tabs.addTab(search, "Guests")
            # A manual check-in is answered on the door screen, big, like a scan.
            search.acted.connect(self._show_manual)
        self.setCentralWidget(self.tabs)
        self.status = DoorStatusBar(station, mode)
        self.setStatusBar(self.status)
        self.resize(1366, 768)

    def _show_manual(self, outcome: ScanOutcome) -> None:
        self.scan.show_outcome(outcome)
        self.tabs.setCurrentWidget(self.scan)
