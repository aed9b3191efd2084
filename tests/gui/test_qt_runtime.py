"""The Qt binding itself, as the kiosk uses it for hours at a door."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel, QListWidget
from pytestqt.qtbot import QtBot


def test_qt_calls_keep_the_count_of_references_to_none(qtbot: QtBot) -> None:
    # PySide6 6.12.0 on Python 3.11 dropped a reference to None on every call of a
    # method returning nothing: a kiosk died with "Fatal Python error: deallocating
    # None" after some thousands of calls (benchmarks/kiosk.py, searching while
    # scanning). From Python 3.12 None is immortal and its count does not move.
    label, results = QLabel(), QListWidget()
    qtbot.addWidget(label)
    qtbot.addWidget(results)
    before = sys.getrefcount(None)
    for number in range(2000):
        label.setText(str(number))
        results.addItem(str(number))
        results.setCurrentRow(number)
    results.clear()
    assert sys.getrefcount(None) >= before - 50  # a few Nones may be freed or kept
