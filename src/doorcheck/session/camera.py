"""The camera door without a window: `doorcheck scan` and the demo's walk-through."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from doorcheck.scan.frames import FrameSourceError, open_frames
from doorcheck.scan.scanner import CameraScanner, ScanEvent
from doorcheck.session.door import DoorSession
from doorcheck.session.errors import DoorError, Problem
from doorcheck.views import ScanOutcome


def watch_camera(
    door: DoorSession,
    camera: str,
    *,
    once: bool,
    on_scan: Callable[[ScanOutcome], None],
    on_problem: Callable[[str | None], None],
) -> None:
    """Decide every code the camera reads, as the window would, while the door's
    worker keeps it in step; until the source ends (``once``: a file or folder played
    once) or KeyboardInterrupt. What the camera admitted is uploaded before it returns."""
    try:
        open_frames(camera, loop=False)  # fail now, in words, on a wrong path
    except FrameSourceError as exc:
        raise DoorError(Problem.SOURCE_FAILED, why=str(exc)) from exc
    # The service first: it may log in and learn the station's name as the server
    # spells it, which picks the store file; the worker must be made on that file.
    service = door.service()
    worker = door.sync_worker()  # the window's worker: a spreadsheet's check-ins apply here
    service.on_change = worker.nudge
    finished = threading.Event()

    def scanned(event: ScanEvent) -> None:
        on_scan(service.scan(event.payload, event.source))

    def frames() -> Iterator[Any]:
        yield from open_frames(camera, loop=not once)
        finished.set()

    scanner = CameraScanner(frames, scanned, on_problem=on_problem)
    worker.start()
    scanner.start()
    try:
        while not finished.wait(0.5):
            pass
        time.sleep(1.0)  # let the last frames be decoded
    finally:
        scanner.stop()
        worker.run_once()  # upload what the camera admitted
        worker.stop()
        door.remember_session()
