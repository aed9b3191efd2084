"""The window's composition root: the kiosk window wired to a door session.

The door (session.door.DoorSession) decides the store, the source, the workers and
the check-in service; this module only connects them to the widgets. Widgets get
plain values (views.py) through signals and callbacks and never see the database,
the network or a worker thread.
"""

from __future__ import annotations

import gc
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication
from sqlalchemy.exc import OperationalError

from doorcheck.domain.verdict import Mode, Verdict, VerdictKind
from doorcheck.resources import resource
from doorcheck.scan.decoder import Decoder
from doorcheck.scan.frames import list_cameras, open_frames
from doorcheck.scan.scanner import ScanEvent
from doorcheck.services.checkin import CheckInService
from doorcheck.services.store_watch import StoreSnapshot, StoreWatcher
from doorcheck.session import badges
from doorcheck.session.badges import badge_options, set_badge_options
from doorcheck.session.door import DoorSession, is_pairing_code
from doorcheck.session.errors import DoorError, Problem
from doorcheck.settings import KioskSettings
from doorcheck.station.client import StationClient
from doorcheck.store.credentials import (
    FILE_SOURCE,
    is_file_source,
)
from doorcheck.store.local import LocalStore
from doorcheck.sync.forwarder import Forwarder
from doorcheck.sync.health import is_disk_full
from doorcheck.sync.source_sync import SourceSync
from doorcheck.sync.station_sync import StationSync
from doorcheck.ui.badge import BadgeDesk, BadgePrinter, BadgeResult, printer_names
from doorcheck.ui.camera_bridge import CameraBridge
from doorcheck.ui.changes_dialog import ChangesDialog
from doorcheck.ui.i18n import say, tr
from doorcheck.ui.main_window import KioskWindow, Role
from doorcheck.ui.plain import ask, warn
from doorcheck.ui.scanner_keys import ScannerKeyFilter
from doorcheck.ui.search_panel import GuestDesk, SearchPanel
from doorcheck.ui.settings_dialog import LAYOUT_NAMES, SettingsDialog
from doorcheck.ui.sounds import SoundPlayer
from doorcheck.ui.statistics_panel import StatisticsPanel
from doorcheck.views import DoorOptions, PeerView, ScanOutcome, SyncStatus

if TYPE_CHECKING:
    from doorcheck.peers.node import MeshNode
    from doorcheck.ui.pairing_dialog import PairingDialog

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    """Callbacks from worker threads (sync, counting) as signals for the GUI thread."""

    status = Signal(object)  # SyncStatus
    snapshot = Signal(object)  # StoreSnapshot
    forwarding = Signal(object)  # ForwardStatus
    health = Signal(object)  # WorkerHealth, from any worker
    learned = Signal()  # changes learned from the event's other doors


