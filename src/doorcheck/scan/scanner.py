"""The camera scanner: capture on one thread, decode on another, one event per scan.

Capture keeps only the newest frame: while a decode is busy, older frames are
dropped rather than queued, so what is decoded is what is in front of the camera
now. A camera that stops (unplugged) is reopened every second until it answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from doorcheck.domain.debounce import Debouncer
from doorcheck.scan.decoder import Corners, DecodedCode, Decoder
from doorcheck.scan.frames import FrameSourceError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanEvent:
    payload: str
    source: str  # "camera" or "scanner"
    time: float  # time.monotonic() when the frame was captured
    format: str = ""
    corners: Corners | None = None  # where the code is in the frame, for an overlay
    frame_size: tuple[int, int] | None = None  # (width, height) of that frame


class LatestFrame:
    """A one-slot mailbox: put replaces, take waits for a newer frame than last time."""

    def __init__(self) -> None:
        self._frame: tuple[int, float, np.ndarray] | None = None
        self._condition = threading.Condition()
        self._count = 0

    def put(self, frame: np.ndarray) -> None:
        with self._condition:
            self._count += 1
            self._frame = (self._count, time.monotonic(), frame)
            self._condition.notify_all()

    def take(self, after: int, timeout: float) -> tuple[int, float, np.ndarray] | None:
        with self._condition:
            if not self._condition.wait_for(
                lambda: self._frame is not None and self._frame[0] > after, timeout
            ):
                return None
            return self._frame


class CameraScanner:
    def __init__(
        self,
        open_frames: Callable[[], Iterator[np.ndarray]],
        on_scan: Callable[[ScanEvent], None],
        *,
        decoder: Decoder | None = None,
        debouncer: Debouncer | None = None,
        on_problem: Callable[[str | None], None] | None = None,
        on_frame: Callable[[np.ndarray, list[DecodedCode]], None] | None = None,
        reconnect_every: float = 1.0,
    ) -> None:
        self._open = open_frames
        self._on_scan = on_scan
        self._on_problem = on_problem or (lambda message: None)
        self._on_frame = on_frame
        self.decoder = decoder or Decoder()
        self.debouncer = debouncer or Debouncer()
        self.reconnect_every = reconnect_every
        self.frames = LatestFrame()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for target, name in ((self._capture, "doorcheck-capture"),
                             (self._decode, "doorcheck-decode")):  # fmt: skip
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(5)
        self._threads.clear()

    def _capture(self) -> None:
        while not self._stop.is_set():
            try:
                for frame in self._open():
                    self.frames.put(frame)
                    self._on_problem(None)
                    if self._stop.is_set():
                        return
                return  # a finite source (a file) has ended
            except FrameSourceError as exc:
                log.warning("%s", exc)
                self._on_problem(str(exc))
                self._stop.wait(self.reconnect_every)

    def _decode(self) -> None:
        seen = 0
        while not self._stop.is_set():
            taken = self.frames.take(seen, timeout=0.2)
            if taken is None:
                continue
            seen, captured, frame = taken
            codes = self.decoder.decode(frame, retry=seen)
            if self._on_frame is not None:
                self._on_frame(frame, codes)
            by_text = {code.text: code for code in codes}
            for text in self.debouncer.feed(captured, by_text):
                code = by_text[text]
                height, width = frame.shape[:2]
                self._on_scan(
                    ScanEvent(text, "camera", captured, code.format, code.corners, (width, height))
                )
