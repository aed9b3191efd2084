"""The kiosk window (pytest-qt, offscreen), wired by the composition root to a real
station server, a real store and a camera reading a video file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from doorcheck.app import Kiosk, build_kiosk, start
from doorcheck.cli import main as doorcheck
from doorcheck.domain.changes import Action
from doorcheck.domain.codes import InvalidCode
from doorcheck.domain.guest import Guest, RegistrationState
from doorcheck.domain.verdict import Mode, Verdict, VerdictKind
from doorcheck.scan import synthetic
from doorcheck.services.checkin import CheckInService
from doorcheck.session.door import DoorSession
from doorcheck.store.credentials import load_login
from doorcheck.store.local import LocalStore
from doorcheck.ui.main_window import KioskWindow
from doorcheck.ui.search_panel import SearchPanel
from doorcheck.ui.verdict_panel import VerdictPanel
from doorcheck.views import ScanOutcome
from tests.support import RunningServer, settled
from tests.support.kiosk import desk, open_kiosk

GUEST = Guest(
    id="g",
    access_code="C1",
    registration_state=RegistrationState.REGISTERED,
    fields={"firstName": "Jane", "lastName": "Doe", "company": "ACME"},
    companion_ids=["a"],
    highlight_color="#ffd54f",
)


@pytest.mark.parametrize(
    ("kind", "title", "symbol"),
    [
        (VerdictKind.ADMIT, "Welcome", "\u2714"),
        (VerdictKind.ALREADY_IN, "Already in", "!"),
        (VerdictKind.NOT_ON_LIST, "Not on the list", "\u2716"),
        (VerdictKind.DEREGISTERED, "Deregistered", "\u2716"),
        (VerdictKind.INVALID_CODE, "Not a ticket", "\u2716"),
    ],
)
def test_each_verdict_has_its_own_symbol_words_and_colour(
    qtbot: QtBot, kind: VerdictKind, title: str, symbol: str
) -> None:
    panel = VerdictPanel(hold_ms=50)
    qtbot.addWidget(panel)
    guest = None if kind in (VerdictKind.NOT_ON_LIST, VerdictKind.INVALID_CODE) else GUEST
    panel.show_outcome(ScanOutcome(Verdict(kind, guest, invalid=InvalidCode.NOT_TEXT), "C1"))
    assert (panel.title.text(), panel.symbol.text()) == (title, symbol)
    assert title in panel.accessibleDescription()
    if kind == VerdictKind.ADMIT:
        assert panel.detail.text().splitlines()[:2] == ["Jane Doe  +1", "ACME"]
        assert not panel.band.isHidden()
    qtbot.waitUntil(lambda: panel.kind is None, timeout=2000)  # back to ready
    assert panel.title.text() == "Ready"


@pytest.fixture
def kiosk(server: RunningServer, qtbot: QtBot, tmp_path: Path) -> Iterator[Kiosk]:
    data = tmp_path / "door"
    reel = tmp_path / "reel.avi"
    synthetic.write_video(
        str(reel),
        [synthetic.jpeg(synthetic.background(1))] * 5
        + [synthetic.ticket_frame(server.code_of(0))] * 15,
        fps=15,
    )
    login = [
        "--server",
        server.url,
        "--event",
        server.event_id,
        "--key",
        "main-code-1",
        "--station",
        "Main Entrance",
        "--data",
        str(data),
    ]
    assert doorcheck(["login", *login]) == 0
    assert doorcheck(["sync", "--data", str(data)]) == 0
    with open_kiosk(qtbot, data, str(reel)) as built:
        built.window.show()
        yield built


def test_the_camera_checks_a_guest_in_and_the_window_says_so(
    kiosk: Kiosk, qtbot: QtBot, server: RunningServer
) -> None:
    verdict = kiosk.window.scan.verdict
    qtbot.waitUntil(lambda: verdict.kind == VerdictKind.ADMIT, timeout=15_000)
    assert "Gäst0 Müller" in verdict.detail.text()
    assert kiosk.window.scan.preview.pixmap() is not None  # the camera picture shows
    qtbot.waitUntil(lambda: "Online" in kiosk.window.status.online.text(), timeout=10_000)
    qtbot.waitUntil(lambda: kiosk.store.status().pending == 0, timeout=10_000)  # uploaded
    assert kiosk.window.scan.undo.isEnabled()
    kiosk.window.scan.undo.click()
    assert "Undone" in verdict.detail.text()
    view = kiosk.store.guest_by_code(server.code_of(0))
    assert view is not None and not view.guest.is_checked_in


def test_a_usb_scanner_works_anywhere_in_the_window(
    kiosk: Kiosk, qtbot: QtBot, server: RunningServer
) -> None:
    kiosk.camera.stop()  # only the scanner now
    kiosk.window.scan.setFocus()
    now = [50.0]
    kiosk.keys.clock = lambda: now[0]
    for char in server.code_of(3):
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                kiosk.window.scan,
                QKeyEvent(kind, Qt.Key(ord(char.upper())), Qt.KeyboardModifier.NoModifier, char),
            )
        now[0] += 0.005
    QApplication.sendEvent(
        kiosk.window.scan,
        QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, "\r"),
    )
    verdict = kiosk.window.scan.verdict
    assert verdict.kind == VerdictKind.ADMIT
    assert "Gäst3 Müller" in verdict.detail.text()


def test_statistics_and_counts_follow_the_scans_live(
    kiosk: Kiosk, qtbot: QtBot, server: RunningServer
) -> None:
    statistics = kiosk.window.statistics
    assert statistics is not None
    qtbot.waitUntil(lambda: kiosk.window.scan.verdict.kind == VerdictKind.ADMIT, timeout=15_000)
    qtbot.waitUntil(lambda: statistics.inside.text().startswith("1 inside"), timeout=10_000)
    assert sum(count for _, count in statistics.chart.buckets) == 1
    assert kiosk.window.status.inside.text().startswith("1 / ")
    station = statistics.stations.item(0, 0)
    assert station is not None and station.text() == "Main Entrance"


def test_settings_apply_while_the_door_runs(
    kiosk: Kiosk, qtbot: QtBot, server: RunningServer, tmp_path: Path
) -> None:
    from dataclasses import replace

    from doorcheck.app import apply_settings
    from doorcheck.settings import KioskSettings

    pictures = tmp_path / "pictures"
    pictures.mkdir()
    import cv2

    cv2.imwrite(str(pictures / "ticket.png"), synthetic.ticket_frame(server.code_of(5)))
    old_camera = kiosk.camera
    apply_settings(
        kiosk,
        replace(kiosk.settings, camera=str(pictures), sync_interval=30.0, sounds=False),
    )
    assert kiosk.sync_worker.interval == 30.0 and not kiosk.sounds.enabled
    assert kiosk.camera is not old_camera and kiosk.camera_source == str(pictures)
    saved = KioskSettings.load(kiosk.data_dir)
    assert (saved.camera, saved.sync_interval, saved.sounds) == (str(pictures), 30.0, False)
    # The new camera is in use: the ticket in the folder is read and admitted.
    qtbot.waitUntil(
        lambda: "Gäst5 Müller" in kiosk.window.scan.verdict.detail.text(), timeout=15_000
    )


def test_the_calibration_code_sets_the_scanners_layout_and_is_remembered(
    kiosk: Kiosk, qtbot: QtBot
) -> None:
    from doorcheck.domain.wedge import CALIBRATION_CODE, LAYOUTS
    from doorcheck.settings import KioskSettings

    kiosk.camera.stop()
    inverse = {v if isinstance(v, int) else ord(v): k for k, v in LAYOUTS["qwertz"].items()}
    arrived = "".join(chr(inverse.get(ord(c), ord(c))) for c in CALIBRATION_CODE)
    now = [10.0]
    kiosk.keys.clock = lambda: now[0]
    kiosk.window.scan.setFocus()
    for char in arrived + "\r":
        key = Qt.Key.Key_Return if char == "\r" else Qt.Key(ord(char.upper()[0]))
        QApplication.sendEvent(
            kiosk.window.scan,
            QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, char),
        )
        now[0] += 0.004
    assert "German (QWERTZ)" in kiosk.window.scan.verdict.detail.text()
    assert kiosk.keys.detector.layout == "qwertz"
    assert KioskSettings.load(kiosk.data_dir).keyboard_layout == "qwertz"


def test_wiping_from_the_window_waits_for_uploads_then_removes_everything(
    kiosk: Kiosk, qtbot: QtBot, server: RunningServer
) -> None:
    from doorcheck.app import wipe

    kiosk.sync_worker.stop()  # nothing is uploaded now
    kiosk.camera.stop()
    kiosk.scan(server.code_of(7), "scanner")
    refused = wipe(kiosk)
    assert refused is not None and "1 changes" in refused
    assert kiosk.store.path.exists() and load_login(kiosk.data_dir) is not None
    kiosk.sync_worker.run_once()  # online again: the change reaches the server
    assert kiosk.store.status().pending == 0
    folder = kiosk.store.path.parent
    assert wipe(kiosk) is None
    assert kiosk.wiped and not folder.exists()
    assert load_login(kiosk.data_dir) is None
    assert not kiosk.window.isVisible()


def test_screenshots_of_every_state(tmp_path: Path) -> None:
    assert doorcheck(["screenshots", "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == [
        "badge.png",
        "changes.png",
        "doors-nearby.png",
        "guests-party.png",
        "guests-search.png",
        "login-error.png",
        "pairing.png",
        "scan-admit.png",
        "scan-already-in.png",
        "scan-attention.png",
        "scan-badge-not-printed.png",
        "scan-disk-full.png",
        "scan-not-on-list.png",
        "scan-offline.png",
        "scan-ready.png",
        "scan-wrong-mode.png",
        "self-check-in-admit.png",
        "self-check-in-deny.png",
        "self-check-in-ready.png",
        "settings.png",
        "statistics.png",
        "steward.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in tmp_path.glob("*.png"))
    # Each state shows its answer: the verdict panel's colour, and the red strip of a
    # failing worker above the status bar only where one fails.
    green, amber, red, ready = "#1b5e20", "#f9a825", "#b71c1c", "#263238"
    answers = {"scan-ready": ready, "scan-admit": green, "scan-already-in": amber,
               "scan-not-on-list": red, "scan-offline": green, "scan-wrong-mode": red,
               "scan-disk-full": red, "self-check-in-admit": green,
               "self-check-in-deny": red, "scan-attention": "#e65100",
               "self-check-in-ready": ready}  # fmt: skip
    for name, colour in answers.items():
        image = QImage(str(tmp_path / f"{name}.png"))
        assert (image.width(), image.height()) == (1366, 768)
        assert image.pixelColor(1250, 150).name() == colour, name
        strip = image.pixelColor(5, 720).name()
        assert (strip == red) == (name == "scan-disk-full"), name
    # Two doors side by side: admitted at the left, already in (amber) at the right.
    pair = QImage(str(tmp_path / "doors-nearby.png"))
    middle = pair.height() // 4
    assert pair.pixelColor(pair.width() // 2 - 100, middle).name() == green
    assert pair.pixelColor(pair.width() - 100, middle).name() == amber


def test_the_demo_opens_the_kiosk_and_its_camera_checks_guests_in(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "doorcheck", "demo", "--guests", "30", "--seconds", "12"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "Opening the kiosk window" in result.stdout
    (work,) = tmp_path.glob("doorcheck-demo-*")
    store_file = next((work / "Main_Entrance").rglob("*.sqlite3"))
    import sqlite3

    with sqlite3.connect(store_file) as conn:
        camera_scans = conn.execute(
            "SELECT count(*) FROM scans WHERE source = 'camera'"
        ).fetchone()[0]
    assert camera_scans >= 2


@pytest.fixture
def guest_store(tmp_path: Path) -> Iterator[tuple[LocalStore, CheckInService]]:
    from tests.support import full_sync, wire

    store = LocalStore.open(tmp_path / "door.sqlite3")
    full_sync(
        store,
        [
            wire("g1", "C1", "Jürgen", "Müller", company="Brückenbau KG"),
            wire("g2", "C2", "Anaïs", "Muller"),
            wire("g3", "C3", "Zoë", "Zed"),
        ],
    )
    yield store, CheckInService(store, "Main Entrance", Mode.TOGGLE)
    store.close()


def guest_window(
    qtbot: QtBot, store: LocalStore, service: CheckInService
) -> tuple[KioskWindow, SearchPanel]:
    panel = SearchPanel(desk(store, service))
    window = KioskWindow("Gala", "Main Entrance", "toggle", panel)
    qtbot.addWidget(window)
    return window, panel


def test_search_then_check_in_and_out_by_hand(
    qtbot: QtBot, guest_store: tuple[LocalStore, CheckInService]
) -> None:
    store, service = guest_store
    panel = SearchPanel(desk(store, service), min_length=2)
    qtbot.addWidget(panel)
    outcomes: list[ScanOutcome] = []
    panel.acted.connect(outcomes.append)
    panel.box.setText("m")
    panel.refresh()
    assert panel.results.count() == 0 and "at least 2" in panel.hint.text()
    panel.box.setText("mull")  # accents do not matter
    qtbot.waitUntil(lambda: panel.results.count() == 2, timeout=2000)  # debounced search
    panel.results.setCurrentRow(0)
    settled(qtbot, panel)
    chosen = panel.chosen()
    assert chosen is not None
    assert panel.check_in.isEnabled() and not panel.check_out.isEnabled()
    panel.check_in.click()
    settled(qtbot, panel)
    assert outcomes[-1].verdict.kind == VerdictKind.ADMIT
    view = store.guest_by_id(chosen.guest.id)
    assert view is not None and view.guest.is_checked_in
    assert "IN since" in panel.results.item(0).text() or "IN since" in panel.results.item(1).text()
    row = next(
        i for i in range(panel.results.count()) if "IN since" in panel.results.item(i).text()
    )
    panel.results.setCurrentRow(row)
    settled(qtbot, panel)
    assert panel.check_out.isEnabled() and not panel.check_in.isEnabled()
    panel.check_out.click()
    settled(qtbot, panel)
    assert [o.verdict.kind for o in outcomes] == [VerdictKind.ADMIT, VerdictKind.EXIT]
    panel.box.setText("nobody-like-this")
    panel.refresh()
    settled(qtbot, panel)
    assert panel.hint.text() == "Nobody found"


def test_a_check_in_only_station_offers_no_check_out(
    qtbot: QtBot, guest_store: tuple[LocalStore, CheckInService]
) -> None:
    store, service = guest_store
    panel = SearchPanel(desk(store, service), can_check_out=False)
    qtbot.addWidget(panel)
    service.act("g3", Action.CHECK_IN)
    panel.box.setText("zoe")
    panel.refresh()
    settled(qtbot, panel)
    assert panel.results.count() == 1
    assert panel.check_out.isHidden() and not panel.check_in.isEnabled()


def test_a_manual_check_in_is_answered_on_the_door_screen(
    qtbot: QtBot, guest_store: tuple[LocalStore, CheckInService]
) -> None:
    window, panel = guest_window(qtbot, *guest_store)
    window.tabs.setCurrentWidget(panel)
    panel.box.setText("zed")
    panel.refresh()
    settled(qtbot, panel)
    panel.check_in.click()
    settled(qtbot, panel)
    assert window.tabs.currentWidget() is window.scan
    assert window.scan.verdict.kind == VerdictKind.ADMIT


def test_the_waiting_count_opens_the_list_of_changes(
    qtbot: QtBot, guest_store: tuple[LocalStore, CheckInService]
) -> None:
    from doorcheck.ui.changes_dialog import ChangesDialog
    from doorcheck.ui.status_bar import DoorStatusBar

    store, service = guest_store
    bar = DoorStatusBar("Main Entrance", "toggle")
    qtbot.addWidget(bar)
    with qtbot.waitSignal(bar.changes_requested, timeout=1000):
        bar.waiting.click()
    empty = ChangesDialog(lambda: store.changes(("pending", "conflict")))
    qtbot.addWidget(empty)
    settled(qtbot, empty)
    assert empty.table.rowCount() == 0 and "reached the server" in empty.summary.text()
    service.act("g1", Action.CHECK_IN)
    service.act("g3", Action.CHECK_IN)
    dialog = ChangesDialog(lambda: store.changes(("pending", "conflict")))
    qtbot.addWidget(dialog)
    settled(qtbot, dialog)
    assert dialog.table.rowCount() == 2

    def cell(row: int, column: int) -> str:
        item = dialog.table.item(row, column)
        assert item is not None
        return item.text()

    cells = {cell(row, 2): cell(row, 0) for row in range(2)}
    assert cells == {"Jürgen Müller": "Waiting to upload", "Zoë Zed": "Waiting to upload"}
    bar.show_store(store.status())
    assert bar.waiting.text() == "2 waiting"


def test_the_login_screen_says_so_when_logging_in_fails_unexpectedly(qtbot: QtBot) -> None:
    # Not a refusal the door knows (a bug, a full disk): the screen must not hang on
    # "Logging in…", and the failure's own text (it may hold what was typed) is not shown.
    from doorcheck.ui.login_dialog import LoginDialog

    def broken(*values: str) -> None:
        raise RuntimeError(f"typed: {values[3]}")

    dialog = LoginDialog(broken)
    qtbot.addWidget(dialog)
    for field, text in ((dialog.server, "https://door.test"), (dialog.event_id, "1"),
                        (dialog.app_code, "secret-code"), (dialog.station, "Main")):  # fmt: skip
        field.setText(text)
    dialog.submit()
    qtbot.waitUntil(lambda: "Logging in failed" in dialog.message.text(), timeout=10_000)
    assert "RuntimeError" in dialog.message.text() and "secret-code" not in dialog.message.text()
    assert dialog.button.isEnabled() and dialog.result() == 0


def test_the_login_screen_says_what_is_wrong_and_takes_a_setup_code(
    qtbot: QtBot, server: RunningServer, tmp_path: Path
) -> None:
    from doorcheck.protocol.setup import setup_payload
    from doorcheck.session.login import log_in_and_load
    from doorcheck.ui.login_dialog import LoginDialog

    data = tmp_path / "door"
    dialog = LoginDialog(lambda *values: log_in_and_load(data, *values))
    qtbot.addWidget(dialog)
    dialog.submit()
    assert "Fill in all four fields" in dialog.message.text()
    for field, text in (
        (dialog.server, server.url),
        (dialog.event_id, server.event_id),
        (dialog.app_code, "wrong"),
        (dialog.station, "Main Entrance"),
    ):
        field.setText(text)
    dialog.submit()
    qtbot.waitUntil(lambda: "App Code" in dialog.message.text(), timeout=10_000)
    assert dialog.result() == 0 and load_login(data) is None
    assert not dialog.fill_from_setup("DC-NOT-A-SETUP-CODE")
    code = setup_payload(server.url, server.event_id, "main-code-1", "Main Entrance")
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        assert dialog.fill_from_setup(code)
    saved = load_login(data)
    assert saved is not None and saved[0].station_name == "Main Entrance"


def test_a_door_works_on_offline_and_drains_its_queue_when_the_server_returns(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The issue's "done when": the server stops, the window says so and goes on
    admitting with the queue growing; it returns, the queue drains, and a conflict
    (another door let the same guest in first) is shown."""
    import uuid
    from datetime import timedelta

    from doorcheck.domain.changes import Action
    from doorcheck.protocol.wire import OutgoingChange
    from doorcheck.server.db import create_schema, make_engine
    from doorcheck.services.checkin import laptop_now
    from doorcheck.ui.changes_dialog import ChangesDialog
    from tests.support import populate, running_server

    engine = make_engine(f"sqlite:///{tmp_path}/station.sqlite3")
    create_schema(engine)
    data = tmp_path / "door"
    with running_server(engine, dispose=False) as server:
        populate(server)
        args = ["--server", server.url, "--event", server.event_id, "--key", "main-code-1",
                "--station", "Main Entrance", "--data", str(data)]  # fmt: skip
        assert doorcheck(["login", *args]) == 0
        assert doorcheck(["sync", "--data", str(data)]) == 0
    saved = load_login(data)
    assert saved is not None
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    kiosk = build_kiosk(app, DoorSession.of_login(data, *saved), str(tmp_path / "no-camera"))
    qtbot.addWidget(kiosk.window)
    kiosk.client.timeout = httpx.Timeout(1.0)
    try:
        start(kiosk)
        status = kiosk.window.status
        qtbot.waitUntil(lambda: "OFFLINE" in status.online.text(), timeout=15_000)
        for index in (1, 2):
            assert kiosk.scan(server.code_of(index), "scanner").verdict.kind == VerdictKind.ADMIT
        qtbot.waitUntil(lambda: status.waiting.text() == "2 waiting", timeout=10_000)
        kiosk.sync_worker.stop()  # the test drives the rounds from here, in a known order
        port = int(server.url.rsplit(":", 1)[1])
        with running_server(engine, port=port) as back:
            back.event_id, back.stations, back.guests = (
                server.event_id, server.stations, server.guests)  # fmt: skip
            # Meanwhile Side Door, offline too, let guest 2 in a minute earlier.
            side = back.client("Side Door")
            earlier = laptop_now() - timedelta(minutes=1)
            side.push_changes(
                [OutgoingChange(str(uuid.uuid4()), Action.CHECK_IN, server.guests[2].id, earlier)]
            )
            side.close()
            report = kiosk.sync_worker.run_once()
            assert report is not None and report.uploaded == 2
            kiosk.watcher.nudge()
            qtbot.waitUntil(lambda: "Online" in status.online.text(), timeout=10_000)
            qtbot.waitUntil(
                lambda: status.waiting.text() == "0 waiting, 1 conflicts", timeout=10_000
            )
            dialog = ChangesDialog(lambda: kiosk.store.changes(("pending", "conflict")))
            qtbot.addWidget(dialog)
            settled(qtbot, dialog)
            assert dialog.table.rowCount() == 1
            state = dialog.table.item(0, 0)
            assert state is not None and state.text() == "Conflict"
    finally:
        app.removeEventFilter(kiosk.keys)
        kiosk.stop()
        engine.dispose()


