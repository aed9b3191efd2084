"""The door's answer, complete (issue 15): the event and station over it; tags,
companions and attention texts on an admit; an attention answer that stays until a
steward acknowledges it, with later answers waiting behind it; "hide names"; and
the self check-in screen's words for guests (pytest-qt, offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from doorcheck.domain.guest import Guest, RegistrationState
from doorcheck.domain.verdict import Verdict, VerdictKind
from doorcheck.ui.main_window import KioskWindow
from doorcheck.ui.scan_screen import ScanScreen
from doorcheck.ui.verdict_panel import ATTENTION, LOOKS, VerdictPanel
from doorcheck.views import ScanOutcome

VERA = Guest(
    id="v",
    access_code="VIP1",
    registration_state=RegistrationState.REGISTERED,
    fields={"firstName": "Vera", "lastName": "Important", "company": "ACME",
            "notes": "Ask Vera Important about the speech"},
    companion_ids=["c"],
)  # fmt: skip
COMPANION = Guest(id="c", fields={"firstName": "Carl", "lastName": "Companion"})
JANE = Guest(id="j", access_code="J1", fields={"firstName": "Jane", "lastName": "Doe"})


def flagged(guest: Guest = VERA) -> ScanOutcome:
    return ScanOutcome(
        Verdict(VerdictKind.ADMIT, guest), guest.access_code, companions=[COMPANION],
        nonces=("n",), attention=("Wheelchair user: open the side gate",), tags=("VIP", "vegan"),
    )  # fmt: skip


def plain(kind: VerdictKind = VerdictKind.ADMIT, guest: Guest | None = JANE) -> ScanOutcome:
    return ScanOutcome(Verdict(kind, guest), "J1")


def every_text(root: QWidget) -> str:
    """Everything a person at the screen can read, and what a screen reader says."""
    parts = [root.accessibleDescription(), root.windowTitle()]
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLabel) and widget.isVisibleTo(root):
            parts.append(widget.text())
        parts += [widget.accessibleDescription(), widget.accessibleName(), widget.toolTip()]
    return "\n".join(parts)


def test_an_admit_shows_tags_and_companions_and_the_attention_waits_for_a_steward(
    qtbot: QtBot,
) -> None:
    panel = VerdictPanel(hold_ms=30)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_outcome(flagged())
    assert panel.title.text() == f"{ATTENTION.symbol} Attention" and panel.symbol.isHidden()
    assert ATTENTION.background != LOOKS[VerdictKind.ALREADY_IN].background  # not "already in"
    assert panel.attention.text() == "Wheelchair user: open the side gate"
    assert not panel.attention.isHidden()
    lines = panel.detail.text().splitlines()
    assert lines[0] == "Vera Important  +1"
    assert "VIP \u00b7 vegan" in lines and "with Carl Companion" in lines
    assert "Press Enter or tap" in panel.hint.text()
    qtbot.wait(200)  # far past the hold: a flag is never taken down by a timer
    assert panel.title.text().endswith("Attention")
    # The next guest scanned meanwhile waits behind it, and says so.
    panel.show_outcome(plain(VerdictKind.NOT_ON_LIST, None))
    assert panel.title.text().endswith("Attention")
    assert "waiting behind this one: 1" in panel.hint.text()
    QTest.keyClick(panel, Qt.Key.Key_Return)  # the steward has seen it
    assert panel.title.text() == "Not on the list" and panel.awaiting is None
    qtbot.waitUntil(lambda: panel.kind is None, timeout=2000)  # then, as any answer, ready
    assert panel.title.text() == "Ready" and panel.attention.isHidden()
    assert not panel.symbol.isHidden()


def test_a_tap_acknowledges_and_enter_on_the_door_screen_too(qtbot: QtBot) -> None:
    screen = ScanScreen(event_name="Winter Gala 2026", station="Main Entrance")
    qtbot.addWidget(screen)
    screen.show()
    assert (screen.event_name.text(), screen.station.text()) == ("Winter Gala 2026",
                                                                 "Main Entrance")  # fmt: skip
    screen.show_outcome(flagged())
    QTest.mouseClick(screen.verdict, Qt.MouseButton.LeftButton)
    assert screen.verdict.title.text() == "Ready"
    screen.show_outcome(flagged())
    QTest.keyClick(screen, Qt.Key.Key_Enter)
    assert screen.verdict.title.text() == "Ready"
    # Enter with nothing to acknowledge is not taken from the screen.
    assert not screen.verdict.acknowledge()


def test_the_attention_answer_is_painted_amber_not_green(qtbot: QtBot) -> None:
    panel = VerdictPanel()
    qtbot.addWidget(panel)
    panel.resize(500, 500)
    panel.show()
    panel.show_outcome(flagged())
    qtbot.waitExposed(panel)
    image: QImage = panel.grab().toImage()
    corner = QColor(image.pixel(image.width() // 2, image.height() - 8))
    assert corner.name() == ATTENTION.background


def test_hide_names_never_shows_a_full_name_on_the_door_screen(qtbot: QtBot) -> None:
    window = KioskWindow("Gala", "Main Entrance", "checkIn", hide_names=True)
    qtbot.addWidget(window)
    window.show()
    party = ScanOutcome(Verdict(VerdictKind.ADMIT, COMPANION), "C2", main_guest=VERA)
    for outcome in (flagged(), party, plain(VerdictKind.ALREADY_IN), plain(VerdictKind.EXIT)):
        window.scan.verdict.awaiting = None
        window.scan.show_outcome(outcome)
        shown = every_text(window)
        for name in ("Vera", "Important", "Carl", "Companion", "Jane", "Doe"):
            assert name not in shown, (outcome.verdict.kind, name)
    window.scan.verdict.awaiting = None
    window.scan.show_outcome(flagged())
    assert window.scan.verdict.detail.text().splitlines()[0] == "V. I.  +1"
    assert "with C. C." in window.scan.verdict.detail.text()


def test_self_check_in_tells_guests_what_to_do_and_hides_names_and_flags(
    qtbot: QtBot, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    picture = QImage(400, 200, QImage.Format.Format_RGB32)
    picture.fill(QColor("#0d47a1"))
    assert picture.save(str(logo))
    window = KioskWindow("Winter Gala 2026", "Self check-in", "checkIn", self_check_in=True,
                         hide_names=True, logo=logo)  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    screen, verdict = window.scan, window.scan.verdict
    assert verdict.title.text() == "Hold the code on your ticket up to the camera"
    assert screen.event_name.text() == "Winter Gala 2026" and screen.station.isHidden()
    assert not screen.logo.isHidden() and screen.logo.pixmap().height() == 72
    screen.show_outcome(flagged())
    # A guest is never shown a staff flag, nor asked to acknowledge: see staff instead.
    assert verdict.awaiting is None and verdict.attention.isHidden()
    assert "Wheelchair" not in every_text(window) and "Vera" not in every_text(window)
    assert verdict.detail.text().endswith("Please ask a member of staff.")
    qtbot.waitUntil(lambda: verdict.kind is None, timeout=10_000)  # back to the words
    assert verdict.title.text() == "Hold the code on your ticket up to the camera"


@pytest.mark.parametrize("content", [b"not an image", b""])
def test_a_broken_logo_file_is_left_out(qtbot: QtBot, tmp_path: Path, content: bytes) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(content)
    screen = ScanScreen(guest_facing=True, event_name="Gala", logo=logo)
    qtbot.addWidget(screen)
    assert screen.logo.isHidden()
