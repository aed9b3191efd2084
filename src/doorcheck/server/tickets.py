"""Printable QR tickets and station setup codes, made with the ``qrcode`` package."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from doorcheck.domain.guest import Guest
from doorcheck.protocol.setup import setup_payload

__all__ = ["qr_image", "setup_payload", "ticket_image", "write_tickets"]

_A4_AT_150_DPI = (1240, 1754)


def qr_image(payload: str, box_size: int = 10) -> Image.Image:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4
    )
    code.add_data(payload)
    code.make(fit=True)
    image: Image.Image = code.make_image(fill_color="black", back_color="white").get_image()
    return image.convert("RGB")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def ticket_image(guest: Guest, event_name: str) -> Image.Image:
    """One ticket: the event, the guest's name and the access code as QR and text."""
    assert guest.access_code is not None
    code = qr_image(guest.access_code, box_size=12)
    width = max(600, code.width + 80)
    ticket = Image.new("RGB", (width, code.height + 230), "white")
    draw = ImageDraw.Draw(ticket)
    draw.text((40, 30), event_name, fill="black", font=_font(34))
    draw.text((40, 80), guest.display_name, fill="black", font=_font(28))
    ticket.paste(code, ((width - code.width) // 2, 130))
    draw.text((40, code.height + 150), guest.access_code, fill="black", font=_font(30))
    return ticket


def safe_filename(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "ticket"


def write_tickets(guests: Sequence[Guest], event_name: str, out_dir: Path) -> list[Path]:
    """A PNG per guest and ``tickets.pdf`` with four tickets per A4 page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    images: list[Image.Image] = []
    for guest in guests:
        image = ticket_image(guest, event_name)
        path = out_dir / f"{safe_filename(guest.access_code or guest.id)}.png"
        image.save(path)
        written.append(path)
        images.append(image)
    if images:
        pages = []
        for start in range(0, len(images), 4):
            page = Image.new("RGB", _A4_AT_150_DPI, "white")
            for slot, image in enumerate(images[start : start + 4]):
                cell_w, cell_h = _A4_AT_150_DPI[0] // 2, _A4_AT_150_DPI[1] // 2
                image.thumbnail((cell_w - 40, cell_h - 40))
                page.paste(image, ((slot % 2) * cell_w + 20, (slot // 2) * cell_h + 20))
            pages.append(page)
        pdf = out_dir / "tickets.pdf"
        pages[0].save(pdf, "PDF", resolution=150, save_all=True, append_images=pages[1:])
        written.append(pdf)
    return written