def test_keyboard_alone_finds_a_guest_and_checks_them_in(
    qtbot: QtBot, guest_store: tuple[LocalStore, CheckInService]
) -> None:
    from PySide6.QtTest import QTest

    store, _ = guest_store
    window, panel = guest_window(qtbot, *guest_store)
    with qtbot.waitActive(window):  # shortcuts belong to the active window
        window.show()
        window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is panel and panel.box.hasFocus()
    QTest.keyClicks(panel.box, "zoe")
    QTest.keyClick(panel.box, Qt.Key.Key_Return)  # search now, not after the pause
    settled(qtbot, panel)
    assert panel.results.count() == 1
    QTest.keyClick(panel.box, Qt.Key.Key_Down)
    assert panel.results.hasFocus()
    QTest.keyClick(panel.results, Qt.Key.Key_Return)
    settled(qtbot, panel)
    # Checked in, and answered big on the door screen.
    assert window.tabs.currentWidget() is window.scan
    assert window.scan.verdict.kind == VerdictKind.ADMIT
    view = store.guest_by_id("g3")
    assert view is not None and view.guest.is_checked_in
    with qtbot.waitSignal(window.scan.undo_requested, timeout=1000):  # to the composition root
        QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(panel.box, Qt.Key.Key_Escape)
    assert window.tabs.currentWidget() is window.scan  # Escape: back to the door


