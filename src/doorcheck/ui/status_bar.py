"""What the door knows, always visible: online or not, last sync, waiting changes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from doorcheck.domain.timeutil import parse_datetime
from doorcheck.store.local import StoreStatus
from doorcheck.sync.engine import SyncStatus

MODE_NAMES = {"checkIn": "Check-in only", "toggle": "Check-in / check-out",
              "checkOut": "Check-out only"}  # fmt: skip


class DoorStatusBar(QStatusBar):
    changes_requested = Signal()

    def __init__(self, station: str, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = QLabel(f"{station} \u00b7 {MODE_NAMES.get(mode, mode)}")
        self.online = QLabel("Connecting\u2026")
        self.synced = QLabel("Never synced")
        self.waiting = QPushButton("0 waiting")
        self.waiting.setFlat(True)
        self.waiting.setToolTip("Show the changes waiting, in conflict or rejected")
        self.waiting.clicked.connect(self.changes_requested)
        self.inside = QLabel("0 / 0 in")
        for label, name in ((self.station, "Station and mode"), (self.online, "Server"),
                            (self.synced, "Last sync"), (self.waiting, "Changes waiting"),
                            (self.inside, "Checked in")):  # fmt: skip
            label.setAccessibleName(name)
            label.setStyleSheet("padding: 0 12px; font-size: 15px;")
            self.addPermanentWidget(label)

    def show_sync(self, status: SyncStatus) -> None:
        if status.online is None:
            return
        if status.online:
            self.online.setText("\u25cf Online")
            self.online.setStyleSheet("padding: 0 12px; font-size: 15px; color: #1b5e20;")
        else:
            self.online.setText("\u25cb OFFLINE \u2013 the door works on")
            self.online.setStyleSheet(
                "padding: 0 12px; font-size: 15px; color: #b71c1c; font-weight: bold;"
            )
        self.online.setToolTip(status.last_error or "")

    def show_store(self, status: StoreStatus) -> None:
        when = parse_datetime(status.last_sync)
        self.synced.setText(f"Synced {when.astimezone():%H:%M:%S}" if when else "Never synced")
        self.waiting.setText(
            f"{status.pending} waiting"
            + (f", {status.conflicts} conflicts" if status.conflicts else "")
            + (f", {status.rejected} rejected" if status.rejected else "")
        )
        self.inside.setText(f"{status.checked_in} / {status.guests} in")
