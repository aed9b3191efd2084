"""USB scanners in a real Qt window (pytest-qt, offscreen): bursts are scans,
typing reaches the focused widget."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from doorcheck.domain.wedge import WedgeDetector
from doorcheck.ui.scanner_keys import ScannerKeyFilter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


Window = tuple[QLineEdit, QLineEdit, ScannerKeyFilter, Clock, list[str]]


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[Window]:
    root = QWidget()
    search, notes = QLineEdit(), QLineEdit()
    layout = QVBoxLayout(root)
    layout.addWidget(search)
    layout.addWidget(notes)
    qtbot.addWidget(root)
    root.show()
    qtbot.waitExposed(root)
    search.setFocus()
    clock = Clock()
    keys = ScannerKeyFilter(WedgeDetector(), clock)
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(keys)
    scans: list[str] = []
    keys.scanned.connect(scans.append)
    yield search, notes, keys, clock, scans
    app.removeEventFilter(keys)


def send(widget: QWidget, key: Qt.Key, text: str = "") -> None:
    """A key press and release as a keyboard (or a scanner posing as one) sends them.
    QTest's keyClick turns non-ASCII characters into Latin-1 bytes, so not that."""
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
        QApplication.sendEvent(widget, event)


def press(widget: QWidget, text: str, clock: Clock, keys: ScannerKeyFilter, gap: float) -> None:
    for char in text:
        code = Qt.Key(ord(char.upper())) if char.isascii() else Qt.Key.Key_unknown
        send(widget, code, char)
        clock.now += gap
        keys.tick()


def test_a_scanner_burst_becomes_a_scan_and_types_nothing(window: Window) -> None:
    search, _, keys, clock, scans = window
    press(search, "DC-7Q2MX9K4", clock, keys, 0.006)
    send(search, Qt.Key.Key_Return, "\r")
    assert scans == ["DC-7Q2MX9K4"]
    assert search.text() == ""


def test_typing_in_the_search_box_is_never_a_scan(window: Window) -> None:
    search, _, keys, clock, scans = window
    press(search, "Müller", clock, keys, 0.11)
    clock.now += 0.1
    keys.tick()
    assert scans == []
    assert search.text() == "Müller"


def test_scans_work_whatever_widget_has_focus(window: Window) -> None:
    search, notes, keys, clock, scans = window
    notes.setFocus()
    press(notes, "note", clock, keys, 0.15)
    press(notes, "CODE1234", clock, keys, 0.004)
    clock.now += 0.2  # this scanner sends no Enter: the quiet ends the burst
    keys.tick()
    assert scans == ["CODE1234"]
    assert notes.text() == "note" and search.text() == ""


def test_arrows_pass_straight_through_and_typing_keeps_its_order(window: Window) -> None:
    search, _, keys, clock, scans = window
    press(search, "ab", clock, keys, 0.2)
    send(search, Qt.Key.Key_Left)
    press(search, "x", clock, keys, 0.2)
    clock.now += 0.1
    keys.tick()
    assert search.text() == "axb"
    assert scans == []


def test_camera_scans_arrive_as_signals_on_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    from doorcheck.scan import synthetic
    from doorcheck.scan.frames import video_frames
    from doorcheck.ui.camera_bridge import CameraBridge

    video = tmp_path / "reel.avi"
    synthetic.write_video(str(video), [synthetic.ticket_frame("BRIDGE-1")] * 10)
    bridge = CameraBridge(lambda: video_frames(video, pace=True))
    threads: list[object] = []
    bridge.scanned.connect(lambda event: threads.append(threading.current_thread()))
    with qtbot.waitSignal(bridge.scanned, timeout=10_000) as signal:
        bridge.start()
    bridge.stop()
    event = signal.args[0]
    assert event.payload == "BRIDGE-1" and event.corners is not None
    qtbot.waitUntil(lambda: bool(threads))
    assert threads[0] is threading.main_thread()