def test_the_login_screen_reads_the_setup_code_with_the_camera(
    qtbot: QtBot, server: RunningServer, tmp_path: Path
) -> None:
    from doorcheck.protocol.setup import setup_payload
    from doorcheck.scan.frames import open_frames
    from doorcheck.session.login import log_in_and_load
    from doorcheck.ui.camera_bridge import CameraBridge
    from doorcheck.ui.login_dialog import LoginDialog

    code = setup_payload(server.url, server.event_id, "main-code-1", "Main Entrance")
    video = tmp_path / "setup.avi"
    # First a guest's ticket (not a setup code: said so, and the camera goes on),
    # then the station's setup code on a phone.
    synthetic.write_video(
        str(video),
        [synthetic.ticket_frame(server.code_of(0))] * 10
        + [synthetic.jpeg(synthetic.background(2))] * 10
        + [synthetic.ticket_frame(code, module=3)] * 20,
        fps=15,
    )
    data = tmp_path / "door"
    dialog = LoginDialog(
        lambda *values: log_in_and_load(data, *values),
        camera=lambda: CameraBridge(lambda: open_frames(str(video))),
    )
    qtbot.addWidget(dialog)
    assert not dialog.scan_button.isHidden()
    dialog.start_camera()
    assert dialog.camera is not None
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        pass
    assert dialog.camera is None  # stopped once the code was read
    saved = load_login(data)
    assert saved is not None and saved[0].event_id == server.event_id


