"""Name badges printed on check-in (issue 15): what is on one, on which label, when.

Pure rules and geometry, no Qt: the label sizes of the common badge printers, the
auto-print choice, a guest's badge text, and where each part of the badge goes on a
label (in millimetres). ``ui/badge.py`` paints this onto a printer's or a PDF's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from doorcheck.domain.guest import Guest

MM_PER_INCH = 25.4
# A badge's name and company are bounded before layout: the painter shrinks and
# elides what is left, this only keeps a hostile field from costing time.
MAX_TEXT = 200


class AutoPrint(StrEnum):
    """When a check-in prints a badge by itself."""

    OFF = "off"
    ONCE = "once"  # only if this door has not printed the guest's badge yet
    ALWAYS = "always"  # at every check-in

    @classmethod
    def parse(cls, value: object) -> AutoPrint:
        try:
            return cls(str(value))
        except ValueError:
            return cls.OFF


@dataclass(frozen=True, slots=True)
class LabelSize:
    """A label as the badge is read: ``width_mm`` across, ``height_mm`` down.

    ``landscape`` says the printer feeds it the other way round (its page is
    ``height_mm`` wide), as label printers print a wide badge across a narrow roll.
    """

    key: str
    name: str
    width_mm: float
    height_mm: float

    @property
    def landscape(self) -> bool:
        return self.width_mm > self.height_mm


LABEL_SIZES: dict[str, LabelSize] = {
    size.key: size
    for size in (
        # 62 mm continuous tape (DK-22205) cut at 100 mm: a badge of the usual length.
        LabelSize("brother62", "Brother QL, 62 mm continuous (62 x 100 mm)", 100.0, 62.0),
        # DYMO LabelWriter 99014 shipping/name badge labels.
        LabelSize("dymo", "DYMO 54 x 101 mm", 101.0, 54.0),
        LabelSize("zebra", "Zebra 4 x 3 in", 4 * MM_PER_INCH, 3 * MM_PER_INCH),
        LabelSize("a6", "A6 (105 x 148 mm)", 105.0, 148.0),
    )
}
DEFAULT_SIZE = "dymo"


def label_size(key: str | None) -> LabelSize:
    """The label of a key; an unknown or missing one is the default (DYMO)."""
    return LABEL_SIZES.get(key or "", LABEL_SIZES[DEFAULT_SIZE])


@dataclass(frozen=True, slots=True)
class BadgeOptions:
    """A door's badge settings (kept in the door's settings table)."""

    auto_print: AutoPrint = AutoPrint.OFF
    # A printer's name as the system lists it; "" the system's default printer;
    # PDF_PRINTER: PDF files in the door's data folder (badges/).
    printer: str = ""
    size: str = DEFAULT_SIZE


PDF_PRINTER = "pdf:"


@dataclass(frozen=True, slots=True)
class BadgeText:
    """What a badge shows. Text from outside: painted as plain text, never markup."""

    name: str
    company: str
    code: str  # the access code, as a QR code
    band_color: str | None = None  # "#rrggbb", the guest's highlight colour

    @classmethod
    def of(cls, guest: Guest) -> BadgeText:
        return cls(
            name=_one_line(guest.display_name),
            company=_one_line(guest.field_text("company")),
            code=guest.access_code or "",
            band_color=band_color(guest.highlight_color),
        )


_HEX_COLOR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def band_color(value: str | None) -> str | None:
    """A highlight colour as ``#rrggbb``, or None: only hex colours are taken, so a
    server's text never reaches a colour parser that knows names or functions."""
    if not value:
        return None
    found = _HEX_COLOR.fullmatch(value.strip())
    if found is None:
        return None
    digits = found.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


def _one_line(text: str) -> str:
    """Whitespace (newlines, tabs) as single spaces, bounded: a badge line is a line."""
    return " ".join(text[: MAX_TEXT * 2].split())[:MAX_TEXT]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the label, in millimetres from its top left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def inside(self, other: Box) -> bool:
        eps = 1e-9
        return (
            self.x >= other.x - eps
            and self.y >= other.y - eps
            and self.right <= other.right + eps
            and self.bottom <= other.bottom + eps
        )


@dataclass(frozen=True, slots=True)
class BadgeLayout:
    """Where each part goes; the text boxes are the most a text may take."""

    label: Box
    band: Box | None  # the highlight band along the top
    name: Box
    company: Box
    qr: Box  # square, its quiet zone included
    name_max_mm: float  # the name's largest type size (cap height and more: the em)
    company_max_mm: float


# Margins a label printer can print to (most cannot print the last 1.5-3 mm).
MARGIN_MM = 3.0


def badge_layout(size: LabelSize, *, band: bool) -> BadgeLayout:
    """The badge's parts on a label: band across the top, the QR code at the bottom
    right (landscape) or bottom centre (portrait), the name large and the company
    below it in what is left. Every box lies inside the label's margins."""
    width, height = size.width_mm, size.height_mm
    label = Box(0.0, 0.0, width, height)
    inner = Box(MARGIN_MM, MARGIN_MM, width - 2 * MARGIN_MM, height - 2 * MARGIN_MM)
    band_box = Box(0.0, 0.0, width, round(height * 0.12, 2)) if band else None
    top = (band_box.bottom + 2.0) if band_box else inner.y
    if size.landscape:
        # The QR code takes the right, as tall as the space below the band allows,
        # at most 40 % of the width: the name keeps the larger part.
        qr_side = min(inner.bottom - top, inner.width * 0.4)
        qr = Box(inner.right - qr_side, inner.bottom - qr_side, qr_side, qr_side)
        text_width = qr.x - inner.x - 2.0
        text_height = inner.bottom - top
        name = Box(inner.x, top, text_width, text_height * 0.62)
        company = Box(inner.x, name.bottom, text_width, text_height * 0.38)
    else:
        qr_side = min(inner.width * 0.55, (inner.bottom - top) * 0.45)
        qr = Box(inner.x + (inner.width - qr_side) / 2, inner.bottom - qr_side, qr_side, qr_side)
        text_height = qr.y - top - 2.0
        name = Box(inner.x, top, inner.width, text_height * 0.62)
        company = Box(inner.x, name.bottom, inner.width, text_height * 0.38)
    return BadgeLayout(
        label=label,
        band=band_box,
        name=name,
        company=company,
        qr=qr,
        name_max_mm=min(12.0, name.height * 0.5),
        company_max_mm=min(6.0, company.height * 0.45),
    )
