"""Every kiosk screen in its main states, rendered offscreen to PNG files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from doorcheck.domain.guest import Guest, RegistrationState
from doorcheck.domain.verdict import Mode, Verdict, VerdictKind
from doorcheck.scan import synthetic
from doorcheck.services.checkin import ScanOutcome
from doorcheck.store.local import SearchHit, StoreStatus
from doorcheck.sync.engine import SyncStatus
from doorcheck.ui.main_window import KioskWindow
from doorcheck.ui.preview import to_qimage
from doorcheck.ui.search_panel import SearchPanel

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


def render_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    others = [
        Guest(id=f"m{i}", fields={"firstName": first, "lastName": "Müller", "company": company},
              registration_state=RegistrationState.REGISTERED)
        for i, (first, company) in enumerate(
            [("Jürgen", "Brückenbau KG"), ("Anaïs", "Lumière SARL"), ("Søren", None)])
    ]  # fmt: skip
    others[0].check_in = datetime.now(UTC) - timedelta(minutes=20)
    others[0].check_in_station = "Side Door"
    hits = [SearchHit(g, None) for g in others] + [
        SearchHit(Guest(id="c", fields={"firstName": "Ida", "lastName": "Müller"}), "Anaïs Müller")
    ]
    search = SearchPanel(
        lambda text: hits,
        lambda guest, action: ScanOutcome(Verdict(VerdictKind.ADMIT, JANE), None),
        can_check_out=False,
    )
    window = KioskWindow("Winter Gala 2026", "Main Entrance", Mode.CHECK_IN.value, search)
    window.resize(1366, 768)
    frame = synthetic.ticket_frame(JANE.access_code or "")
    since = datetime.now(UTC) - timedelta(minutes=42)
    states: list[tuple[str, Callable[[], None], bool | None]] = [
        ("scan-ready", lambda: window.scan.verdict.show_ready(), True),
        (
            "scan-admit",
            lambda: window.scan.show_outcome(
                ScanOutcome(Verdict(VerdictKind.ADMIT, JANE), JANE.access_code, nonces=("n",))
            ),
            True,
        ),
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
        (
            "scan-offline",
            lambda: window.scan.show_outcome(
                ScanOutcome(Verdict(VerdictKind.ADMIT, JANE), JANE.access_code, nonces=("n",))
            ),
            False,
        ),
    ]
    written = []
    window.show()

    def show_search() -> None:
        window.tabs.setCurrentWidget(search)
        search.box.setText("müll")
        search.refresh()

    states.append(("guests-search", show_search, True))
    for name, show, online in states:
        window.tabs.setCurrentWidget(window.scan)
        window.scan.preview.show_frame(to_qimage(frame), [])
        show()
        sync, store = _status(online)
        window.status.show_sync(sync)
        window.status.show_store(store)
        app.processEvents()
        path = out / f"{name}.png"
        window.grab().save(str(path))
        written.append(path)
    window.close()
    return written