@dataclass
class Kiosk:
    window: KioskWindow
    door: DoorSession
    store: LocalStore
    client: StationClient
    sync_worker: StationSync | SourceSync
    service: CheckInService
    camera: CameraBridge
    keys: ScannerKeyFilter
    watcher: StoreWatcher
    settings: KioskSettings
    sounds: SoundPlayer
    data_dir: Path
    camera_source: str
    # Called with (frame time, time the verdict was painted) for each camera scan:
    # the benchmark's view of frame-to-verdict latency.
    on_shown: Callable[[float, float], None] | None = None
    forwarder: Forwarder | None = None  # Event Cadence, where it is set up
    mesh: MeshNode | None = None  # the event's other doors on the LAN, where joined
    signals: WorkerSignals | None = None
    badges: BadgePrinter | None = None  # badges on check-in (issue 15)
    # Asks staff (title, question) before a scanned pairing code is taken; a test
    # answers instead of a person.
    confirm: Callable[[str, str], bool] = field(default=lambda title, text: ask(title, text))
    _peers_timer: QTimer | None = field(default=None, repr=False)
    wiped: bool = False
    _stopped: bool = field(default=False, repr=False)

    def scan(self, payload: str, source: str) -> ScanOutcome:
        outcome = self.service.scan(payload, source)
        self.show(outcome)
        return outcome

    def show(self, outcome: ScanOutcome) -> None:
        self.window.scan.show_outcome(outcome)
        flagged = outcome.needs_attention and not self.window.self_check_in
        self.sounds.play_verdict(outcome.verdict.kind, attention=flagged)
        self.watcher.nudge()
        self.badge_for(outcome)

    def badge_for(self, outcome: ScanOutcome) -> None:
        """A badge for a guest just checked in, where auto-print says so: the check-in
        is on disk before, so a printer that fails never takes it back."""
        verdict = outcome.verdict
        if self.badges is not None and verdict.kind == VerdictKind.ADMIT and verdict.guest:
            self.badges.checked_in(verdict.guest.id)

    def read(self, payload: str, source: str) -> None:
        """A code from the camera or a scanner: a ticket, or another door's pairing
        code (docs/peers.md), which staff may take here."""
        if is_pairing_code(payload):
            self.offer_pairing(payload)
        else:
            self.scan(payload, source)

    def offer_pairing(self, code: str) -> None:
        """Join the event's doors with a scanned pairing code, once staff say so.
        Never at a locked or self check-in door: a guest holding up a code of a
        door set up by someone else must not move this door into another mesh."""
        verdict = self.window.scan.verdict
        if self.window.self_check_in or not self.window.is_supervisor:
            verdict.show_ready(tr("That is a door's pairing code: a supervisor pairs doors "
                                  "at an unlocked door."))  # fmt: skip
            return
        if not self.confirm(tr("Pair this door"), tr(
            "Join this event's other doors with the code just scanned? Only if staff "
            "showed it at another door of this event."
        )):  # fmt: skip
            return
        try:
            self.door.pair(code)
        except DoorError as exc:
            warn(self.window, tr("Pair this door"), say(exc.words))
            return
        if self.mesh is not None:
            self.mesh.stop()  # the secret may be another: join again with the new one
            self.mesh = None
        if self.signals is not None:
            _join_peers(self, self.signals)
        verdict.show_ready(tr("Paired: this door now joins the event's other doors."))

    def camera_scanned(self, event: ScanEvent) -> None:
        if is_pairing_code(event.payload):
            self.offer_pairing(event.payload)
            return
        self.scan(event.payload, event.source)
        if self.on_shown is not None:
            self.window.scan.verdict.repaint()  # painted now, not at the next idle moment
            self.on_shown(event.time, time.monotonic())

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        gc.unfreeze()  # what start() froze may go now
        self.window.stop_tasks()  # before the store closes under a task still running
        if self.forwarder is not None:
            self.forwarder.stop()
            self.forwarder.pusher.close()
        if self.mesh is not None:
            self.mesh.stop()
        self.watcher.stop()
        self.camera.stop()
        self.sync_worker.stop()
        self.door.close()  # the store and the client


