"""Every kiosk screen in its main states, rendered offscreen to PNG files.

The screens are the real widgets fed with made-up data, so a designer can look at
each state without an event running.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget

from doorcheck.domain.badge import LABEL_SIZES, AutoPrint, BadgeOptions, BadgeText
from doorcheck.domain.changes import Action, ChangeNote
from doorcheck.domain.guest import Guest, RegistrationState
from doorcheck.domain.occupancy import DoorZone, Occupancy, ZoneCount
from doorcheck.domain.verdict import Mode, Verdict, VerdictKind
from doorcheck.protocol.errors import WrongAppCodeError
from doorcheck.protocol.wire import RejectReason
from doorcheck.resources import resource
from doorcheck.scan import synthetic
from doorcheck.settings import KioskSettings
from doorcheck.sync.health import DISK_FULL, WorkerHealth
from doorcheck.ui.badge import paint_badge
from doorcheck.ui.changes_dialog import ChangesDialog
from doorcheck.ui.i18n import install_language, tr
from doorcheck.ui.login_dialog import LoginDialog
from doorcheck.ui.main_window import KioskWindow, Role
from doorcheck.ui.pairing_dialog import PairingDialog
from doorcheck.ui.preview import to_qimage
from doorcheck.ui.search_panel import GuestDesk, SearchPanel
from doorcheck.ui.settings_dialog import SettingsDialog
from doorcheck.ui.statistics_panel import StatisticsPanel
from doorcheck.ui.tasks import settle
from doorcheck.views import (
    ChangeView,
    DoorOptions,
    GuestView,
    PeerView,
    ScanOutcome,
    SearchHit,
    StationCount,
    Statistics,
    StoreStatus,
    SyncStatus,
)

JANE = Guest(
    id="g1",
    access_code="DC-7Q2MX9K4",
    registration_state=RegistrationState.REGISTERED,
    fields={
        "firstName": "Jürgen",
        "lastName": "Gößmann",
        "company": "Müller & Söhne GmbH",
        "notes": "Speaker: give badge with red lanyard.",
    },
    companion_ids=["c1", "c2"],
    highlight_color="#ffd54f",
)


def _status(online: bool | None) -> tuple[SyncStatus, StoreStatus]:
    now = datetime.now(UTC)
    sync = SyncStatus(
        online,
        now if online else None,
        None if online else "Cannot reach the station server.",
        None,
    )
    store = StoreStatus(
        guests=468,
        checked_in=212,
        pending=0 if online else 7,
        conflicts=0,
        rejected=0,
        cursor="x",
        last_sync=(now - timedelta(seconds=4)).isoformat(),
        last_full_sync=None,
        last_error=None,
        clock_skew_seconds=None,
    )
    return sync, store


def _people() -> tuple[list[SearchHit], dict[str, GuestView]]:
    now = datetime.now(UTC)
    others = [
        Guest(id=f"m{i}", access_code=f"DC-{i}X7K", fields={"firstName": first,
              "lastName": "Müller", "company": company, "email": f"{first.lower()}@example.org"},
              registration_state=RegistrationState.REGISTERED)
        for i, (first, company) in enumerate(
            [("Jürgen", "Brückenbau KG"), ("Anaïs", "Lumière SARL"), ("Søren", None)])
    ]  # fmt: skip
    others[0].check_in = now - timedelta(minutes=20)
    others[0].check_in_station = "Side Door"
    companions = [
        Guest(id="c", parent_id="m1", fields={"firstName": "Ida", "lastName": "Müller"}),
        Guest(id="d", parent_id="m1", fields={"firstName": "Noor", "lastName": "Haddad"}),
    ]
    companions[1].check_in = now - timedelta(minutes=3)
    others[1].companion_ids = ["c", "d"]
    hits = [SearchHit(g, None) for g in others] + [SearchHit(companions[0], "Anaïs Müller")]
    views = {g.id: GuestView(g) for g in others}
    views["m1"] = GuestView(others[1], companions=companions)
    views["c"] = GuestView(companions[0], main_guest=others[1])
    return hits, views


def _statistics() -> Statistics:
    now = datetime.now(UTC)
    start = now.replace(second=0, microsecond=0, minute=now.minute - now.minute % 5)
    shape = [0, 2, 5, 9, 14, 22, 31, 38, 35, 27, 18, 12, 9, 7, 4, 6, 3, 2, 1, 0, 3, 5, 2, 1]
    arrivals = [(start - timedelta(minutes=5 * i), n) for i, n in enumerate(reversed(shape))]
    return Statistics(
        arrivals,
        inside=212,
        guests=468,
        stations=[
            StationCount("Cloakroom", 0, 0, 0),
            StationCount("Exit", 0, 34, 0),
            StationCount("Garden Gate", 17, 3, 14),
            StationCount("Main Entrance", 178, 24, 154),
            StationCount("Side Door", 68, 7, 44),
        ],
        occupancy=Occupancy(
            (
                ZoneCount("Ballroom", 198, 240, ("Main Entrance", "Side Door", "Cloakroom")),
                ZoneCount("Garden", 14, 15, ("Garden Gate",)),
            ),
            inside=212,
            capacity=400,
        ),
    )


def render_all(out: Path, language: str = "en") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    install_language(app, language)
    hits, views = _people()
    search = SearchPanel(
        GuestDesk(
            search=lambda text: hits,
            act=lambda guest, action: ScanOutcome(Verdict(VerdictKind.ADMIT, JANE), None),
            details=views.get,
            add_companion=lambda parent, fields: JANE,
        ),
        can_check_out=False,
    )
    statistics = StatisticsPanel()
    statistics.show_statistics(_statistics())
    statistics.export.setVisible(True)  # as the composition root shows it
    statistics.pair.setVisible(True)  # as a door of a mesh shows it
    window = KioskWindow(
        "Winter Gala 2026", "Main Entrance", Mode.CHECK_IN.value, search, statistics
    )
    window.resize(1366, 768)
    frame = synthetic.ticket_frame(JANE.access_code or "")
    since = datetime.now(UTC) - timedelta(minutes=42)
    admit = ScanOutcome(Verdict(VerdictKind.ADMIT, JANE), JANE.access_code, nonces=("n",))
    companions = [Guest(id="c1", fields={"firstName": "Ida", "lastName": "Gößmann"}),
                  Guest(id="c2", fields={"firstName": "Noor", "lastName": "Haddad"})]  # fmt: skip
    flagged = ScanOutcome(
        Verdict(VerdictKind.ADMIT, JANE), JANE.access_code, companions=companions,
        nonces=("n",), attention=("Wheelchair user: open the side gate",
                                  "VIP: walk them to the VIP Lounge"),
        tags=("VIP", "vegetarian"),
    )  # fmt: skip
    states: list[tuple[str, Callable[[], None], bool | None]] = [
        ("scan-ready", lambda: window.scan.verdict.show_ready(), True),
        ("scan-admit", lambda: window.scan.show_outcome(admit), True),
        ("scan-attention", lambda: window.scan.show_outcome(flagged), True),
        (
            "scan-already-in",
            lambda: window.scan.show_outcome(
                ScanOutcome(
                    Verdict(VerdictKind.ALREADY_IN, JANE, since=since, station="Side Door"),
                    JANE.access_code,
                )
            ),
            True,
        ),
        (
            "scan-not-on-list",
            lambda: window.scan.show_outcome(
                ScanOutcome(Verdict(VerdictKind.NOT_ON_LIST), "XX-0000")
            ),
            True,
        ),
        ("scan-offline", lambda: window.scan.show_outcome(admit), False),
        (
            "scan-wrong-mode",
            lambda: window.scan.show_outcome(
                ScanOutcome(
                    Verdict(VerdictKind.WRONG_MODE, JANE, action_refused=Action.CHECK_OUT),
                    JANE.access_code,
                )
            ),
            True,
        ),
        (
            "scan-disk-full",
            lambda: window.scan.show_outcome(
                ScanOutcome(Verdict(VerdictKind.NOT_RECORDED, JANE), JANE.access_code)
            ),
            None,  # failing: the status bar says which worker and why
        ),
    ]
    written = []
    window.show()

    def show_search(text: str, row: int) -> Callable[[], None]:
        def show() -> None:
            window.tabs.setCurrentWidget(search)
            search.box.setText(text)
            search.refresh()
            settle(search)  # the search runs off the GUI thread
            search.results.setCurrentRow(row)

        return show

    states.append(("guests-search", show_search("müll", 0), True))
    states.append(("guests-party", show_search("müll", 1), True))
    statistics.show_peers(_peers(datetime.now(UTC)))
    window.status.show_peers(_peers(datetime.now(UTC)))
    states.append(("statistics", lambda: window.tabs.setCurrentWidget(statistics), True))

    def badge_failed() -> None:
        window.scan.show_outcome(admit)
        window.scan.show_badge_problem(
            tr("Badge not printed: {printer}: {why}. The check-in counts.").format(
                printer="Brother_QL-820NWB",
                why=tr("the printer reports an error (offline or out of paper?)"))
        )  # fmt: skip

    states.append(("scan-badge-not-printed", badge_failed, True))
    for name, show, online in states:
        window.scan.verdict.acknowledge()  # an attention answer would hold the next back
        window.tabs.setCurrentWidget(window.scan)
        window.scan.preview.show_frame(to_qimage(frame), [])
        show()
        sync, store = _status(online is not False)
        if online is None:
            full = DISK_FULL
            store = replace(store, unreadable=3)
            window.status.show_health(WorkerHealth("sync", full, retry_in=30))
        window.status.show_sync(sync)
        window.status.show_store(store)
        written.append(_save(app, window, out / f"{name}.png"))
        if online is None:
            window.status.show_health(WorkerHealth("sync"))
        window.scan.show_badge_problem(None)
    # The same door handed to a steward: the door and the figures, nothing else.
    window.scan.verdict.acknowledge()
    window.set_role(Role.STEWARD)
    window.tabs.setCurrentWidget(window.scan)
    window.scan.show_outcome(admit)
    written.append(_save(app, window, out / "steward.png"))
    window.set_role(Role.SUPERVISOR)
    window.close()
    written.append(_badge(out / "badge.png"))

    written.append(_two_doors(app, frame, out / "doors-nearby.png"))

    guest_facing = KioskWindow(
        "Winter Gala 2026", "Self check-in", Mode.CHECK_IN.value, self_check_in=True,
        hide_names=KioskSettings().hides_names(True), logo=resource("icon.png"),
    )  # fmt: skip
    guest_facing.resize(1366, 768)
    guest_facing.show()
    # Locked as at the door, but not full screen: offscreen has no real screen size.
    guest_facing._set_locked(True, full_screen=False)
    guest_facing.resize(1366, 768)
    guest_facing.scan.preview.show_frame(to_qimage(frame), [])
    sync, store = _status(True)
    guest_facing.status.show_sync(sync)
    guest_facing.status.show_store(store)
    written.append(_save(app, guest_facing, out / "self-check-in-ready.png"))
    guest_facing.scan.show_outcome(ScanOutcome(Verdict(VerdictKind.NOT_ON_LIST), "XX-0000"))
    written.append(_save(app, guest_facing, out / "self-check-in-deny.png"))
    guest_facing.scan.show_outcome(admit)
    written.append(_save(app, guest_facing, out / "self-check-in-admit.png"))
    guest_facing._set_locked(False)
    guest_facing.close()

    dialogs: list[tuple[str, QWidget]] = []
    login = LoginDialog(lambda *values: None, camera=lambda: None)  # type: ignore[arg-type,return-value]
    login.server.setText("https://checkin.example.org")
    login.event_id.setText("winter-gala-2026")
    login.station.setText("Main Entrance")
    login.show_error(tr(WrongAppCodeError().message))
    dialogs.append(("login-error", login))
    settings = KioskSettings()
    dialogs.append(
        (
            "settings",
            SettingsDialog(
                settings,
                [("0", "Integrated Camera (0)"), ("1", "USB Camera (1)")],
                door=DoorOptions("Ballroom", 240, None, True),
                badges=BadgeOptions(AutoPrint.ONCE, "Brother_QL-820NWB", "brother62"),
                printers=["Brother_QL-820NWB", "Office_LaserJet"],
            ),
        )
    )
    now = datetime.now(UTC)
    earlier = {
        "time": (now - timedelta(minutes=30)).isoformat(timespec="seconds"),
        "station": "Side Door",
    }
    changes = [
        ChangeView("n1", "m0", "Jürgen Müller", "checkIn", (now - timedelta(minutes=m)).isoformat(),
                   state, 1, None, None, code, note, data)
        for m, state, code, note, data in ((1, "pending", None, None, {}),
                                           (2, "pending", None, None, {}),
                                           (9, "conflict", None, ChangeNote.SUPERSEDED, earlier),
                                           (14, "rejected", RejectReason.GUEST_DELETED, None, {}))
    ]  # fmt: skip
    dialogs.append(("changes", ChangesDialog(lambda: changes)))
    # A made-up event and secret: the picture shows what a pairing code looks like.
    dialogs.append(("pairing", PairingDialog("DOORCHECK-PAIR:1:" + "x" * 180)))
    for name, dialog in dialogs:
        dialog.show()
        written.append(_save(app, dialog, out / f"{name}.png"))
        dialog.close()
    install_language(app, "en")
    return written


def _peers(now: datetime) -> list[PeerView]:
    """The event's other doors as a door sees them: two heard from, one gone quiet."""
    return [
        PeerView("b" * 32, "Side Door", "10.0.0.12:47474", now - timedelta(seconds=1), False,
                 214, 0, None),
        PeerView("c" * 32, "Cloakroom", "10.0.0.14:47474", now - timedelta(seconds=2), False,
                 57, 0, None),
        PeerView("d" * 32, "Garden Gate", "10.0.0.19:47474", now - timedelta(minutes=3), True,
                 12, 0, None, DoorZone("Garden", 15)),
    ]  # fmt: skip


