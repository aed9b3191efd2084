"""The camera scanner's callbacks, which come on worker threads, as Qt signals.

Signals emitted from a worker thread reach slots in the GUI thread through Qt's
queued connections: widgets never see a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from doorcheck.scan.decoder import DecodedCode, Decoder
from doorcheck.scan.scanner import CameraScanner, ScanEvent
from doorcheck.ui.preview import to_qimage


class CameraBridge(QObject):
    scanned = Signal(object)  # a ScanEvent: payload, source, time, corners
    problem = Signal(str)  # what is wrong with the camera, "" once it works again
    frame = Signal(QImage, list)  # a picture for the preview, and the codes' outlines

    def __init__(
        self,
        open_frames: Callable[[], Iterator[np.ndarray]],
        decoder: Decoder | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.scanner = CameraScanner(
            open_frames,
            self._on_scan,
            decoder=decoder,
            on_problem=self._on_problem,
            on_frame=self._on_frame,
        )
        self._last_preview = 0.0

    def start(self) -> None:
        self.scanner.start()

    def stop(self) -> None:
        self.scanner.stop()

    def _on_scan(self, event: ScanEvent) -> None:
        self.scanned.emit(event)

    def _on_problem(self, message: str | None) -> None:
        self.problem.emit(message or "")

    def _on_frame(self, frame: np.ndarray, codes: list[DecodedCode]) -> None:
        # At most 15 pictures a second reach the GUI; a preview needs no more.
        now = time.monotonic()
        if codes or now - self._last_preview >= 1 / 15:
            self._last_preview = now
            self.frame.emit(to_qimage(frame), [code.corners for code in codes])