def build_kiosk(
    app: QApplication,
    door: DoorSession,
    camera: str | None = None,
    *,
    settings: KioskSettings | None = None,
    self_check_in: bool = False,
    join_peers: bool = True,
) -> Kiosk:
    """The window on an opened door; it owns the door from now on (``Kiosk.stop``
    closes it). ``camera`` overrides the camera in the settings for this run (the
    demo's reel)."""
    data_dir, login, store, client = door.data_dir, door.login, door.store, door.client
    settings = settings or KioskSettings.load(data_dir)
    event = door.event()
    configuration = event.get("configuration")
    if not isinstance(configuration, dict):
        configuration = {}
    signals = WorkerSignals()
    # The same worker and service as every door (session.door.DoorSession).
    sync_worker = door.sync_worker(interval=settings.sync_interval, on_status=signals.status.emit,
                              on_health=signals.health.emit)  # fmt: skip
    connector = sync_worker.connector if isinstance(sync_worker, SourceSync) else None
    # The mode as the door last heard it: the window never waits on the network to
    # open (the login screen, or the last sync, has stored it).
    service = door.service(on_change=sync_worker.nudge, ask=False)
    mode = service.mode
    desk = GuestDesk(
        search=store.search,
        act=service.act,
        details=store.guest_by_id,
        check_in_party=service.check_in_party,
        add_companion=lambda parent, fields: service.add_companion(parent, fields, check_in=False),
        print_badge=lambda guest_id: reprint_badge(kiosk, guest_id),
    )
    search = (
        None
        if self_check_in
        else SearchPanel(
            desk,
            min_length=int(configuration.get("minSearchLength") or 1),
            can_check_out=mode != Mode.CHECK_IN,
        )
    )
    # The guest-facing variant gets no guest list and no statistics at all.
    window = KioskWindow(
        str(event.get("name", "doorcheck")),
        door.station,
        mode.value,
        search,
        None if self_check_in else StatisticsPanel(),
        self_check_in=self_check_in,
        hide_names=settings.hides_names(self_check_in),
        logo=Path(settings.logo) if settings.logo else None,
    )
    signals.setParent(window)
    source = camera or settings.camera
    keys = ScannerKeyFilter()
    keys.detector.layout = settings.keyboard_layout
    watcher = StoreWatcher(store, signals.snapshot.emit, on_health=signals.health.emit)
    kiosk = Kiosk(
        window,
        door,
        store,
        client,
        sync_worker,
        service,
        _camera(source, settings),
        keys,
        watcher,
        settings,
        SoundPlayer(settings.sounds),
        data_dir,
        source,
    )
    _connect_badges(kiosk)
    window.has_pin = lambda: bool(kiosk.settings.pin_hash)

    def set_pin(pin: str) -> None:
        kiosk.settings.set_pin(pin)
        kiosk.settings.save(data_dir)

    window.set_pin = set_pin
    window.pin_matches = lambda pin: kiosk.settings.pin_matches(pin)
    if settings.pin_hash:
        window.set_role(Role.STEWARD)  # a PIN is set: the supervisor's work needs it

    def undo() -> None:
        if not window.may_undo:
            return  # a steward's window has no undo; a stray signal changes nothing
        try:
            undone = service.undo_last()
        except OperationalError as exc:
            if not is_disk_full(exc):
                raise
            kiosk.show(ScanOutcome(Verdict(VerdictKind.NOT_RECORDED), None))  # nothing undone
            return
        if undone:
            window.scan.verdict.show_ready(tr("Undone: the last check-in was taken back"))
            window.scan.undo.setEnabled(False)
            watcher.nudge()

    def remember_session(status: SyncStatus) -> None:
        if status.online:
            door.remember_session()

    def show_snapshot(snapshot: StoreSnapshot) -> None:
        window.status.show_store(snapshot.status)
        if window.statistics is not None:
            window.statistics.show_statistics(snapshot.statistics)

    def calibrated(layout: str) -> None:
        kiosk.settings.keyboard_layout = layout
        kiosk.settings.save(data_dir)
        window.scan.verdict.show_ready(
            tr("USB scanner set up for a {layout} keyboard").format(layout=tr(LAYOUT_NAMES[layout]))
        )

    forwarder = kiosk.forwarder = door.forwarder(
        on_status=signals.forwarding.emit, on_health=signals.health.emit
    )
    if forwarder is not None:
        signals.forwarding.connect(window.status.show_forwarding)

        def changed() -> None:  # a check-in: upload it, and forward the profile
            sync_worker.nudge()
            forwarder.nudge()

        service.on_change = changed
    _connect_camera(kiosk)
    keys.scanned.connect(lambda code: kiosk.read(code, "scanner"))
    keys.calibrated.connect(calibrated)

    def acted(outcome: ScanOutcome) -> None:  # a manual check-in in the guest list
        kiosk.sounds.play_verdict(outcome.verdict.kind)
        watcher.nudge()
        kiosk.badge_for(outcome)

    if search is not None:
        search.acted.connect(acted)
    window.scan.undo_requested.connect(undo)
    window.status.changes_requested.connect(lambda: ChangesDialog(door.changes, window).exec())
    window.settings_requested.connect(lambda: open_settings(kiosk))
    if window.statistics is not None:
        window.statistics.export.setVisible(True)
        window.statistics.export.clicked.connect(lambda: export_check_ins(kiosk))
    if is_file_source(login.server):
        window.status.show_local(Path(login.server.removeprefix(FILE_SOURCE)).name)
    if connector is not None:
        # No write-back at this source: nothing ever waits to be uploaded, so the
        # count and its list of changes are not shown.
        window.status.waiting.hide()
        window.status.uploads = False
    signals.status.connect(window.status.show_sync)
    signals.health.connect(window.status.show_health)
    signals.status.connect(remember_session)
    signals.snapshot.connect(show_snapshot)
    kiosk.signals = signals
    signals.learned.connect(watcher.nudge)
    signals.learned.connect(sync_worker.nudge)  # uploaded by any door online
    if window.statistics is not None:
        window.statistics.pair.clicked.connect(lambda: show_pairing(kiosk))
    if join_peers:
        _join_peers(kiosk, signals)
    app.installEventFilter(keys)
    app.installEventFilter(window.idle_watch)
    return kiosk


