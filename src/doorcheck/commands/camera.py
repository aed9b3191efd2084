"""Cameras, the headless camera door, and decoding images and videos."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from doorcheck.commands.common import (
    CommandError,
    open_door,
)


def cmd_cameras(args: argparse.Namespace) -> int:
    from doorcheck.scan.sources import list_cameras

    cameras = list_cameras()
    if not cameras:
        raise CommandError("no camera found (is one plugged in, and allowed for this program?)")
    for camera in cameras:
        print(f"{camera.index}: {camera.name}")
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    """A headless door with a camera: verdicts printed, syncing in the background."""
    from doorcheck.scan.scanner import CameraScanner, ScanEvent
    from doorcheck.scan.sources import SourceError, open_frames
    from doorcheck.settings import KioskSettings

    door = open_door(args)
    settings = KioskSettings.load(door.data_dir)
    if args.camera is None:
        args.camera = settings.camera
    elif args.camera != settings.camera:
        settings.camera = args.camera  # remembered for next time, as the settings screen does
        settings.save(door.data_dir)
    service = door.service()
    engine = door.sync_worker()  # the window's worker: a spreadsheet's check-ins apply here
    service.on_change = engine.nudge
    finished = threading.Event()

    def on_scan(event: ScanEvent) -> None:
        outcome = service.scan(event.payload, event.source)
        label = outcome.verdict.kind.name.replace("_", " ")
        print(f"{datetime.now():%H:%M:%S} {label}: {outcome.headline}", flush=True)

    shown: list[str | None] = [None]

    def on_problem(message: str | None) -> None:
        # Said once, not every second while the scanner keeps trying the camera.
        if message != shown[0]:
            shown[0] = message
            note = message or "pictures are coming again"
            print(f"{datetime.now():%H:%M:%S} CAMERA: {note}", file=sys.stderr, flush=True)

    def frames() -> Iterator[Any]:
        yield from open_frames(args.camera, loop=not args.once)
        finished.set()

    try:
        open_frames(args.camera, loop=False)  # fail now, in words, on a wrong path
    except SourceError as exc:
        door.close()
        raise CommandError(str(exc)) from exc
    scanner = CameraScanner(frames, on_scan, on_problem=on_problem)
    engine.start()
    scanner.start()
    try:
        while not finished.wait(0.5):
            pass
        time.sleep(1.0)  # let the last frames be decoded
    except KeyboardInterrupt:
        pass
    finally:
        scanner.stop()
        engine.run_once()  # upload what the camera admitted
        engine.stop()
        door.remember_session()
        door.close()
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    """Why won't this ticket scan? Decode images and videos as the kiosk would."""
    from doorcheck.scan.decoder import DEFAULT_FORMATS, DecodedCode, Decoder
    from doorcheck.scan.sources import SourceError, is_video, read_image, video_frames

    formats = args.formats.split(",") if args.formats else list(DEFAULT_FORMATS)
    try:
        decoder = Decoder(formats)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    any_code = False
    for name in args.files:
        path = Path(name)
        codes: list[DecodedCode] = []
        error = None
        try:
            if is_video(path):
                seen: set[tuple[str, str]] = set()
                for index, frame in enumerate(video_frames(path)):
                    for code in decoder.decode(frame, retry=index):
                        if (code.format, code.text) not in seen:
                            seen.add((code.format, code.text))
                            codes.append(code)
            else:
                codes = decoder.decode(read_image(path))
        except SourceError as exc:
            error = str(exc)
        any_code = any_code or bool(codes)
        if args.json:
            line: dict[str, object] = {"file": name, "codes": [c.as_json() for c in codes]}
            if error:
                line["error"] = error
            print(json.dumps(line, ensure_ascii=False))
        elif error:
            print(error, file=sys.stderr)
        elif not codes:
            print(f"{name}: no code found", file=sys.stderr)
        else:
            for code in codes:
                print(f"{name}: {code.format}: {code.text!r}"[:10_000])
    return 0 if any_code else 1
