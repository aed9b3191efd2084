"""The screen at the door: which event and station, the camera picture, the verdict,
and undo.

Staff see the event's name and the station over the answer, so a laptop carried to
the wrong door, or logged in to last week's event, is noticed at the first glance.
The guest-facing variant (self check-in) shows the event's name and an optional
logo; its answer panel says in large type what to do, answers each guest large and
plainly, and returns to the instructions after a few seconds.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from doorcheck.ui.i18n import tr
from doorcheck.ui.plain import clip, plain_labels
from doorcheck.ui.preview import CameraPreview
from doorcheck.ui.verdict_panel import ACKNOWLEDGE_KEYS, VerdictPanel
from doorcheck.views import ScanOutcome

# A logo from a file staff chose: bounded, so a huge image cannot stall the door.
LOGO_MAX_BYTES = 5_000_000
LOGO_HEIGHT = 72


def load_logo(path: Path | None) -> QPixmap | None:
    """The event's logo for the self check-in screen, scaled to the header; None
    for no file, one too large, or one that is not an image."""
    if path is None:
        return None
    try:
        if path.stat().st_size > LOGO_MAX_BYTES:
            return None
    except OSError:
        return None
    pixmap = QPixmap(str(path))
    if pixmap.isNull():
        return None
    return pixmap.scaledToHeight(LOGO_HEIGHT, Qt.TransformationMode.SmoothTransformation)


class ScanScreen(QWidget):
    undo_requested = Signal()

    def __init__(
        self,
        guest_facing: bool = False,
        parent: QWidget | None = None,
        *,
        event_name: str = "",
        station: str = "",
        hide_names: bool = False,
        logo: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.guest_facing = guest_facing
        self.preview = CameraPreview()
        self.verdict = VerdictPanel(guest_facing=guest_facing, hide_names=hide_names)
        self.event_name = QLabel(clip(event_name))
        self.event_name.setAccessibleName(tr("Event"))
        self.station = QLabel(clip(station))
        self.station.setAccessibleName(tr("Station"))
        self.logo = QLabel()
        self.logo.setAccessibleName(tr("Logo"))
        self.set_logo(logo)
        for label, size, bold in ((self.event_name, 34 if guest_facing else 20, True),
                                  (self.station, 14, False)):  # fmt: skip
            font = label.font()
            font.setPointSize(size)
            font.setBold(bold)
            label.setFont(font)
        self.station.setVisible(not guest_facing)  # a guest needs the event, not the door
        self.station.setStyleSheet("color: #546e7a;")
        self.undo = QPushButton(tr("Undo last check-in"))
        self.undo.setAccessibleName(tr("Undo the last check-in"))
        self.undo.setVisible(not guest_facing)  # a guest cannot take a check-in back
        self.undo.setMinimumHeight(56)
        font = self.undo.font()
        font.setPointSize(16)
        self.undo.setFont(font)
        self.undo.setEnabled(False)
        self.undo.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # Enter belongs to the answer
        self.undo.clicked.connect(self.undo_requested)
        self._undo_off = QTimer(self)
        self._undo_off.setSingleShot(True)
        self._undo_off.timeout.connect(lambda: self.undo.setEnabled(False))
        header = QHBoxLayout()
        header.addWidget(self.logo)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.event_name)
        names.addWidget(self.station)
        header.addLayout(names, 1)
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
        body = QHBoxLayout()
        body.addWidget(self.preview, 3 if not guest_facing else 2)
        body.addLayout(right, 2 if not guest_facing else 3)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(body, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if guest_facing:
            self.event_name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        plain_labels(self)

    def set_logo(self, path: Path | None) -> None:
        """The event's logo over the self check-in screen (staff screens show none)."""
        pixmap = load_logo(path) if self.guest_facing else None
        self.logo.setVisible(pixmap is not None)
        if pixmap is not None:
            self.logo.setPixmap(pixmap)
        else:
            self.logo.clear()

    def show_outcome(self, outcome: ScanOutcome, undo_seconds: float = 15.0) -> None:
        self.verdict.show_outcome(outcome)
        if outcome.nonces:
            self.undo.setEnabled(True)
            self._undo_off.start(int(undo_seconds * 1000))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if Qt.Key(event.key()) in ACKNOWLEDGE_KEYS and self.verdict.acknowledge():
            return
        super().keyPressEvent(event)

    def show_badge_problem(self, text: str | None) -> None:
        """Why a badge did not print, or None once one prints again."""
        self.badge_note.setText(text or "")
        self.badge_note.setVisible(bool(text))