def _join_peers(kiosk: Kiosk, signals: WorkerSignals) -> None:
    """The event's other doors on the LAN (docs/peers.md), where this door has the
    mesh secret: their check-ins are answered here at once, internet or not."""
    from doorcheck.peers.node import DEFAULT_PORT

    door = kiosk.door
    if door.mesh_secret_text() is None:
        return

    def learned(_count: int) -> None:  # the node's thread: to the GUI thread
        signals.learned.emit()

    try:
        try:
            kiosk.mesh = door.join_mesh(kiosk.service, listen=("0.0.0.0", DEFAULT_PORT),  # noqa: S104
                                        on_learned=learned)  # fmt: skip
        except DoorError:  # the usual port is taken (another door on this laptop)
            kiosk.mesh = door.join_mesh(kiosk.service, listen=("0.0.0.0", 0),  # noqa: S104
                                        on_learned=learned)  # fmt: skip
    except DoorError as exc:
        log.warning("this door could not join the others: %s", exc)
        return
    except Exception as exc:  # the door works alone rather than not at all
        log.warning("this door could not join the others (%s)", type(exc).__name__)
        return
    mesh = kiosk.mesh
    if kiosk.window.statistics is not None:
        kiosk.window.statistics.pair.show()
    if kiosk._peers_timer is not None:  # joined again (paired anew): one timer
        kiosk._peers_timer.stop()
        kiosk._peers_timer.deleteLater()
    timer = kiosk._peers_timer = QTimer(kiosk.window)
    timer.setInterval(1000)

    def show_peers() -> None:
        peers = [
            PeerView(p.door_id, p.station, p.address, p.last_heard, p.stale, p.held,
                     p.clock_offset_ms, p.problem, p.zone)
            for p in mesh.peers()
        ]  # fmt: skip
        kiosk.window.status.show_peers(peers)  # "0 doors nearby" until one is found
        if kiosk.window.statistics is not None:
            kiosk.window.statistics.show_peers(peers)

    timer.timeout.connect(show_peers)
    timer.start()
    show_peers()


