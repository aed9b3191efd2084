"""Cameras, the headless camera door, and decoding images and videos."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from doorcheck.commands.common import (
    CommandError,
    open_door,
    verdict_line,
)

if TYPE_CHECKING:
    from doorcheck.session.door import DoorSession
    from doorcheck.views import ScanOutcome


def cmd_cameras(args: argparse.Namespace) -> int:
    from doorcheck.scan.frames import list_cameras

    cameras = list_cameras()
    if not cameras:
        raise CommandError("no camera found (is one plugged in, and allowed for this program?)")
    for camera in cameras:
        print(f"{camera.index}: {camera.name}")
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    """A headless door with a camera: verdicts printed, syncing in the background."""
    from doorcheck.settings import KioskSettings

    with open_door(args) as door:
        settings = KioskSettings.load(door.data_dir)
        if args.camera is None:
            args.camera = settings.camera
        elif args.camera != settings.camera:
            settings.camera = args.camera  # remembered for next time, as the settings screen does
            settings.save(door.data_dir)
        scan_with_camera(door, args.camera, once=args.once)
    return 0


def scan_with_camera(door: DoorSession, camera: str, *, once: bool) -> None:
    """The camera door's verdicts and the camera's troubles, printed as they come."""
    from doorcheck.session.camera import watch_camera

    shown: list[str | None] = [None]

    def on_scan(outcome: ScanOutcome) -> None:
        print(f"{datetime.now():%H:%M:%S} {verdict_line(outcome)}", flush=True)

    def on_problem(message: str | None) -> None:
        # Said once, not every second while the scanner keeps trying the camera.
        if message != shown[0]:
            shown[0] = message
            note = message or "pictures are coming again"
            print(f"{datetime.now():%H:%M:%S} CAMERA: {note}", file=sys.stderr, flush=True)

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C ends a live camera's watch
        watch_camera(door, camera, once=once, on_scan=on_scan, on_problem=on_problem)


def cmd_decode(args: argparse.Namespace) -> int:
    """Why won't this ticket scan? Decode images and videos as the kiosk would."""
    from doorcheck.scan.decoder import DEFAULT_FORMATS, DecodedCode, Decoder
    from doorcheck.scan.frames import FrameSourceError, is_video, read_image, video_frames

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
        except FrameSourceError as exc:
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
