"""The list behind "N waiting": changes not yet answered, conflicts and rejections.

Read off the GUI thread (``ui.tasks``): after a long offline stretch the list holds
thousands of changes, and the door keeps scanning while it loads."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
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
from doorcheck.ui.i18n import mark, shown, tr
from doorcheck.ui.plain import clip, plain_labels
from doorcheck.ui.tasks import TaskRunner
from doorcheck.views import ChangeView
from doorcheck.wording import change_note

STATE_WORDS = {
    "pending": mark("Waiting to upload"),
    "sent": mark("Sent, no answer yet"),
    "conflict": mark("Conflict"),
    "rejected": mark("Rejected by the server"),
}
ACTION_WORDS = {"checkIn": mark("Check-in"), "checkOut": mark("Check-out"), "undo": mark("Undo"),
                "addCompanion": mark("New companion")}  # fmt: skip


class ChangesDialog(QDialog):
    def __init__(
        self, changes: Callable[[], Sequence[ChangeView]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Changes at this door"))
        self._changes = changes
        self.summary = QLabel()
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [tr("State"), tr("What"), tr("Guest"), tr("Door time"), tr("Why")]
        )
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for column in range(4):
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName(tr("Changes waiting, in conflict or rejected"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 480)
        plain_labels(self)
        self.tasks = TaskRunner(self)
        self.summary.setText(tr("Looking for changes\u2026"))
        self.refresh()

    def refresh(self) -> None:
        changes = self._changes
        self.tasks.run(lambda: list(changes()), self._show, key="changes")

    def _show(self, rows: list[ChangeView]) -> None:
        self.table.setRowCount(len(rows))
        for index, change in enumerate(rows):
            when = parse_datetime(change.door_time)
            cells = [
                tr(STATE_WORDS.get(change.state, change.state)),
                tr(ACTION_WORDS.get(change.action, change.action)),
                clip(change.guest_name),
                when.astimezone().strftime("%H:%M:%S") if when else change.door_time,
                clip(shown(change_note(change))),
            ]
            for column, text in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(text))
        self.summary.setText(
            tr("{count} changes need attention or wait for the server.").format(count=len(rows))
            if rows
            else tr("Every change made at this door has reached the server.")
        )