def show_pairing(kiosk: Kiosk) -> PairingDialog | None:
    """This door's pairing code as a QR code, for a new door to scan (window-modal,
    not blocking: the door keeps scanning behind it)."""
    from doorcheck.ui.pairing_dialog import PairingDialog

    port = kiosk.mesh.port if kiosk.mesh is not None else None
    try:
        code = kiosk.door.pairing_here(port)
    except DoorError as exc:
        warn(kiosk.window, tr("Pair another door"), say(exc.words))
        return None
    dialog = PairingDialog(code, kiosk.window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _connect_badges(kiosk: Kiosk) -> None:
    """Badges on check-in (issue 15, README "Badges"): printed on the task runner's
    threads, logged in the door's print log, a failure said on the door screen."""
    store = kiosk.store
    desk = BadgeDesk(
        options=lambda: badges.badge_options(store),
        text_of=lambda guest_id: badges.badge_for_guest(store, guest_id),
        claim=partial(badges.claim_print, store),
        finish=partial(badges.finish_print, store),
        pdf_folder=kiosk.data_dir / "badges",
    )
    kiosk.badges = BadgePrinter(desk, kiosk.window)
    kiosk.badges.done.connect(lambda result: show_badge_result(kiosk, result))


def show_badge_result(kiosk: Kiosk, result: BadgeResult) -> None:
    """A failed badge named on the door screen until one prints; a reprint's answer
    also in the guest list, where staff asked for it."""
    window = kiosk.window
    if result.error is not None:
        window.scan.show_badge_problem(
            tr("Badge not printed: {printer}: {why}. The check-in counts.").format(
                printer=result.printer, why=result.error)
        )  # fmt: skip
    else:
        window.scan.show_badge_problem(None)
    if result.reprint and window.search is not None:
        window.search.hint.setText(
            tr("Badge printed on {printer}").format(printer=result.printer)
            if result.error is None
            else tr("Badge not printed: {printer}: {why}").format(
                printer=result.printer, why=result.error)
        )  # fmt: skip


def reprint_badge(kiosk: Kiosk, guest_id: str) -> None:
    """A badge from the guest's details, once staff confirm (printed even if the
    print log has one: a lost or misprinted badge)."""
    if kiosk.badges is not None and kiosk.confirm(tr("Print badge"), tr(
        "Print a badge for this guest now, even if one was printed before?"
    )):  # fmt: skip
        kiosk.badges.reprint(guest_id)


def _camera(source: str, settings: KioskSettings) -> CameraBridge:
    return CameraBridge(lambda: open_frames(source), Decoder(settings.formats))


def _connect_camera(kiosk: Kiosk) -> None:
    preview = kiosk.window.scan.preview

    def problem(message: str) -> None:
        if message:  # "" means pictures come again: the next frame replaces the text
            preview.show_problem(message)

    kiosk.camera.scanned.connect(kiosk.camera_scanned)
    kiosk.camera.frame.connect(preview.show_frame)
    kiosk.camera.problem.connect(problem)


def apply_settings(kiosk: Kiosk, chosen: KioskSettings) -> None:
    """Saves the settings and applies what can change while the door runs."""
    before = kiosk.settings
    chosen.save(kiosk.data_dir)
    kiosk.settings = chosen
    kiosk.sounds.enabled = chosen.sounds
    kiosk.sync_worker.interval = chosen.sync_interval
    kiosk.sync_worker.nudge()
    kiosk.keys.detector.layout = chosen.keyboard_layout
    screen = kiosk.window.scan
    screen.verdict.hide_names = chosen.hides_names(kiosk.window.self_check_in)
    if chosen.logo != before.logo:
        screen.set_logo(Path(chosen.logo) if chosen.logo else None)
    if chosen.camera != before.camera or chosen.formats != before.formats:
        switch_camera(kiosk, chosen.camera)


def switch_camera(kiosk: Kiosk, source: str) -> None:
    """Read from ``source`` (a camera index, a video file, a folder) from now on, with
    the code formats of the kiosk's settings."""
    kiosk.camera.stop()
    kiosk.camera_source = source
    kiosk.camera = _camera(source, kiosk.settings)
    _connect_camera(kiosk)
    kiosk.camera.start()


def open_settings(kiosk: Kiosk) -> None:
    cameras = [(str(c.index), c.name) for c in list_cameras()]
    if kiosk.camera_source not in {value for value, _ in cameras}:
        cameras.append((kiosk.camera_source, kiosk.camera_source))
    door = door_options(kiosk)
    badges_before = badge_options(kiosk.store)
    dialog = SettingsDialog(kiosk.settings, cameras, kiosk.sounds.available, kiosk.window,
                            door=door, badges=badges_before, printers=printer_names())  # fmt: skip

    def wipe_now() -> None:
        refused = wipe(kiosk)
        if refused:
            warn(kiosk.window, tr("Wipe local data"), refused)

    dialog.wipe_requested.connect(wipe_now)
    if dialog.exec() == SettingsDialog.DialogCode.Accepted:
        apply_settings(kiosk, dialog.result_settings())
        chosen_badges = dialog.result_badges()
        if chosen_badges is not None and chosen_badges != badges_before:
            set_badge_options(kiosk.store, chosen_badges)
        chosen = dialog.result_door()
        refused = apply_door_options(kiosk, chosen) if chosen and chosen != door else None
        if refused:
            warn(kiosk.window, tr("Settings"), refused)


def door_options(kiosk: Kiosk) -> DoorOptions:
    """This door's zone and daily check-out as the settings dialog shows them."""
    own = kiosk.door.door_zone()
    at = kiosk.store.zones.check_out_time()
    return DoorOptions(own.zone if own else "", own.capacity if own else None,
                       at.text() if at else None, kiosk.service.mode != Mode.CHECK_IN)  # fmt: skip


def apply_door_options(kiosk: Kiosk, chosen: DoorOptions) -> str | None:
    """Set this door's zone and daily check-out (docs/occupancy.md); why not, in
    words, if refused (nothing of that part is changed then)."""
    before = door_options(kiosk)
    try:
        if (chosen.zone, chosen.capacity) != (before.zone, before.capacity):
            kiosk.door.set_door_zone(chosen.zone or None, chosen.capacity)
        if chosen.check_out_at != before.check_out_at:
            kiosk.door.set_check_out_time(chosen.check_out_at)
    except DoorError as exc:
        return say(exc.words)
    kiosk.watcher.nudge()  # the statistics count with the new zone at once
    return None


def export_check_ins(
    kiosk: Kiosk, path: Path | None = None, on_written: Callable[[Path], None] | None = None
) -> None:
    """Who came and left at this door, to a CSV or XLSX file the steward picks.

    Written off the GUI thread (reading every guest and writing an XLSX file takes
    seconds at a large event): the door keeps scanning meanwhile. ``on_written`` is
    told the file once it is written; a file that cannot be written is said in words.
    """
    from PySide6.QtWidgets import QFileDialog

    if path is None:
        chosen, _ = QFileDialog.getSaveFileName(
            kiosk.window, tr("Export check-ins"), "check-ins.xlsx",
            tr("Excel (*.xlsx);;CSV (*.csv)"),
        )  # fmt: skip
        if not chosen:
            return
        path = Path(chosen)
    target, door, window = path, kiosk.door, kiosk.window
    button = window.statistics.export if window.statistics is not None else None
    if button is not None:
        button.setEnabled(False)  # one export at a time

    def done() -> None:
        if button is not None:
            button.setEnabled(window.is_supervisor)

    def written(result: Path) -> None:
        done()
        if on_written is not None:
            on_written(result)

    def failed(exc: BaseException) -> None:
        done()
        if not (isinstance(exc, DoorError) and exc.problem == Problem.CANNOT_WRITE):
            window.tasks.report(exc)
            return
        warn(window, tr("Export check-ins"), say(exc.words))

    window.tasks.run(lambda: door.export(target)[0], written, failed)


def wipe(kiosk: Kiosk) -> str | None:
    """Deletes the event's data and the saved login, and closes the kiosk. Refused
    while changes made at this door wait for the server: returns why, in words."""
    from doorcheck.services.privacy import store_key, waiting_changes
    from doorcheck.session.door import wipe_event_data
    from doorcheck.store.credentials import forget_login

    waiting = waiting_changes(kiosk.store.path.parent, store_key(kiosk.data_dir))
    if waiting:
        return tr(
            "{count} changes made at this door have not reached the server yet. "
            "Wait until the door is online and they are uploaded."
        ).format(count=waiting)
    event_id = kiosk.client.credentials.event_id
    kiosk.stop()
    try:
        wipe_event_data(kiosk.data_dir, event_id)
    except DoorError as exc:
        # A scan came in between: everything is kept; the door closes (it is stopped)
        # and opens again with the next start.
        kiosk.window.close()
        return str(exc)
    forget_login(kiosk.data_dir)
    kiosk.wiped = True
    if kiosk.window.locked:
        kiosk.window.unlock()
    kiosk.window.close()
    return None


def start(kiosk: Kiosk) -> None:
    # Everything made so far (Qt, SQLAlchemy, OpenCV and the rest: some 10^5 objects)
    # lives as long as the kiosk. Frozen out of the garbage collector's sight, a full
    # collection takes a few milliseconds instead of stalling the window for 50-70 ms.
    gc.collect()
    gc.freeze()
    kiosk.window.status.show_store(kiosk.store.status())
    kiosk.watcher.start()
    kiosk.sync_worker.start()
    if kiosk.forwarder is not None:
        kiosk.forwarder.start()
    kiosk.camera.start()
    _watch_daily_check_out(kiosk)


# How often the window looks whether the daily check-out is due (docs/occupancy.md).
CHECK_OUT_LOOK_MS = 10_000


def _watch_daily_check_out(kiosk: Kiosk) -> None:
    """Every few seconds, off the GUI thread: check everyone out when the time set
    with `doorcheck checkout-all --at` has come (checking out thousands is a moment's
    work, not one for the window's thread)."""
    window, door, service = kiosk.window, kiosk.door, kiosk.service
    timer = QTimer(window)
    timer.setInterval(CHECK_OUT_LOOK_MS)

    def done(count: int | None) -> None:
        if count is not None:
            log.info("daily check-out: %d guests checked out", count)
            kiosk.watcher.nudge()

    def look() -> None:
        window.tasks.run(lambda: door.check_out_if_due(service), done, key="daily-check-out")

    timer.timeout.connect(look)
    timer.start()


def log_in_screen(app: QApplication, data_dir: Path, camera: str) -> DoorSession | None:
    """The login screen, for a laptop with no saved login: the door it logged in, or
    None if the steward closed it."""
    from doorcheck.session.door import saved_door
    from doorcheck.session.login import log_in_and_load, preview_lines
    from doorcheck.ui.login_dialog import LoginDialog

    dialog = LoginDialog(
        lambda *values: log_in_and_load(data_dir, *values, encrypt=dialog.encrypt_chosen),
        camera=lambda: CameraBridge(lambda: open_frames(camera)),
        preview=preview_lines,
        pair=lambda code: _start_from_pairing(data_dir, code, dialog.encrypt_chosen),
        is_pairing_code=is_pairing_code,
    )
    keys = ScannerKeyFilter()  # a USB scanner reads the station's setup code
    keys.scanned.connect(dialog.fill_from_setup)
    app.installEventFilter(keys)
    try:
        accepted = dialog.exec()
    finally:
        app.removeEventFilter(keys)
    return saved_door(data_dir) if accepted else None


def _start_from_pairing(data_dir: Path, code: str, encrypt: bool = False) -> None:
    """A new door from another door's pairing code (no server needed): saved, then
    opened by the window as any saved door; its list comes from the other doors."""
    from doorcheck.session.door import pair_new_door

    door, _ = pair_new_door(data_dir, code, encrypt=encrypt)
    door.close()


# A door whose store stays shut (docs/security.md, the encrypted local store).
SHUT_STORE = (Problem.STORE_NO_KEY, Problem.STORE_WRONG_KEY, Problem.STORE_NO_SQLCIPHER,
              Problem.STORE_NOT_A_DATABASE)  # fmt: skip


def run_kiosk(
    data_dir: Path,
    *,
    camera: str | None = None,
    seconds: float | None = None,
    lock: bool = False,
    self_check_in: bool = False,
    exit_when_ready: bool = False,
) -> int:
    """The window's door: the login screen if there is no saved login, then the kiosk
    window on the door session of that login until the window closes."""
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from doorcheck.session.door import saved_door
    from doorcheck.ui.i18n import install_language

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    settings = KioskSettings.load(data_dir)
    if settings.problem:
        print(f"warning: {settings.problem}", file=sys.stderr)
    install_language(app, settings.language)
    app.setWindowIcon(QIcon(str(resource("icon.png"))))
    if exit_when_ready:
        # For the start-up benchmark: the first window is up and idle, say so and go.
        def ready() -> None:
            print("ready", flush=True)
            modal = QApplication.activeModalWidget()
            if modal is not None:
                modal.close()
            app.quit()

        QTimer.singleShot(0, ready)
    door = saved_door(data_dir) or log_in_screen(app, data_dir, camera or settings.camera)
    if door is None:
        return 0 if exit_when_ready else 1  # the steward closed the login screen
    try:
        kiosk = build_kiosk(app, door, camera, settings=settings, self_check_in=self_check_in)
    except DoorError as exc:
        door.close()
        if exc.problem in SHUT_STORE and not exit_when_ready:
            # An encrypted door without its key: started from the desktop's menu there
            # is no terminal to read the line the command prints, so say it here too.
            warn(None, tr("This door cannot open"), say(exc.words))
        raise
    except BaseException:
        door.close()
        raise
    start(kiosk)
    kiosk.window.show()
    # The guest-facing kiosk starts locked; staff choose a PIN first if none is set.
    if (lock or self_check_in) and not kiosk.window.lock():
        kiosk.stop()
        return 1
    if seconds:
        QTimer.singleShot(int(seconds * 1000), app.quit)
    try:
        code = int(app.exec())
    finally:
        kiosk.stop()
    if kiosk.wiped:
        print("This event's data was wiped from the laptop; log in again to use the door.")
    return code
