"""Texts from outside show as plain text, everywhere in the window (pytest-qt,
offscreen, real widgets over a real store): a guest named ``<img src=/local/file>``
loads no file, a styled "VIP OK" never shows on a Deregistered screen, a station's or
a server's words are shown literally, and a colour from outside never reaches a
style sheet unless it is plainly a colour."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtGui import Qt as QtText
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from doorcheck.domain.verdict import Mode, VerdictKind
from doorcheck.services.checkin import CheckInService
from doorcheck.settings import KioskSettings
from doorcheck.store.local import LocalStore
from doorcheck.ui.changes_dialog import ChangesDialog
from doorcheck.ui.login_dialog import MAX_MESSAGE, MAX_PREVIEW_LINES, LoginDialog
from doorcheck.ui.main_window import KioskWindow
from doorcheck.ui.pin_dialog import PinDialog
from doorcheck.ui.plain import MAX_SHOWN, MAX_TOOLTIP, MAX_WARNING, RICH, safe_colour, warn
from doorcheck.ui.search_panel import CompanionDialog, SearchPanel
from doorcheck.ui.settings_dialog import SettingsDialog
from doorcheck.ui.statistics_panel import StatisticsPanel
from doorcheck.ui.status_bar import DoorStatusBar
from doorcheck.ui.verdict_panel import VerdictPanel
from doorcheck.views import (
    ChangeView,
    ForwardStatus,
    ScanOutcome,
    StationCount,
    Statistics,
    SyncStatus,
)
from tests.support import full_sync, settled, wire
from tests.support.kiosk import desk, when_modal

RED = (255, 0, 0)  # the picture a hostile <img> points at
GREEN = (0, 255, 0)  # the background of a styled "VIP OK"
STYLED = "<span style='background:#00ff00;color:#00ff00'>VIP OK</span>"
BOLD = "<b>Boss</b>"
HOSTILE_COLOURS = [
    "red; border-image: url(/etc/passwd)",
    "#fff; } QLabel { color: #00ff00",
    "qlineargradient(x1:0, y1:0, x2:1, y2:0, stop:0 #00ff00, stop:1 #00ff00)",
    "rgb(0,255,0)",
    "#ffd54f00",
    "RED",
    "",
]


@pytest.fixture
def red_picture(tmp_path: Path) -> Path:
    path = tmp_path / "local-secret.png"
    image = QImage(240, 240, QImage.Format.Format_RGB32)
    image.fill(QColor(*RED))
    assert image.save(str(path))
    return path


@pytest.fixture
def hostile_store(tmp_path: Path, red_picture: Path) -> Iterator[tuple[LocalStore, CheckInService]]:
    """A real store whose guests came from a hostile guest list."""
    store = LocalStore.open(tmp_path / "door.sqlite3")
    picture = f"<img src='{red_picture}' width=240 height=240>"
    full_sync(
        store,
        [
            wire("g1", "DEREG", STYLED, picture, registrationState="deregistered"),
            wire("g2", "ADMIT", BOLD, picture, highlightColor=HOSTILE_COLOURS[0],
                 companions=["c1"], fields={"firstName": BOLD, "lastName": picture,
                 "company": STYLED, "notes": picture, "email": "g2@example.org"}),
            wire("c1", "PLUS", f"{BOLD} {picture}", "One", parent="g2"),
        ],
    )  # fmt: skip
    yield store, CheckInService(store, "<i>Main</i> Entrance", Mode.TOGGLE)
    store.close()


def pixels(widget: QWidget) -> np.ndarray:
    """What the widget draws, as an array of RGB pixels."""
    widget.resize(700, 700)
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.sizeInBytes())
    rows = data.reshape(height, image.bytesPerLine())[:, : width * 3]
    return rows.reshape(height, width, 3)


def count(colour: tuple[int, int, int], drawn: np.ndarray) -> int:
    return int(np.all(drawn == np.array(colour, np.uint8), axis=-1).sum())


def shown(tooltip: str) -> str:
    """What Qt shows of a tooltip: rich text where it looks like it, else plain."""
    document = QTextDocument()
    if QtText.mightBeRichText(tooltip):
        document.setHtml(tooltip)
    else:
        document.setPlainText(tooltip)
    return document.toPlainText()


def answer_shown(
    qtbot: QtBot, service: CheckInService, code: str, kind: VerdictKind
) -> VerdictPanel:
    """The verdict panel showing the scan of ``code``, which is answered ``kind``."""
    outcome = service.scan(code, "scanner")
    assert outcome.verdict.kind == kind
    panel = VerdictPanel(hold_ms=60_000)
    qtbot.addWidget(panel)
    panel.show_outcome(outcome)
    return panel


def test_a_hostile_name_on_a_deregistered_screen_shows_literally(
    qtbot: QtBot, hostile_store: tuple[LocalStore, CheckInService]
) -> None:
    panel = answer_shown(qtbot, hostile_store[1], "DEREG", VerdictKind.DEREGISTERED)
    assert panel.detail.textFormat() == Qt.TextFormat.PlainText
    assert panel.detail.text().splitlines()[0].startswith(STYLED)  # the tags, as letters
    drawn = pixels(panel)
    assert count(RED, drawn) == 0  # the local picture was not loaded
    assert count(GREEN, drawn) == 0  # no styled "VIP OK" on a red screen
    assert panel.title.text() == "Deregistered"


def test_an_admitted_hostile_guest_shows_literally_without_their_colour(
    qtbot: QtBot, hostile_store: tuple[LocalStore, CheckInService]
) -> None:
    panel = answer_shown(qtbot, hostile_store[1], "ADMIT", VerdictKind.ADMIT)
    assert all(
        label.textFormat() == Qt.TextFormat.PlainText
        for label in (panel.symbol, panel.title, panel.detail)
    )
    assert panel.detail.text().splitlines()[0].startswith(BOLD)
    assert STYLED in panel.detail.text()
    drawn = pixels(panel)
    assert count(RED, drawn) == 0 and count(GREEN, drawn) == 0
    # The highlight colour was not a colour: no band, and nothing of it in a style sheet.
    assert panel.band.isHidden()
    for sheet in (panel.styleSheet(), panel.band.styleSheet()):
        assert "passwd" not in sheet and "border-image" not in sheet


def admitted_with_colour(tmp_path: Path, colour: str) -> ScanOutcome:
    """A guest whose list gave them ``colour`` as highlight, scanned in at a real door."""
    store = LocalStore.open(tmp_path / "colour.sqlite3")
    try:
        full_sync(store, [wire("g1", "COLOUR", "Jane", "Doe", highlightColor=colour)])
        outcome = CheckInService(store, "Main", Mode.TOGGLE).scan("COLOUR", "scanner")
    finally:
        store.close()
    assert outcome.verdict.kind == VerdictKind.ADMIT
    return outcome


@pytest.mark.parametrize("colour", HOSTILE_COLOURS)
def test_only_a_plain_colour_reaches_the_band(qtbot: QtBot, tmp_path: Path, colour: str) -> None:
    panel = VerdictPanel(hold_ms=60_000)
    qtbot.addWidget(panel)
    panel.show_outcome(admitted_with_colour(tmp_path, colour))
    assert panel.band.isHidden()
    assert count(GREEN, pixels(panel)) == 0
    if colour:
        assert colour not in panel.band.styleSheet() + panel.styleSheet()


@pytest.mark.parametrize(
    ("colour", "written"),
    [("#FD4", "#ffdd44"), ("#ffd54f", "#ffd54f"), (" #1B5E20 ", "#1b5e20"), ("gold", "#ffd700")],
)
def test_a_plain_colour_is_shown_as_qcolor_writes_it(
    qtbot: QtBot, tmp_path: Path, colour: str, written: str
) -> None:
    assert safe_colour(colour) == written
    panel = VerdictPanel(hold_ms=60_000)
    qtbot.addWidget(panel)
    panel.show_outcome(admitted_with_colour(tmp_path, colour))
    assert not panel.band.isHidden()
    assert panel.band.styleSheet() == f"background: {written}; border-radius: 6px;"


def test_a_huge_or_multi_line_name_is_clipped_to_one_line(qtbot: QtBot, tmp_path: Path) -> None:
    store = LocalStore.open(tmp_path / "door.sqlite3")
    try:
        full_sync(store, [wire("g1", "LONG", "A\nB\u202eC" + "x" * 100_000, "Doe")])
        outcome = CheckInService(store, "Main", Mode.TOGGLE).scan("LONG", "scanner")
    finally:
        store.close()
    panel = VerdictPanel(hold_ms=60_000)
    qtbot.addWidget(panel)
    panel.show_outcome(outcome)
    name = panel.detail.text().splitlines()[0]
    assert name.startswith("A B C") and len(name) == MAX_SHOWN and name.endswith("\u2026")


def test_the_status_bar_shows_station_names_and_errors_literally(qtbot: QtBot) -> None:
    bar = DoorStatusBar("<img src='/etc/passwd'> <b>Main</b>", "toggle")
    qtbot.addWidget(bar)
    assert bar.station.text().startswith("<img src='/etc/passwd'> <b>Main</b>")
    error = "Server said: <b>VIP</b> <img src='/etc/passwd'> & more"
    bar.show_sync(SyncStatus(False, None, error, 5.0))
    assert shown(bar.online.toolTip()) == error
    bar.show_forwarding(ForwardStatus(1, 2, 0, "<i>refused</i> key", True))
    assert bar.forwarding is not None
    assert shown(bar.forwarding.toolTip()) == "<i>refused</i> key"
    bar.show_sync(SyncStatus(False, None, "<b>" + "e" * 50_000, 5.0))
    assert len(shown(bar.online.toolTip())) == MAX_TOOLTIP
    bar.show_sync(SyncStatus(True, datetime.now(UTC), None, None))
    assert bar.online.toolTip() == ""  # no error, no tooltip
    bar.show_local("<b>guests</b>.csv")
    assert "<b>guests</b>.csv" in bar.online.text()
    # A label another part of the program adds later is plain text too.
    later = QLabel("<b>3 guests could not be read</b>")
    bar.addPermanentWidget(later)
    failing = QLabel("sync failing: <img src='/etc/passwd'>")
    bar.insertWidget(0, failing)
    labels = bar.findChildren(QLabel)
    assert {later, failing} <= set(labels) and all(
        label.textFormat() == Qt.TextFormat.PlainText for label in labels
    )


def test_guest_details_escape_every_outside_text(
    qtbot: QtBot, hostile_store: tuple[LocalStore, CheckInService], red_picture: Path
) -> None:
    store, service = hostile_store
    panel = SearchPanel(desk(store, service))
    qtbot.addWidget(panel)
    panel.box.setText("Boss")
    panel.refresh()
    settled(qtbot, panel)
    ids = [panel.results.item(row).data(Qt.ItemDataRole.UserRole) for row in range(2)]
    assert sorted(ids) == ["c1", "g2"]  # the guest and the companion named <b>Boss</b>
    panel.results.setCurrentRow(ids.index("g2"))
    settled(qtbot, panel)
    assert panel.results.currentItem().text().startswith(BOLD)  # a list item: plain
    details = panel.details.text
    assert details.property(RICH) and details.textFormat() == Qt.TextFormat.RichText
    document = QTextDocument()
    document.setHtml(details.text())
    text = document.toPlainText()
    assert BOLD in text and STYLED in text and str(red_picture) in text
    assert "<img" not in details.text() and "<span" not in details.text()
    drawn = pixels(panel)
    assert count(RED, drawn) == 0 and count(GREEN, drawn) == 0
    companion = panel.details.companions.item(0)
    assert companion is not None and companion.text().startswith(BOLD)


def hostile_screens(qtbot: QtBot, store: LocalStore, service: CheckInService) -> list[QWidget]:
    """Every screen and dialog, fed with texts from outside where they take them."""
    window = KioskWindow(
        "<b>Gala</b>", "<i>Main</i>", "toggle", SearchPanel(desk(store, service)),
        StatisticsPanel(),
    )  # fmt: skip
    assert window.statistics is not None
    window.statistics.show_statistics(Statistics([], 1, 3, [StationCount("<b>Side</b>", 1, 0)]))
    login = LoginDialog(lambda *values: None)
    login.show_error("<b>Wrong</b> <img src='/etc/passwd'>")
    settings = SettingsDialog(KioskSettings(problem="<b>broken</b> settings file"), [])
    change = ChangeView("n", "g1", "<b>Boss</b>", "checkIn", "2026-11-21T18:00:00+00:00",
                        "rejected", 1, "<i>refused</i>", None)  # fmt: skip
    changes = ChangesDialog(lambda: [change])
    screens = [window, login, settings, changes, PinDialog(True), CompanionDialog("<b>B</b>")]
    for screen in screens:
        qtbot.addWidget(screen)
    settled(qtbot, changes)
    window.scan.preview.show_problem("<b>Camera</b> /dev/video9 is busy")
    return screens


def test_every_label_in_every_screen_is_plain_text(
    qtbot: QtBot, hostile_store: tuple[LocalStore, CheckInService]
) -> None:
    screens = hostile_screens(qtbot, *hostile_store)
    labels = [label for screen in screens for label in screen.findChildren(QLabel)]
    assert len(labels) > 30  # the screens were really built
    rich = [label for label in labels if label.textFormat() != Qt.TextFormat.PlainText]
    # The only rich text is our own guest details, which escape every outside part.
    assert [label.property(RICH) for label in rich] == [True]
    shown_texts = [label.text() for label in labels]
    for literal in ("<b>Wrong</b>", "<b>broken</b>", "<b>Camera</b>"):
        assert any(literal in text for text in shown_texts), literal
    window, _, _, changes = screens[:4]
    assert "<b>Gala</b>" in window.windowTitle()
    assert changes.findChildren(QLabel)[0].textFormat() == Qt.TextFormat.PlainText


def test_a_warning_box_shows_an_outside_text_literally(qtbot: QtBot) -> None:
    """For the composition root's warnings (a file that cannot be written, a wipe
    refused): the text may carry a file name or a server's words."""
    seen: list[tuple[Qt.TextFormat, str]] = []

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, QMessageBox)
        seen.append((dialog.textFormat(), dialog.text()))
        dialog.accept()

    when_modal(look)
    warn(None, "Export check-ins", "Cannot write <b>/tmp/x.csv</b>: <img src='/etc/passwd'>")
    when_modal(look)
    warn(None, "Wipe local data", "<i>" + "w" * 100_000)
    assert seen[0] == (
        Qt.TextFormat.PlainText,
        "Cannot write <b>/tmp/x.csv</b>: <img src='/etc/passwd'>",
    )
    assert seen[1][0] == Qt.TextFormat.PlainText and len(seen[1][1]) == MAX_WARNING


def test_a_login_error_from_a_server_is_shown_literally_and_bounded(qtbot: QtBot) -> None:
    dialog = LoginDialog(lambda *values: None)
    qtbot.addWidget(dialog)
    dialog.show_error("The station server refused the request: <b>" + "n" * 100_000)
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    assert dialog.message.text().startswith("The station server refused the request: <b>nnn")
    assert len(dialog.message.text()) == MAX_MESSAGE


def test_a_file_preview_is_shown_literally_and_bounded(qtbot: QtBot, tmp_path: Path) -> None:
    """The login screen's preview of a guest list file: its rows come from the file."""
    rows = [f"  CODE{i}  <b>Guest</b> <img src='/etc/passwd'> {i}" for i in range(5000)]
    dialog = LoginDialog(lambda *values: None, preview=lambda path: rows)
    qtbot.addWidget(dialog)
    dialog.show_preview(str(tmp_path / "guests.csv"))
    qtbot.waitUntil(lambda: "CODE0" in dialog.message.text(), timeout=10_000)
    lines = dialog.message.text().splitlines()
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    assert lines[0] == rows[0] and len(lines) == MAX_PREVIEW_LINES
