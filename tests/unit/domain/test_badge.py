"""The badge's layout and text (domain/badge.py): every part on the label, none on
another, text from outside taken as plain one-line text, colours only as hex."""

from __future__ import annotations

import itertools

import pytest

from doorcheck.domain.badge import (
    LABEL_SIZES,
    MARGIN_MM,
    AutoPrint,
    BadgeText,
    Box,
    badge_layout,
    band_color,
    label_size,
)
from doorcheck.domain.guest import Guest


def overlaps(a: Box, b: Box) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


@pytest.mark.parametrize(("key", "band"), list(itertools.product(LABEL_SIZES, (False, True))))
def test_every_part_lies_on_the_label_and_none_on_another(key: str, band: bool) -> None:
    size = LABEL_SIZES[key]
    layout = badge_layout(size, band=band)
    printable = Box(MARGIN_MM, MARGIN_MM, size.width_mm - 2 * MARGIN_MM,
                    size.height_mm - 2 * MARGIN_MM)  # fmt: skip
    for part in (layout.name, layout.company, layout.qr):
        assert part.inside(printable), (key, part)
        assert part.width > 10 and part.height > 5
    assert (layout.band is not None) == band
    if layout.band is not None:
        assert layout.band.inside(layout.label)
        for part in (layout.name, layout.company, layout.qr):
            assert not overlaps(part, layout.band)
    assert not overlaps(layout.qr, layout.name) and not overlaps(layout.qr, layout.company)
    assert not overlaps(layout.name, layout.company)
    assert layout.qr.width == pytest.approx(layout.qr.height)
    # A QR code a phone or a scanner reads from a badge: at least 2 cm.
    assert layout.qr.width >= 20
    assert layout.name_max_mm > layout.company_max_mm


def test_the_label_sizes_of_the_common_badge_printers() -> None:
    mm = {key: (s.width_mm, s.height_mm) for key, s in LABEL_SIZES.items()}
    assert mm["brother62"] == (100.0, 62.0)
    assert mm["dymo"] == (101.0, 54.0)
    assert mm["zebra"] == pytest.approx((101.6, 76.2))
    assert mm["a6"] == (105.0, 148.0)
    assert label_size("nonsense") is LABEL_SIZES["dymo"] and label_size(None).key == "dymo"
    assert [s.landscape for s in LABEL_SIZES.values()] == [True, True, True, False]


def test_a_guests_badge_text_is_one_bounded_line_each() -> None:
    guest = Guest(
        "g1",
        access_code="T-1",
        highlight_color="FF8800",
        fields={"firstName": "Ann\n<b>Lee</b>", "lastName": "x" * 5000,
                "company": ["Acme", "\tWidgets  Ltd"]},
    )  # fmt: skip
    text = BadgeText.of(guest)
    assert text.name.startswith("Ann <b>Lee</b> xxx")  # kept as text: painted plain
    assert len(text.name) == 200 and "\n" not in text.name
    assert text.company == "Acme, Widgets Ltd"
    assert (text.code, text.band_color) == ("T-1", "#ff8800")
    assert BadgeText.of(Guest("g2")).name == "Guest"


@pytest.mark.parametrize(
    ("given", "taken"),
    [("#E53935", "#e53935"), ("abc", "#aabbcc"), (" #123456 ", "#123456"), (None, None),
     ("", None), ("red", None), ("rgb(1,2,3)", None), ("#12345", None), ("#1234567", None)],
)  # fmt: skip
def test_only_hex_colours_make_a_band(given: str | None, taken: str | None) -> None:
    assert band_color(given) == taken


def test_auto_print_reads_anything_unknown_as_off() -> None:
    assert AutoPrint.parse("once") is AutoPrint.ONCE
    assert AutoPrint.parse("always") is AutoPrint.ALWAYS
    assert AutoPrint.parse(None) is AutoPrint.OFF and AutoPrint.parse("sometimes") is AutoPrint.OFF
