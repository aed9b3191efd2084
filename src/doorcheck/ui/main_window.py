"""The kiosk window: the scan screen and the status bar."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QWidget

from doorcheck import __version__
from doorcheck.ui.scan_screen import ScanScreen
from doorcheck.ui.status_bar import DoorStatusBar


class KioskWindow(QMainWindow):
    def __init__(
        self, event_name: str, station: str, mode: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"doorcheck {__version__} \u2013 {event_name} \u2013 {station}")
        self.scan = ScanScreen()
        self.setCentralWidget(self.scan)
        self.status = DoorStatusBar(station, mode)
        self.setStatusBar(self.status)
        self.resize(1366, 768)
