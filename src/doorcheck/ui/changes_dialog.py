"""The list behind "N waiting": changes not yet answered, conflicts and rejections."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from doorcheck.domain.timeutil import parse_datetime
from doorcheck.store.local import ChangeView

STATE_WORDS = {
    "pending": "Waiting to upload",
    "sent": "Sent, no answer yet",
    "conflict": "Conflict",
    "rejected": "Rejected by the server",
}
ACTION_WORDS = {"checkIn": "Check-in", "checkOut": "Check-out", "undo": "Undo",
                "addCompanion": "New companion"}  # fmt: skip


class ChangesDialog(QDialog):
    def __init__(
        self, changes: Callable[[], Sequence[ChangeView]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Changes at this door")
        self._changes = changes
        self.summary = QLabel()
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["State", "What", "Guest", "Door time", "Why"])
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("Changes waiting, in conflict or rejected")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 480)
        self.refresh()

    def refresh(self) -> None:
        rows = list(self._changes())
        self.table.setRowCount(len(rows))
        for index, change in enumerate(rows):
            when = parse_datetime(change.door_time)
            cells = [
                STATE_WORDS.get(change.state, change.state),
                ACTION_WORDS.get(change.action, change.action),
                change.guest_name,
                when.astimezone().strftime("%H:%M:%S") if when else change.door_time,
                change.message or change.last_error or "",
            ]
            for column, text in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(text))
        self.summary.setText(
            f"{len(rows)} changes need attention or wait for the server."
            if rows
            else "Every change made at this door has reached the server."
        )
