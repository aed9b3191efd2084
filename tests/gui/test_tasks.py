"""The window's task runner: work off the GUI thread, its answer back on it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from doorcheck.domain.verdict import Mode
from doorcheck.services.checkin import CheckInService
from doorcheck.store.local import LocalStore
from doorcheck.ui.main_window import KioskWindow
from doorcheck.ui.search_panel import GuestDesk, SearchPanel
from doorcheck.ui.tasks import TaskRunner


def gui_thread() -> QThread:
    app = QApplication.instance()
    assert app is not None
    return app.thread()


@pytest.fixture
def owner(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_success_arrives_on_the_gui_thread(qtbot: QtBot, owner: QWidget) -> None:
    runner = TaskRunner(owner)
    where: list[tuple[str, bool]] = []

    def work() -> str:
        return threading.current_thread().name

    def done(worker: str) -> None:
        where.append((worker, QThread.currentThread() is gui_thread()))

    runner.run(work, done)
    qtbot.waitUntil(lambda: bool(where), timeout=5000)
    worker, on_gui = where[0]
    assert on_gui
    assert worker != threading.main_thread().name  # the work ran elsewhere


def test_a_failure_arrives_to_on_failure_on_the_gui_thread(qtbot: QtBot, owner: QWidget) -> None:
    runner = TaskRunner(owner)
    failures: list[tuple[BaseException, bool]] = []

    def work() -> None:
        raise KeyError("g1")

    runner.run(
        work,
        lambda _: pytest.fail("no success expected"),
        lambda exc: failures.append((exc, QThread.currentThread() is gui_thread())),
    )
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    exc, on_gui = failures[0]
    assert isinstance(exc, KeyError) and on_gui


def test_an_unhandled_failure_is_logged_by_kind_and_shown_and_the_app_runs_on(
    qtbot: QtBot, owner: QWidget, caplog: pytest.LogCaptureFixture
) -> None:
    runner = TaskRunner(owner)

    def work() -> None:
        raise ValueError("Jane Doe <jane@example.org>")  # a guest's data in the message

    with caplog.at_level(logging.ERROR, logger="doorcheck.ui.tasks"):
        runner.run(work, lambda _: None)
        qtbot.waitUntil(lambda: bool(owner.findChildren(QMessageBox)), timeout=5000)
    box = owner.findChildren(QMessageBox)[0]
    assert "ValueError" in box.text() and "Jane" not in box.text()
    assert "ValueError" in caplog.text and "Jane" not in caplog.text
    assert "jane@" not in caplog.text
    box.close()
    # The event loop runs on, and so does the runner.
    results: list[int] = []
    runner.run(lambda: 42, results.append)
    qtbot.waitUntil(lambda: results == [42], timeout=5000)


def test_a_failing_callback_does_not_raise_into_the_event_loop(
    qtbot: QtBot, owner: QWidget
) -> None:
    runner = TaskRunner(owner)

    def broken(_: object) -> None:
        raise RuntimeError("in the callback")

    runner.run(lambda: 1, broken)
    qtbot.waitUntil(lambda: bool(owner.findChildren(QMessageBox)), timeout=5000)
    for box in owner.findChildren(QMessageBox):
        box.close()


def test_a_slow_task_does_not_block_the_event_loop(qtbot: QtBot, owner: QWidget) -> None:
    runner = TaskRunner(owner)
    ticks: list[float] = []
    timer = QTimer(owner)
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    release = threading.Event()
    results: list[str] = []

    def slow() -> str:
        release.wait(10)
        return "done"

    runner.run(slow, results.append)
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=5000)  # ticking while it runs
    assert not results
    release.set()
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)
    timer.stop()


def test_the_latest_task_with_a_key_wins(qtbot: QtBot, owner: QWidget) -> None:
    runner = TaskRunner(owner)
    release = threading.Event()
    results: list[str] = []

    def stale() -> str:
        release.wait(10)
        return "mü"

    runner.run(stale, results.append, key="search")
    runner.run(lambda: "müller", results.append, key="search")
    qtbot.wait(50)
    release.set()  # the older answer comes last (or first, with one worker thread)
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert results == ["müller"]  # either way, it was dropped


def test_closing_the_parent_before_the_task_ends_calls_nothing(qtbot: QtBot) -> None:
    parent = QWidget()
    runner = TaskRunner(parent)
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    called: list[object] = []

    def slow() -> int:
        started.set()
        release.wait(10)
        finished.set()
        return 1

    runner.run(slow, called.append, called.append)
    assert started.wait(5)
    gone: list[bool] = []
    parent.destroyed.connect(lambda *_: gone.append(True))
    parent.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)  # deleting it did not wait for the task
    release.set()
    assert finished.wait(5)
    qtbot.wait(100)  # time for an answer to arrive, were one sent
    assert called == []


def test_a_closed_runner_drops_answers_and_waits_for_running_tasks(
    qtbot: QtBot, owner: QWidget
) -> None:
    runner = TaskRunner(owner)
    called: list[object] = []
    finished = threading.Event()

    def short() -> int:
        time.sleep(0.2)
        finished.set()
        return 1

    runner.run(short, called.append)
    time.sleep(0.05)
    runner.close()
    assert finished.is_set()  # close waited for it
    runner.run(lambda: 2, called.append)  # after close, nothing starts
    qtbot.wait(100)
    assert called == []


# -- the window ------------------------------------------------------------------


@pytest.fixture
def crowded(tmp_path: Path) -> Iterator[tuple[LocalStore, CheckInService]]:
    from tests.support import full_sync, wire

    store = LocalStore.open(tmp_path / "crowd.sqlite3")
    full_sync(store, [wire(f"g{i}", f"C{i:05d}", f"Anna{i}", "Müller") for i in range(20_000)])
    yield store, CheckInService(store, "Main Entrance", Mode.TOGGLE)
    store.close()


def test_typing_a_search_keeps_the_window_responsive_and_the_results_arrive(
    qtbot: QtBot, crowded: tuple[LocalStore, CheckInService]
) -> None:
    from PySide6.QtTest import QTest

    store, service = crowded
    panel = SearchPanel(GuestDesk(search=store.search, act=service.act, details=store.guest_by_id))
    window = KioskWindow("Gala", "Main Entrance", "toggle", panel)
    qtbot.addWidget(window)
    window.tabs.setCurrentWidget(panel)
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(window)
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    for letter in "muller":  # accents do not matter (and QTest types ASCII only)
        QTest.keyClicks(panel.box, letter)
        # Each key searches at once: several searches in flight, the last one counts.
        QTest.keyClick(panel.box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not panel.tasks.busy and panel.results.count() > 0, timeout=20_000)
    timer.stop()
    assert panel.box.text() == "muller"
    assert "keep typing" in panel.hint.text() or "found" in panel.hint.text()
    assert panel.details.view is not None  # the first guest's details came too
    assert len(gaps) > 3  # the timer ticked while the searches ran
