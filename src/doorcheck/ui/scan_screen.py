"""The screen at the door: camera picture, the verdict, and undo."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from doorcheck.ui.i18n import tr
from doorcheck.ui.preview import CameraPreview
from doorcheck.ui.verdict_panel import VerdictPanel
from doorcheck.views import ScanOutcome


class ScanScreen(QWidget):
    undo_requested = Signal()

    def __init__(self, guest_facing: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = CameraPreview()
        self.verdict = VerdictPanel(guest_facing=guest_facing)
        self.undo = QPushButton(tr("Undo last check-in"))
        self.undo.setAccessibleName(tr("Undo the last check-in"))
        self.undo.setVisible(not guest_facing)  # a guest cannot take a check-in back
        self.undo.setMinimumHeight(56)
        font = self.undo.font()
        font.setPointSize(16)
        self.undo.setFont(font)
        self.undo.setEnabled(False)
        self.undo.clicked.connect(self.undo_requested)
        self._undo_off = QTimer(self)
        self._undo_off.setSingleShot(True)
        self._undo_off.timeout.connect(lambda: self.undo.setEnabled(False))
        # A badge that did not print (issue 15), said until one prints again: the
        # check-in above it counts all the same.
        self.badge_note = QLabel()
        self.badge_note.setAccessibleName(tr("Badge printing"))
        self.badge_note.setWordWrap(True)
        self.badge_note.setTextFormat(Qt.TextFormat.PlainText)  # a printer's name
        self.badge_note.setStyleSheet(
            "font-size: 17px; color: #b71c1c; background: #ffebee; padding: 6px;"
        )
        self.badge_note.hide()
        right = QVBoxLayout()
        right.addWidget(self.verdict, 1)
        right.addWidget(self.badge_note)
        right.addWidget(self.undo)
        layout = QHBoxLayout(self)
        layout.addWidget(self.preview, 3)
        layout.addLayout(right, 2)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def show_outcome(self, outcome: ScanOutcome, undo_seconds: float = 15.0) -> None:
        self.verdict.show_outcome(outcome)
        if outcome.nonces:
            self.undo.setEnabled(True)
            self._undo_off.start(int(undo_seconds * 1000))

    def show_badge_problem(self, text: str | None) -> None:
        """Why a badge did not print, or None once one prints again."""
        self.badge_note.setText(text or "")
        self.badge_note.setVisible(bool(text))
