"""The calibration sheet: one scan of it tells the kiosk the laptop's keyboard layout.

A USB scanner types key positions of a US keyboard; on a German or French layout
some of them come out as other characters. The sheet carries CALIBRATION_CODE as
Code 128 (every USB scanner reads it) and as QR (for 2D scanners); the kiosk
recognises it whatever layout garbled it and corrects every later scan.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from doorcheck.domain.wedge import CALIBRATION_CODE

_A4_AT_150_DPI = (1240, 1754)
TEXT = (
    "doorcheck: keyboard calibration",
    "Open the kiosk, then scan one of these codes with the USB scanner.",
    "The kiosk answers with the keyboard layout it found and corrects",
    "every later scan. Do it once per laptop and scanner.",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def _code(barcode_format: zxingcpp.BarcodeFormat, scale: int) -> Image.Image:
    barcode = zxingcpp.create_barcode(CALIBRATION_CODE, barcode_format)
    pixels = np.asarray(barcode.to_image(scale=scale, add_quiet_zones=True))
    return Image.fromarray(pixels).convert("RGB")


def calibration_sheet() -> Image.Image:
    page = Image.new("RGB", _A4_AT_150_DPI, "white")
    draw = ImageDraw.Draw(page)
    y = 120
    for i, line in enumerate(TEXT):
        draw.text((100, y), line, fill="black", font=_font(54 if i == 0 else 32))
        y += 90 if i == 0 else 48
    y += 60
    for image in (
        _code(zxingcpp.BarcodeFormat.Code128, 4),
        _code(zxingcpp.BarcodeFormat.QRCode, 14),
    ):
        page.paste(image, ((page.width - image.width) // 2, y))
        y += image.height + 80
    draw.text((100, y), CALIBRATION_CODE, fill="#555555", font=_font(28))
    return page


def write_calibration_sheet(path: Path) -> Path:
    """PNG or PDF, by the file's suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet = calibration_sheet()
    if path.suffix.lower() == ".pdf":
        sheet.save(path, "PDF", resolution=150)
    else:
        sheet.save(path)
    return path
