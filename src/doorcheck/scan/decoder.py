"""Decoding barcodes in images with zxing-cpp, with retries that help hard images.

zxing-cpp reads about 90% of real QR photos where OpenCV's detectors read half
(shared/reference/scanning.md). It releases the GIL, so decoding on a worker thread
never stalls the GUI. Payloads are read in plain text mode: the default "HRI" mode
rewrites control characters as visible glyphs, which breaks exact matches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

DEFAULT_FORMATS = ("QRCode", "Code128", "PDF417", "Aztec", "DataMatrix")

Image = np.ndarray  # a greyscale (H, W) or BGR (H, W, 3) uint8 array
Corners = tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]


@dataclass(frozen=True, slots=True)
class DecodedCode:
    format: str
    text: str
    raw: bytes
    corners: Corners  # top-left, top-right, bottom-right, bottom-left, in image pixels

    def as_json(self) -> dict[str, object]:
        return {
            "format": self.format,
            "text": self.text,
            "bytes": self.raw.hex(),
            "corners": [list(point) for point in self.corners],
        }


def parse_formats(names: Sequence[str]) -> zxingcpp.BarcodeFormats:
    """Format names as zxing-cpp spells them ("QRCode", "Code128", ...)."""
    chosen = []
    for name in names:
        try:
            chosen.append(getattr(zxingcpp.BarcodeFormat, name))
        except AttributeError:
            raise ValueError(f"unknown barcode format {name!r}") from None
    return zxingcpp.BarcodeFormats(chosen)


def _grey(image: Image) -> Image:
    if image.ndim == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return image


def _upscale(image: Image) -> Image | None:
    # Small crops (under ~500 px) carry codes a few pixels per module wide.
    if max(image.shape[:2]) >= 500:
        return None
    return cv2.resize(image, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_CUBIC)


def _smooth(image: Image) -> Image:
    # A phone screen's pixel grid beats with the camera's: moiré. A light blur
    # removes the beat and keeps modules of 3 px and more.
    return cv2.GaussianBlur(image, (0, 0), 1.2)


def _equalize(image: Image) -> Image:
    # Glare, shadows, a dim screen: local contrast equalization.
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(image)


def _same(image: Image) -> Image:
    return image


@dataclass(frozen=True)
class Pass:
    """One attempt: how to prepare the image, and how zxing-cpp should search it."""

    name: str
    prepare: Callable[[Image], Image | None] = _same
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage
    rotate: bool = True  # also look for linear codes turned 90 degrees
    invert: bool = True  # also look for light-on-dark codes (dark-mode screens)


FULL = Pass("full")
# For stills: after the full pass, each of these in turn until one finds something.
REMEDIES = (
    Pass("histogram", binarizer=zxingcpp.Binarizer.GlobalHistogram),
    Pass("upscale", _upscale),
    Pass("smooth", _smooth),
    Pass("equalize", _equalize),
    Pass("smooth+histogram", _smooth, zxingcpp.Binarizer.GlobalHistogram),
)
# For camera frames: a fast pass every frame (2D codes are found at any angle), and
# one remedy per frame in rotation, so an empty frame, the door's usual sight,
# costs little. A linear code turned 90 degrees or an inverted one waits a frame or
# three for the full search.
FAST = Pass("fast", rotate=False, invert=False)
FRAME_REMEDIES = (
    FULL,
    Pass("histogram", binarizer=zxingcpp.Binarizer.GlobalHistogram, rotate=False),
    Pass("smooth", _smooth, rotate=False),
    Pass("smooth+histogram", _smooth, zxingcpp.Binarizer.GlobalHistogram, rotate=False),
)  # equalization costs a whole frame's budget: it stays a remedy for stills


class Decoder:
    """Decodes one image or frame; thread-safe (it holds no state between calls)."""

    def __init__(self, formats: Sequence[str] = DEFAULT_FORMATS) -> None:
        self._formats = parse_formats(formats)

    def _read(self, image: Image, attempt: Pass) -> list[DecodedCode]:
        found = zxingcpp.read_barcodes(
            image,
            formats=self._formats,
            text_mode=zxingcpp.TextMode.Plain,
            binarizer=attempt.binarizer,
            try_rotate=attempt.rotate,
            try_invert=attempt.invert,
        )
        return [_decoded(code) for code in found if code.valid]

    def decode(self, image: Image, *, retry: int | None = None) -> list[DecodedCode]:
        """The codes in ``image``.

        ``retry=None`` (a still image): the full pass, then every remedy until one
        finds something. ``retry=k`` (the k-th camera frame): the fast pass and the
        k-th frame remedy, so consecutive frames try different remedies
        ("retries across frames") at the cost of one extra pass each.
        """
        grey = _grey(image)
        if retry is None:
            passes: tuple[Pass, ...] = (FULL, *REMEDIES)
        else:
            passes = (FAST, FRAME_REMEDIES[retry % len(FRAME_REMEDIES)])
        for attempt in passes:
            prepared = attempt.prepare(grey)
            if prepared is None:
                continue
            codes = self._read(prepared, attempt)
            if codes:
                scale = prepared.shape[0] / grey.shape[0]
                return [_rescaled(code, scale) for code in codes] if scale != 1 else codes
        return []


def _decoded(code: zxingcpp.Barcode) -> DecodedCode:
    position = code.position
    corners = tuple(
        (int(point.x), int(point.y))
        for point in (position.top_left, position.top_right,
                      position.bottom_right, position.bottom_left)
    )  # fmt: skip
    return DecodedCode(
        format=str(code.format).removeprefix("BarcodeFormat."),
        text=code.text,
        raw=bytes(code.bytes),
        corners=corners,  # type: ignore[arg-type]
    )


def _rescaled(code: DecodedCode, scale: float) -> DecodedCode:
    corners = tuple((int(x / scale), int(y / scale)) for x, y in code.corners)
    return DecodedCode(code.format, code.text, code.raw, corners)  # type: ignore[arg-type]