def _two_doors(app: QApplication, frame: object, path: Path) -> Path:
    """Two doors of one event with the internet down, side by side: the guest admitted
    at the Main Entrance is "already in" at the Side Door a moment later."""
    now = datetime.now(UTC)
    pair = QWidget()
    pair.setObjectName("pair")  # the dark frame is the pair's own, not its windows'
    pair.setStyleSheet("#pair { background: #eceff1; }")
    row = QHBoxLayout(pair)
    row.setContentsMargins(8, 8, 8, 8)
    row.setSpacing(8)
    offline, store = _status(False)
    doors = []
    for station, outcome in (
        ("Main Entrance",
         ScanOutcome(Verdict(VerdictKind.ADMIT, JANE), JANE.access_code, nonces=("n",))),
        ("Side Door",
         ScanOutcome(Verdict(VerdictKind.ALREADY_IN, JANE, since=now - timedelta(seconds=20),
                             station="Main Entrance"), JANE.access_code)),
    ):  # fmt: skip
        door = KioskWindow("Winter Gala 2026", station, Mode.CHECK_IN.value)
        door.scan.preview.show_frame(to_qimage(frame), [])  # type: ignore[arg-type]
        door.scan.show_outcome(outcome)
        door.status.show_sync(offline)
        door.status.show_store(store)
        other = "Side Door" if station == "Main Entrance" else "Main Entrance"
        door.status.show_peers([PeerView("e" * 32, other, None, now, False, 1, 0, None)])
        door.setMinimumSize(1040, 620)
        row.addWidget(door)
        doors.append(door)
    pair.resize(2104, 636)
    pair.show()
    saved = _save(app, pair, path)
    pair.close()
    return saved


def _badge(path: Path) -> Path:
    """A badge as it is printed (Brother QL, 62 mm), painted as on a printer's page."""
    size = LABEL_SIZES["brother62"]
    pixels_per_mm = 12  # about 300 dpi, a label printer's resolution
    image = QImage(round(size.width_mm * pixels_per_mm), round(size.height_mm * pixels_per_mm),
                   QImage.Format.Format_RGB32)  # fmt: skip
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_badge(painter, QRectF(image.rect()), BadgeText.of(JANE), size)
    painter.end()
    image.save(str(path))
    return path


def _save(app: QApplication, widget: QWidget, path: Path) -> Path:
    settle(widget)  # what a task (a search, the details, the changes) brings is shown
    app.processEvents()
    widget.grab().save(str(path))
    return path
