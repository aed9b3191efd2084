"""USB barcode scanners anywhere in the window, without mistaking typing for a scan.

Installed on the QApplication, the filter takes every key press meant for the focus
widget and hands it to the WedgeDetector. A scanner's burst becomes the ``scanned``
signal and never reaches a widget; keys a person types are re-sent to the widget
they were meant for a few milliseconds later, unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from doorcheck.domain.wedge import Calibrated, Scanned, Typed, WedgeDetector

# What the filter keeps of a held key press, to send it again as typing.
KeyRecord = tuple[QObject, int, Qt.KeyboardModifier, str]

_TERMINATORS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab}


class ScannerKeyFilter(QObject):
    scanned = Signal(str)
    calibrated = Signal(str)  # the keyboard layout the calibration code revealed

    def __init__(
        self,
        detector: WedgeDetector | None = None,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.detector = detector or WedgeDetector()
        self.clock = clock  # the time keys arrive at (a test gives its own)
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setInterval(10)
        self._timer.timeout.connect(self.tick)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        if not isinstance(event, QKeyEvent) or watched is not QApplication.focusWidget():
            return False  # the same event on its way through windows and parents
        key = Qt.Key(event.key())
        terminator = key in _TERMINATORS
        text = event.text()
        if event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            return False  # shortcuts are never part of a code
        if not terminator and (not text or not text.isprintable()):
            return False  # arrows, function keys: pass straight through
        record = (watched, event.key(), event.modifiers(), text)
        self._apply(self.detector.key(self.clock(), text, terminator, record))
        if self.detector.holding and not self._timer.isActive():
            self._timer.start()
        return True

    def tick(self) -> None:
        self._apply(self.detector.tick(self.clock()))
        if not self.detector.holding:
            self._timer.stop()

    def _apply(self, actions: list[Scanned | Typed | Calibrated]) -> None:
        for action in actions:
            if isinstance(action, Scanned):
                self.scanned.emit(action.code)
                continue
            if isinstance(action, Calibrated):
                self.calibrated.emit(action.layout)
                continue
            self._replaying = True
            try:
                for record in action.events:
                    target, key, modifiers, text = cast(KeyRecord, record)
                    if isinstance(target, QWidget):
                        replay = QKeyEvent(QEvent.Type.KeyPress, key, modifiers, text)
                        QApplication.sendEvent(target, replay)
            finally:
                self._replaying = False
