"""Where frames come from: a camera, a video file, or a folder of images.

Files and folders let the demo and the tests run without a camera; a video can loop
(the demo's ticket reel).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# Our own messages say what went wrong; OpenCV's console warnings would only repeat it.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v"}


class SourceError(Exception):
    """A camera or file that cannot give frames; the message says what to do."""


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str


def camera_name(index: int, sysfs: Path = Path("/sys/class/video4linux")) -> str:
    """The camera's own name where the system gives it (Linux), else "Camera N".

    Qt's device list would give names everywhere, but it lives in QtMultimedia, a
    wheel of hundreds of megabytes for one list.
    """
    try:
        name = (sysfs / f"video{index}" / "name").read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    return name or f"Camera {index}"


def list_cameras(limit: int = 6) -> list[CameraInfo]:
    """Cameras OpenCV can open, by index, with their names where known."""
    found = []
    for index in range(limit):
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened():
                found.append(CameraInfo(index, camera_name(index)))
        finally:
            capture.release()
    return found


def read_image(path: Path) -> np.ndarray:
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SourceError(f"{path} is not an image this program can read")
    return image


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def unreadable_video(path: Path, *, codecs: bool) -> SourceError:
    """What to say when a video does not open; ``codecs``: FFmpeg is built in.

    The Linux installer's OpenCV is built without FFmpeg (packaging/build-opencv) and
    reads only Motion-JPEG .avi files, so an .mp4 that opens in development does not
    open there, and the message must say why rather than call the file broken.
    """
    if codecs:
        return SourceError(f"{path} is not a video this program can read")
    return SourceError(
        f"{path} cannot be played: this installation plays Motion-JPEG .avi videos "
        "(like the demo's ticket reel) and folders of pictures, not compressed video. "
        "Convert the video to Motion-JPEG, or export its frames into a folder."
    )


def video_codecs_built_in() -> bool:
    return bool(cv2.videoio_registry.hasBackend(cv2.CAP_FFMPEG))


def video_frames(path: Path, *, loop: bool = False, pace: bool = False) -> Iterator[np.ndarray]:
    """Frames of a video file; ``pace`` plays them at the file's frame rate."""
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    while True:
        capture = cv2.VideoCapture(str(path))
        if not capture.isOpened():
            raise unreadable_video(path, codecs=video_codecs_built_in())
        delay = 1.0 / (capture.get(cv2.CAP_PROP_FPS) or 25.0)
        try:
            while True:
                ok, frame = capture.read()
                if not ok:
                    break
                yield frame
                if pace:
                    time.sleep(delay)
        finally:
            capture.release()
        if not loop:
            return


def folder_frames(path: Path, *, loop: bool = False, every: float = 0.0) -> Iterator[np.ndarray]:
    images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise SourceError(f"{path} holds no images")
    while True:
        for image in images:
            yield read_image(image)
            if every:
                time.sleep(every)
        if not loop:
            return


def camera_frames(index: int, width: int = 1280, height: int = 720) -> Iterator[np.ndarray]:
    """Frames from a camera; raises SourceError when it cannot be opened or stops."""
    capture = cv2.VideoCapture(index)
    if not capture.isOpened():
        raise SourceError(
            f"Camera {index} cannot be opened: it may be in use by another program, "
            "unplugged, or the system may not allow this program to use the camera."
        )
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                raise SourceError(f"Camera {index} stopped sending pictures (unplugged?)")
            yield frame
    finally:
        capture.release()


def open_frames(spec: str, *, loop: bool = True) -> Iterator[np.ndarray]:
    """``spec``: a camera index ("0"), a video file, or a folder of images."""
    if spec.isdigit():
        return camera_frames(int(spec))
    path = Path(spec)
    if path.is_dir():
        return folder_frames(path, loop=loop, every=0.2)
    if not path.exists():
        raise SourceError(f"{spec}: no such camera, file or folder")
    if is_video(path):
        return video_frames(path, loop=loop, pace=True)
    return folder_frames(path.parent, loop=loop, every=0.2)
