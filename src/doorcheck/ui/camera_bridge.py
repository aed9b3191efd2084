"""The camera scanner's callbacks, which come on worker threads, as Qt signals.

Signals emitted from a worker thread reach slots in the GUI thread through Qt's
queued connections: widgets never see a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from PySide6.QtCore import QObject, Signal

from doorcheck.scan.decoder import Decoder
from doorcheck.scan.scanner import CameraScanner, ScanEvent


class CameraBridge(QObject):
    scanned = Signal(object)  # a ScanEvent: payload, source, time, corners
    problem = Signal(str)  # what is wrong with the camera, "" once it works again

    def __init__(
        self,
        open_frames: Callable[[], Iterator[np.ndarray]],
        decoder: Decoder | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.scanner = CameraScanner(
            open_frames, self._on_scan, decoder=decoder, on_problem=self._on_problem
        )

    def start(self) -> None:
        self.scanner.start()

    def stop(self) -> None:
        self.scanner.stop()

    def _on_scan(self, event: ScanEvent) -> None:
        self.scanned.emit(event)

    def _on_problem(self, message: str | None) -> None:
        self.problem.emit(message or "")
