"""Where frames come from: a camera, a video file, or a folder of images.

Files and folders let the demo and the tests run without a camera; a video can loop
(the demo's ticket reel).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

# Our own messages say what went wrong; OpenCV's console warnings would only repeat it.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mkv", ".mov", ".webm", ".m4v"}
# The largest picture decoded. A 48-megapixel phone photo (8000 x 6000) still reads;
# a larger one costs OpenCV 3 bytes a pixel in colour, plus the greyscale and the
# decoder's prepared copies (about 8 bytes a pixel in all, 400 MB here), and a header
# can claim 65500 x 65500 (12.9 GB) in a file of a few hundred bytes. The size comes
# from the header, read before any pixel is decoded.
MAX_IMAGE_PIXELS = 50_000_000

log = logging.getLogger(__name__)


class FrameSourceError(Exception):
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


def too_big(path: Path, size: tuple[int, int] | None = None) -> FrameSourceError:
    """What to say about a picture over MAX_IMAGE_PIXELS (``size`` where known)."""
    pixels = f" ({size[0]} x {size[1]} pixels)" if size else ""
    return FrameSourceError(
        f"{path} is too large{pixels}: pictures of up to "
        f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels are read (a phone photo fits); "
        "scale it down or crop it around the code"
    )


def image_size(path: Path) -> tuple[int, int]:
    """Width and height from the file's header, without decoding a pixel (Pillow
    reads the header only until the pixels are asked for)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning (our bound is the tighter one) and its notes on
            # corrupt metadata: the verdict on the file is ours, in words.
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                return image.size
    except Image.DecompressionBombError:
        # Over twice Pillow's own bound, far over ours: refused before it says the size.
        raise too_big(path) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        # SyntaxError: Pillow's word for a malformed header in some formats.
        raise FrameSourceError(f"{path} is not an image this program can read") from None


def read_image(path: Path) -> np.ndarray:
    """The picture in ``path``, refused in words when it is missing, not a picture,
    or larger than MAX_IMAGE_PIXELS by its header."""
    if not path.is_file():
        raise FrameSourceError(f"{path}: no such file")
    width, height = image_size(path)
    if width * height > MAX_IMAGE_PIXELS:
        raise too_big(path, (width, height))
    try:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    except cv2.error:
        image = None  # OpenCV's own checks of a malformed file
    if image is None:
        raise FrameSourceError(f"{path} is not an image this program can read")
    return image


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def unreadable_video(path: Path, *, codecs: bool) -> FrameSourceError:
    """What to say when a video does not open; ``codecs``: FFmpeg is built in.

    The Linux installer's OpenCV is built without FFmpeg (packaging/build-opencv) and
    reads only Motion-JPEG .avi files, so an .mp4 that opens in development does not
    open there, and the message must say why rather than call the file broken.
    """
    if codecs:
        return FrameSourceError(f"{path} is not a video this program can read")
    return FrameSourceError(
        f"{path} cannot be played: this installation plays Motion-JPEG .avi videos "
        "(like the demo's ticket reel) and folders of pictures, not compressed video. "
        "Convert the video to Motion-JPEG, or export its frames into a folder."
    )


def video_codecs_built_in() -> bool:
    return bool(cv2.videoio_registry.hasBackend(cv2.CAP_FFMPEG))


def video_frames(path: Path, *, loop: bool = False, pace: bool = False) -> Iterator[np.ndarray]:
    """Frames of a video file; ``pace`` plays them at the file's frame rate."""
    if not path.is_file():
        raise FrameSourceError(f"{path}: no such file")
    while True:
        capture = cv2.VideoCapture(str(path))
        if not capture.isOpened():
            raise unreadable_video(path, codecs=video_codecs_built_in())
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if width * height > MAX_IMAGE_PIXELS:
            capture.release()
            raise too_big(path, (width, height))
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
    """The pictures of a folder in name order; one that cannot be read (or is too big)
    is skipped with a warning, so one bad file does not stop the camera."""
    images = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise FrameSourceError(f"{path} holds no images")
    while True:
        shown = 0
        for image in images:
            try:
                frame = read_image(image)
            except FrameSourceError as exc:
                log.warning("skipped: %s", exc)
                continue
            shown += 1
            yield frame
            if every:
                time.sleep(every)
        if not shown:
            raise FrameSourceError(f"{path} holds no image this program can read")
        if not loop:
            return


def camera_frames(index: int, width: int = 1280, height: int = 720) -> Iterator[np.ndarray]:
    """Frames from a camera; raises FrameSourceError when it cannot be opened or stops."""
    capture = cv2.VideoCapture(index)
    if not capture.isOpened():
        raise FrameSourceError(
            f"Camera {index} cannot be opened: it may be in use by another program, "
            "unplugged, or the system may not allow this program to use the camera."
        )
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                raise FrameSourceError(f"Camera {index} stopped sending pictures (unplugged?)")
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
        raise FrameSourceError(f"{spec}: no such camera, file or folder")
    if is_video(path):
        return video_frames(path, loop=loop, pace=True)
    return folder_frames(path.parent, loop=loop, every=0.2)
