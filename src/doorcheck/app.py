"""The composition root: builds the kiosk's parts once and wires them together.

Nothing else creates services or opens the store; widgets get plain data through
signals and never see the database, the network or a worker thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from doorcheck.domain.verdict import Mode
from doorcheck.paths import store_path
from doorcheck.scan.scanner import ScanEvent
from doorcheck.scan.sources import open_frames
from doorcheck.services.checkin import CheckInService, ScanOutcome
from doorcheck.station.client import Credentials, StationClient
from doorcheck.station.writer import StationChangeWriter
from doorcheck.store.credentials import SavedLogin, load_session_token, save_session_token
from doorcheck.store.local import LocalStore
from doorcheck.sync.engine import SyncEngine, SyncStatus
from doorcheck.ui.camera_bridge import CameraBridge
from doorcheck.ui.changes_dialog import ChangesDialog
from doorcheck.ui.main_window import KioskWindow
from doorcheck.ui.scanner_keys import ScannerKeyFilter
from doorcheck.ui.search_panel import SearchPanel

SHOWN_CHANGES = ("pending", "sent", "conflict", "rejected")


class SyncSignals(QObject):
    """The sync engine's callbacks (from its worker thread) as signals."""

    status = Signal(object)


@dataclass
class Kiosk:
    window: KioskWindow
    store: LocalStore
    client: StationClient
    engine: SyncEngine
    service: CheckInService
    camera: CameraBridge
    keys: ScannerKeyFilter
    refresh: QTimer

    def scan(self, payload: str, source: str) -> ScanOutcome:
        outcome = self.service.scan(payload, source)
        self.window.scan.show_outcome(outcome)
        return outcome

    def stop(self) -> None:
        self.refresh.stop()
        self.camera.stop()
        self.engine.stop()
        self.store.close()
        self.client.close()


def build_kiosk(
    app: QApplication, data_dir: Path, login: SavedLogin, app_code: str, camera: str
) -> Kiosk:
    store = LocalStore.open(store_path(data_dir, login.event_id, login.station_name))
    client = StationClient(
        login.server,
        Credentials(login.event_id, app_code, login.station_name),
        device_id=login.device_id,
    )
    token = load_session_token(data_dir, login)
    if token:
        client.adopt_session(token)
    event = json.loads(store.get_state("event") or "{}")
    mode = Mode(store.get_state("mode") or Mode.CHECK_IN.value)
    signals = SyncSignals()
    engine = SyncEngine(store, client, StationChangeWriter(client), on_status=signals.status.emit)
    service = CheckInService(
        store,
        login.station_name,
        mode,
        access_code_pattern=(event.get("configuration") or {}).get("accessCodePattern"),
        on_change=engine.nudge,
    )
    configuration = event.get("configuration") or {}
    search = SearchPanel(
        store.search,
        service.act,
        min_length=int(configuration.get("minSearchLength") or 1),
        can_check_out=mode != Mode.CHECK_IN,
    )

    window = KioskWindow(event.get("name", "doorcheck"), login.station_name, mode.value, search)
    camera_bridge = CameraBridge(lambda: open_frames(camera))
    keys = ScannerKeyFilter()
    kiosk = Kiosk(window, store, client, engine, service, camera_bridge, keys, QTimer(window))
    signals.setParent(window)

    def scanned(event: ScanEvent) -> None:
        kiosk.scan(event.payload, event.source)

    def undo() -> None:
        if service.undo_last():
            window.scan.verdict.show_ready("Undone: the last check-in was taken back")
            window.scan.undo.setEnabled(False)

    def camera_problem(message: str) -> None:
        if message:  # "" means pictures come again: the next frame replaces the text
            window.scan.preview.show_problem(message)

    def remember_session(status: SyncStatus) -> None:
        if status.online and client.session_token:
            save_session_token(data_dir, login, client.session_token)

    camera_bridge.scanned.connect(scanned)
    camera_bridge.frame.connect(window.scan.preview.show_frame)
    camera_bridge.problem.connect(camera_problem)
    keys.scanned.connect(lambda code: kiosk.scan(code, "scanner"))
    window.scan.undo_requested.connect(undo)
    window.status.changes_requested.connect(
        lambda: ChangesDialog(lambda: store.changes(SHOWN_CHANGES), window).exec()
    )
    signals.status.connect(window.status.show_sync)
    signals.status.connect(remember_session)
    kiosk.refresh.setInterval(2000)
    kiosk.refresh.timeout.connect(lambda: window.status.show_store(store.status()))
    app.installEventFilter(keys)
    return kiosk


def start(kiosk: Kiosk) -> None:
    kiosk.window.status.show_store(kiosk.store.status())
    kiosk.refresh.start()
    kiosk.engine.start()
    kiosk.camera.start()