def test_the_guest_list_opens_ready_to_type_and_enter_checks_in_the_highlighted_guest(
    qtbot: QtBot, guest_store: tuple[LocalStore, CheckInService]
) -> None:
    from PySide6.QtTest import QTest

    from doorcheck.ui.search_panel import COLUMNS_ROLE

    store, _ = guest_store
    window, panel = guest_window(qtbot, *guest_store)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.tabs.setCurrentWidget(panel)  # as a click on the tab does
    assert panel.box.hasFocus()
    QTest.keyClicks(panel.box, "zed")
    QTest.keyClick(panel.box, Qt.Key.Key_Return)  # before the results: searches, never acts
    settled(qtbot, panel)
    assert panel.results.count() == 1
    before = store.guest_by_id("g3")
    assert before is not None and not before.guest.is_checked_in
    assert panel.results.item(0).data(COLUMNS_ROLE) == ("Zoë Zed", "", "not in", "#37474f")
    QTest.keyClick(panel.box, Qt.Key.Key_Return)  # the highlighted guest, checked in
    settled(qtbot, panel)
    after = store.guest_by_id("g3")
    assert after is not None and after.guest.is_checked_in
    assert window.tabs.currentWidget() is window.scan
    assert window.scan.verdict.kind == VerdictKind.ADMIT
    window.tabs.setCurrentWidget(panel)
    settled(qtbot, panel)
    name, _, state, colour = panel.results.item(0).data(COLUMNS_ROLE)
    assert name == "Zoë Zed" and state.startswith("IN since") and colour == "#2e7d32"


def test_the_login_screen_makes_an_encrypted_door_when_asked(
    qtbot: QtBot, server: RunningServer, tmp_path: Path
) -> None:
    import sqlite3

    from doorcheck.app import log_in_screen
    from doorcheck.paths import store_path
    from doorcheck.ui.login_dialog import LoginDialog
    from tests.support.kiosk import when_modal

    data = tmp_path / "door"

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, LoginDialog)
        for field, text in ((dialog.server, server.url), (dialog.event_id, server.event_id),
                            (dialog.app_code, "main-code-1"),
                            (dialog.station, "Main Entrance")):  # fmt: skip
            field.setText(text)
        dialog.encrypt.setChecked(True)
        dialog.submit()

    when_modal(fill)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    door = log_in_screen(app, data, "0")
    assert door is not None
    try:
        assert door.store.status().guests == len(server.guests)
    finally:
        door.close()
    # On disk, the store is SQLCipher's: plain SQLite cannot read a page of it.
    with (
        pytest.raises(sqlite3.DatabaseError),
        sqlite3.connect(store_path(data, server.event_id, "Main Entrance")) as plain,
    ):
        plain.execute("SELECT count(*) FROM guests").fetchone()
